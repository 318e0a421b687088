// The one entry point for a raw event, shared by the Function, `replay` and the
// sandbox webhook, so all three behave the same.
import { parseEvent } from "../events/index.js";
import type { Autopilot } from "../core/autopilot.js";
import type { Decision, Logger } from "../core/decision.js";
import { RetryableError } from "../core/errors.js";
import type { EventLedger } from "../store/eventLedger.js";
import { auditEntries, type AuditLog } from "../audit/auditLog.js";
import { withBudget } from "../arm/timeouts.js";

/** Time for one event's ARM work (the Functions timeout is 5 minutes); the audit write gets its own AUDIT_BUDGET_MS. */
export const EVENT_BUDGET_MS = 240_000;
const AUDIT_BUDGET_MS = 30_000;

export interface EventSinks {
  /** Recognises duplicate event ids before any ARM call. */
  ledger?: EventLedger;
  /** Every decision, taken or refused, lands here. */
  audit?: AuditLog;
  /** Time budget for the event's ARM and storage calls (default EVENT_BUDGET_MS): each call times out within it. */
  budgetMs?: number;
}

export async function handleRawEvent(raw: unknown, autopilot: Autopilot, log: Logger, sinks: EventSinks = {}): Promise<Decision[]> {
  const { decisions, correlationId } = await withBudget(sinks.budgetMs ?? EVENT_BUDGET_MS, () => decide(raw, autopilot, log, sinks.ledger));
  if (sinks.audit) {
    const audit = sinks.audit;
    try {
      await withBudget(AUDIT_BUDGET_MS, () => audit.record(auditEntries(decisions, { trigger: decisions[0]?.event ?? "(no id)", correlationId })));
    } catch (e) {
      // No decision goes unaudited: fail the invocation so the (idempotent) redelivery records it.
      const id = decisions[0]?.event;
      if (sinks.ledger && id) await sinks.ledger.forget(id);
      throw new Error(`audit trail write failed: ${(e as Error).message}`);
    }
  }
  return decisions;
}

/** The decisions for one raw event, and the ARM correlation id it carried (for the audit trail). */
async function decide(raw: unknown, autopilot: Autopilot, log: Logger, ledger?: EventLedger): Promise<{ decisions: Decision[]; correlationId?: string }> {
  const parsed = parseEvent(raw);
  if (parsed.outcome === "invalid") {
    // Nothing to retry: say exactly what is wrong and keep the payload in the log.
    log.error(`malformed event ${parsed.id ?? "(no id)"}: ${parsed.error}; payload: ${truncate(safeStringify(raw), 4000)}`);
    return { decisions: [{ event: parsed.id ?? "(no id)", action: "error", resource: "", reason: `malformed event: ${parsed.error}`, outcome: "failed" }] };
  }
  if (parsed.outcome === "ignored") {
    log.debug(`ignored event ${parsed.id ?? ""} (${parsed.eventType ?? "?"}): ${parsed.reason}`);
    return { decisions: [{ event: parsed.id ?? "(no id)", action: "ignore", resource: "", reason: parsed.reason, outcome: "skipped" }] };
  }
  const ev = parsed.event;
  const correlationId = ev.correlationId;
  log.debug(`event ${ev.id} ${ev.eventType} ${ev.operationName ?? ""} on ${ev.resourceId}`);
  // At-least-once delivery: a duplicate id is recognised before any ARM call.
  if (ledger && !(await ledger.firstTime(ev.id, new Date()))) {
    log.debug(`duplicate event ${ev.id}: already handled`);
    return { decisions: [{ event: ev.id, action: "ignore", resource: ev.resourceId, reason: "duplicate event (same id already handled)", outcome: "skipped" }], correlationId };
  }
  try {
    const decisions = await autopilot.handleEvent(ev);
    for (const d of decisions) logDecision(log, d, ev.resourceId);
    // A redelivery must be handled again, not taken for a duplicate.
    if (ledger && decisions.some((d) => d.retryable)) await ledger.forget(ev.id);
    return { decisions, correlationId };
  } catch (e) {
    if (ledger) await ledger.forget(ev.id);
    const msg = e instanceof Error ? e.message : String(e);
    log.error(`event ${ev.id} failed on ${ev.resourceId}: ${msg}`);
    const reason = e instanceof RetryableError ? e.message : "reading or writing ARM failed";
    return { decisions: [{ event: ev.id, action: "error", resource: ev.resourceId, reason, outcome: "failed", error: msg, retryable: true }], correlationId };
  }
}

/** One log line per decision, saying why; routine non-actions at debug level. */
export function logDecision(log: Logger, d: Decision, fallbackResource = ""): void {
  const dns = d.dns ? ` [${d.dns.record ?? ""}.${d.dns.zone ?? ""} -> ${(d.dns.ips ?? []).join(",")}]` : "";
  const line = `${d.action} ${d.resource || fallbackResource}: ${d.reason}${d.rule ? ` [rule ${d.rule}]` : ""}${dns} (${d.outcome})`;
  if (d.outcome === "failed") log.error(line + (d.error ? `: ${d.error}` : ""));
  else if (d.action === "ignore" || d.action === "leave-pending" || d.action === "dns-skip") log.debug(line);
  else log.info(line);
}

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
