// Long-running operations. Each one stays InProgress for its duration (see
// timings.ts: per type, times the clock factor, or a fixed `lroDelayMs`), then its
// completion callback runs once. (The router holds polls until the operation
// ends, because core-lro ignores `Retry-After: 0` and would wait 2 s.) Completion is lazy: every request (and
// snapshot/getResource) settles what is due first, so there are no timers to
// leak and the order of effects is deterministic.
import { idKey } from "../../shared/model/resourceId.js";
import { newGuid, normalizeLocation } from "./ids.js";

export interface Operation {
  id: string;
  /** Resource the operation is working on (for 409 AnotherOperationInProgress). */
  resourceId: string;
  method: string;
  status: "InProgress" | "Succeeded" | "Failed";
  startTime: string;
  endTime?: string;
  doneAt: number;
  onDone?: () => void;
  /** Body the operationResults (Location) URL answers once done (PUT); DELETE answers 204. */
  result?: () => unknown;
  statusPath: string;
  resultPath: string;
  /** Set by fault injection: the operation ends Failed with this error. */
  failWith?: { code: string; message: string };
}

export interface StartOptions {
  resourceId: string;
  method: string;
  subscriptionId: string;
  namespace: string;
  location?: unknown;
  onDone?: () => void;
  result?: () => unknown;
  /** Overrides the duration the type would take (ms, already scaled). */
  durationMs?: number;
  /** Status and result paths, where the service has its own (Cosmos DB, SQL); default ARM's operationStatuses/operationResults. */
  paths?: (base: string, id: string) => { statusPath: string; resultPath: string };
}

/** How long an operation on this resource with this method takes, in ms. */
export type DurationOf = (resourceId: string, method: string) => number;

export class Operations {
  private readonly ops = new Map<string, Operation>();
  private readonly active = new Map<string, Operation>();
  private pending: Operation[] = [];

  constructor(private readonly durationOf: DurationOf) {}

  start(o: StartOptions): Operation {
    const id = newGuid();
    const base = `/subscriptions/${o.subscriptionId}/providers/${o.namespace}/locations/${normalizeLocation(o.location)}`;
    const op: Operation = {
      id,
      resourceId: o.resourceId,
      method: o.method,
      status: "InProgress",
      startTime: new Date().toISOString(),
      doneAt: Date.now() + (o.durationMs ?? this.durationOf(o.resourceId, o.method)),
      onDone: o.onDone,
      result: o.result,
      statusPath: `${base}/operationStatuses/${id}`,
      resultPath: `${base}/operationResults/${id}`,
      ...o.paths?.(base, id),
    };
    this.ops.set(id.toLowerCase(), op);
    this.active.set(idKey(o.resourceId), op);
    this.pending.push(op);
    return op;
  }

  /** Completes every operation whose time has come, oldest first. */
  settle(now = Date.now()): void {
    if (!this.pending.some((o) => o.doneAt <= now)) return;
    const due = this.pending.filter((o) => o.doneAt <= now).sort((a, b) => a.doneAt - b.doneAt);
    this.pending = this.pending.filter((o) => o.doneAt > now);
    for (const op of due) {
      if (this.active.get(idKey(op.resourceId)) === op) this.active.delete(idKey(op.resourceId));
      op.status = op.failWith ? "Failed" : "Succeeded";
      op.endTime = new Date().toISOString();
      op.onDone?.();
    }
  }

  clear(): void {
    this.ops.clear();
    this.active.clear();
    this.pending = [];
  }

  get(id: string): Operation | undefined {
    return this.ops.get(id.toLowerCase());
  }

  /** Makes the operation findable by another token too (Key Vault's kv-operation). */
  alias(token: string, op: Operation): void {
    this.ops.set(token.toLowerCase(), op);
  }

  /** The operation still running on this resource, if any. */
  busy(resourceId: string): Operation | undefined {
    return this.active.get(idKey(resourceId));
  }
}
