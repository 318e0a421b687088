// The event pipeline behind the Runtime's handleEvent and handleQueueMessage (runtime.ts),
// the one way in for the Functions, the queue triggers, `replay` and the sandbox webhook, so
// all behave the same. Only the Runtime calls handleRawEvent (ESLint); test/ and bench/
// drive it with a core and sinks of their own.
import { parseEvent } from "../events/index.js";
import { parseContinuation } from "../autopilot/continuations.js";
import type { Autopilot } from "../autopilot/autopilot.js";
import { decision, ignored, type Decision, type Logger } from "../model/decision.js";
import { RetryableError } from "../autopilot/errors.js";
import type { EventLedger } from "../store/eventLedger.js";
import type { IntentLog } from "../store/intents.js";
import { WriteJournal } from "../gateways/writeGate.js";
import { auditEntries, type AuditLog } from "../store/audit/index.js";
import { withBudget } from "../gateways/arm/timeouts.js";
import { recordDecisions } from "../telemetry/signals.js";

/** Time for one event's ARM work (the Functions timeout is 5 minutes); the audit write gets its own AUDIT_BUDGET_MS. */
export const EVENT_BUDGET_MS = 240_000;
const AUDIT_BUDGET_MS = 30_000;

export interface EventSinks {
  /** Recognises duplicate event ids before any ARM call; an id is recorded as done only after its work and audit rows committed. */
  ledger?: EventLedger;
  /** Every decision, taken or refused, lands here. */
  audit?: AuditLog;
  /**
   * Write-ahead intents (with `audit`): each ARM write records one first, resolved once the
   * audit rows are committed, so a redelivery audits a write whose answer or audit row was lost.
   */
  intents?: IntentLog;
  /** Time budget for the event's ARM and storage calls (default EVENT_BUDGET_MS): each call times out within it. */
  budgetMs?: number;
  /** The clock (tests). */
  now?: () => Date;
}

/** An event id held by this delivery: to complete or forget at the end. */
interface Held {
  id: string;
}

export async function handleRawEvent(raw: unknown, autopilot: Autopilot, log: Logger, sinks: EventSinks = {}): Promise<Decision[]> {
  const now = sinks.now ?? (() => new Date());
  const journal = sinks.audit && sinks.intents ? (id: string) => new WriteJournal(id, sinks.intents!, { now }) : undefined;
  const { decisions, correlationId, held, written } = await withBudget(sinks.budgetMs ?? EVENT_BUDGET_MS, () =>
    decide(raw, autopilot, log, now, sinks.ledger, journal),
  );
  recordDecisions(decisions, { trigger: "event", correlationId });
  const ledger = sinks.ledger;
  const release = async () => {
    if (!ledger || !held) return;
    // Best effort: if this fails too, the claim's lease runs out and a later redelivery takes the id over.
    await ledger
      .forget(held.id)
      .catch((e) => log.warn(`event ${held.id}: could not release the ledger entry (${(e as Error).message}); its lease will expire`));
  };
  if (sinks.audit) {
    const audit = sinks.audit;
    try {
      await withBudget(AUDIT_BUDGET_MS, () => audit.record(auditEntries(decisions, { trigger: decisions[0]?.event ?? "(no id)", correlationId })));
    } catch (e) {
      // No decision goes unaudited: fail the invocation so the (idempotent) redelivery records it.
      await release();
      throw new Error(`audit trail write failed: ${(e as Error).message}`, { cause: e });
    }
    // Audited: resolve the write intents (if this fails, a redelivery finds the writes done and audits them again).
    await written?.commit().catch((e) => log.warn(`event ${held?.id ?? ""}: resolving write intents failed (${(e as Error).message})`));
  }
  if (ledger && held) {
    // Done only now that the work and its audit rows are committed; a retryable outcome is handled again.
    if (decisions.some((d) => d.retryable)) await release();
    else await withBudget(AUDIT_BUDGET_MS, () => ledger.complete(held.id, now()));
  }
  return decisions;
}

