// "Continue later": a step that must wait for a long-running provider operation (DNS
// after a 47-second Key Vault approval) is not waited for inside the invocation. It is
// handed to a continuation: a small message, delivered after a delay, that re-reads ARM
// and does the rest. In Azure the message goes on the app's continuations queue, read by
// its own trigger (shared/store/continuationQueue.ts, functions/queueContinuations.ts);
// tests keep them in memory.
import { randomUUID } from "node:crypto";
import { tryParseResourceId } from "../model/resourceId.js";

/** Marks a queue message as the app's own continuation (not an Event Grid event). */
export const CONTINUATION_MARK = "privatelink-autopilot/continuation";

export interface Continuation {
  mark: typeof CONTINUATION_MARK;
  kind: "dns-after-approval";
  /** Unique per message: the event ledger recognises a duplicate delivery by it. */
  id: string;
  /** The approved provider-side connection whose endpoint gets its records. */
  connectionId: string;
  /** Checks so far (the first continuation is attempt 1). */
  attempt: number;
}

export interface ContinuationSink {
  /** Delivers `c` after about `delayMs`; throws when it cannot be stored (the caller then fails its invocation). */
  later(c: Continuation, delayMs: number): Promise<void>;
}

export function newContinuation(connectionId: string, attempt: number): Continuation {
  return { mark: CONTINUATION_MARK, kind: "dns-after-approval", id: `continuation:${randomUUID()}`, connectionId, attempt };
}

const MAX_ID_CHARS = 2048;

/**
 * A continuation message, checked like any input from a queue (the app's own, but a
 * message proves nothing): undefined when it is not one; an error string when it claims to
 * be one and is malformed. It only ever makes the app re-read ARM.
 */
export function parseContinuation(raw: unknown): Continuation | { error: string } | undefined {
  if (!raw || typeof raw !== "object" || (raw as { mark?: unknown }).mark !== CONTINUATION_MARK) return undefined;
  const r = raw as Record<string, unknown>;
  if (r.kind !== "dns-after-approval") return { error: `unknown continuation kind ${JSON.stringify(String(r.kind)).slice(0, 100)}` };
  if (typeof r.id !== "string" || !r.id || r.id.length > 512) return { error: "continuation id missing or over 512 characters" };
  if (typeof r.connectionId !== "string" || r.connectionId.length > MAX_ID_CHARS || !tryParseResourceId(r.connectionId))
    return { error: "continuation connectionId is not an ARM resource id" };
  if (typeof r.attempt !== "number" || !Number.isInteger(r.attempt) || r.attempt < 1 || r.attempt > 1000)
    return { error: "continuation attempt is not a positive integer" };
  return { mark: CONTINUATION_MARK, kind: "dns-after-approval", id: r.id, connectionId: r.connectionId, attempt: r.attempt };
}

/** In memory (tests, the CLI): continuations wait here until `due()` hands them out. */
export class MemoryContinuations implements ContinuationSink {
  readonly queued: { c: Continuation; dueAt: number }[] = [];
  constructor(private readonly now: () => number = Date.now) {}

  async later(c: Continuation, delayMs: number): Promise<void> {
    this.queued.push({ c, dueAt: this.now() + delayMs });
  }

  /** Takes out the continuations whose time has come. */
  due(): Continuation[] {
    const t = this.now();
    const out = this.queued.filter((q) => q.dueAt <= t).map((q) => q.c);
    for (let i = this.queued.length - 1; i >= 0; i--) if (this.queued[i]!.dueAt <= t) this.queued.splice(i, 1);
    return out;
  }
}