/** The decisions for one raw event, the ARM correlation id it carried (for the audit trail), and the ledger id it holds. */
async function decide(
  raw: unknown,
  autopilot: Autopilot,
  log: Logger,
  now: () => Date,
  ledger?: EventLedger,
  journal?: (eventId: string) => WriteJournal,
): Promise<{ decisions: Decision[]; correlationId?: string; held?: Held; written?: WriteJournal }> {
  // The app's own continuations (DNS after a slow approval) share the queue with the events.
  const cont = parseContinuation(raw);
  if (cont && "error" in cont) {
    log.error(`malformed continuation: ${forLog(cont.error)}; payload: ${forLog(boundedStringify(raw, 4000), 4000)}`);
    return { decisions: [decision({ event: "(continuation)", action: "error", resource: "", reason: `malformed continuation: ${cont.error}` }, "failed")] };
  }
  if (cont) {
    return claimed({ id: cont.id, resource: cont.connectionId, now, log, autopilot, ledger, journal }, () => autopilot.handleContinuation(cont));
  }
  const parsed = parseEvent(raw);
  if (parsed.outcome === "invalid") {
    // Nothing to retry: say exactly what is wrong and keep the payload in the log.
    log.error(`malformed event ${forLog(parsed.id ?? "(no id)")}: ${forLog(parsed.error)}; payload: ${forLog(boundedStringify(raw, 4000), 4000)}`);
    return { decisions: [decision({ event: parsed.id ?? "(no id)", action: "error", resource: "", reason: `malformed event: ${parsed.error}` }, "failed")] };
  }
  if (parsed.outcome === "ignored") {
    log.debug(`ignored event ${forLog(parsed.id ?? "")} (${forLog(parsed.eventType ?? "?")}): ${forLog(parsed.reason)}`);
    return { decisions: [ignored(parsed.id ?? "(no id)", "", parsed.reason)] };
  }
  const ev = parsed.event;
  log.debug(forLog(`event ${ev.id} ${ev.eventType} ${ev.operationName ?? ""} on ${ev.resourceId}`));
  return claimed({ id: ev.id, resource: ev.resourceId, correlationId: ev.correlationId, now, log, autopilot, ledger, journal }, () =>
    autopilot.handleEvent(ev),
  );
}

interface Delivery {
  id: string;
  resource: string;
  correlationId?: string;
  now: () => Date;
  log: Logger;
  autopilot: Autopilot;
  ledger?: EventLedger;
  journal?: (eventId: string) => WriteJournal;
}

/** Runs `work` for a delivery whose id the ledger lets through (a duplicate is recognised before any ARM call). */
async function claimed(
  delivery: Delivery,
  work: () => Promise<Decision[]>,
): Promise<{ decisions: Decision[]; correlationId?: string; held?: Held; written?: WriteJournal }> {
  const { id, resource, correlationId, now, log, autopilot, ledger, journal } = delivery;
  // At-least-once delivery: a duplicate id is recognised before any ARM call.
  const claim = ledger ? await ledger.claim(id, now()) : "new";
  if (claim === "done") {
    log.debug(`duplicate event ${forLog(id)}: already handled`);
    return { decisions: [ignored(id, resource, "duplicate event (same id already handled)")], correlationId };
  }
  if (claim === "running") {
    // Not acknowledged: the other delivery may still fail or die; Event Grid retries this one later.
    log.info(`event ${forLog(id)}: another delivery of it is still being handled; left for redelivery`);
    const reason = "another delivery of this event is still being handled: retry later";
    return { decisions: [decision({ event: id, action: "ignore", resource, reason }, "skipped", { retryable: true })], correlationId };
  }
  const held = ledger ? { id } : undefined;
  const written = journal?.(id);
  try {
    const all = async () => {
      const out = await work();
      // An earlier delivery's writes whose answer or audit row was lost, found done in ARM.
      out.push(...(await autopilot.recoverLostWrites(id)));
      return out;
    };
    const decisions = written ? await written.run(all) : await all();
    for (const d of decisions) logDecision(log, d, resource);
    return { decisions, correlationId, held, written };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    log.error(forLog(`event ${id} failed on ${resource}: ${msg}`));
    const reason = e instanceof RetryableError ? e.message : "reading or writing ARM failed";
    return { decisions: [decision({ event: id, action: "error", resource, reason }, "failed", { error: msg, retryable: true })], correlationId, held };
  }
}

/** One log line per decision, saying why; routine non-actions at debug level. */
export function logDecision(log: Logger, d: Decision, fallbackResource = ""): void {
  const dns = d.dns ? ` [${d.dns.record ?? ""}.${d.dns.zone ?? ""} -> ${(d.dns.ips ?? []).join(",")}]` : "";
  const line = `${d.action} ${d.resource || fallbackResource}: ${d.reason}${d.rule ? ` [rule ${d.rule}]` : ""}${dns} (${d.outcome})`;
  if (d.outcome === "failed") log.error(forLog(line + (d.error ? `: ${d.error}` : "")));
  else if (d.action === "ignore" || d.action === "leave-pending" || d.action === "dns-skip") log.debug(forLog(line));
  else log.info(forLog(line));
}

/**
 * A log line from untrusted text: CR, LF and other control characters escaped (one
 * event, one line: nothing can forge a second line), cut to `max` characters.
 */
export function forLog(s: string, max = 2000): string {
  const cut = s.length > max ? `${s.slice(0, max)}… (${s.length} characters)` : s;
  // eslint-disable-next-line no-control-regex -- escaping control characters is the point
  return cut.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) =>
    c === "\n" ? "\\n" : c === "\r" ? "\\r" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** JSON of a payload, cut to `max` characters (long strings in it are cut before serialising). */
function boundedStringify(v: unknown, max: number): string {
  try {
    return (JSON.stringify(v, (_k, x) => (typeof x === "string" && x.length > max ? `${x.slice(0, max)}…` : x)) ?? String(v)).slice(0, max);
  } catch {
    return String(v).slice(0, max);
  }
}
