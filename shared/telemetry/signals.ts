// What the app reports through OpenTelemetry: one structured log record per decision
// (with the event's correlation id) and the counters below. Only the OpenTelemetry API
// here (small, in the main bundle); without a registered provider every call is a no-op.
// The Azure Monitor exporter is set up in azureMonitor.ts, loaded only when
// APPLICATIONINSIGHTS_CONNECTION_STRING is set.
import { metrics, type Attributes, type Counter, type Gauge, type Histogram, type MeterProvider } from "@opentelemetry/api";
import { logs, SeverityNumber } from "@opentelemetry/api-logs";
import type { Decision } from "../model/decision.js";

export const SCOPE = "privatelink-autopilot";

export const METRICS = {
  approvals: "autopilot.approvals",
  rejections: "autopilot.rejections",
  leavePending: "autopilot.leave_pending",
  dnsWrites: "autopilot.dns_writes",
  dnsConflicts: "autopilot.dns_conflicts",
  errors: "autopilot.errors",
  retries: "autopilot.retries",
  pendingWaiting: "autopilot.pending_waiting",
  sweepDurationMs: "autopilot.sweep_duration_ms",
} as const;

interface Instruments {
  provider: MeterProvider;
  counters: Record<"approvals" | "rejections" | "leavePending" | "dnsWrites" | "dnsConflicts" | "errors" | "retries", Counter>;
  pendingWaiting: Gauge;
  sweepDuration: Histogram;
}

let instruments: Instruments | undefined;

/** The instruments of the current global provider (a provider set later gets its own). */
function current(): Instruments {
  const provider = metrics.getMeterProvider();
  if (instruments?.provider === provider) return instruments;
  const meter = provider.getMeter(SCOPE);
  const counter = (name: string, description: string) => meter.createCounter(name, { description });
  instruments = {
    provider,
    counters: {
      approvals: counter(METRICS.approvals, "Connections approved (or planned, in dry-run)"),
      rejections: counter(METRICS.rejections, "Connections rejected or revoked (or planned, in dry-run)"),
      leavePending: counter(METRICS.leavePending, "Pending connections left for a human"),
      dnsWrites: counter(METRICS.dnsWrites, "DNS record sets created, updated, handed over or deleted"),
      dnsConflicts: counter(METRICS.dnsConflicts, "DNS names held by another endpoint"),
      errors: counter(METRICS.errors, "Decisions that failed"),
      retries: counter(METRICS.retries, "Decisions left for a retry (redelivery or the next sweep)"),
    },
    pendingWaiting: meter.createGauge(METRICS.pendingWaiting, { description: "Pending connections waiting for a human, as the last sweep saw them" }),
    sweepDuration: meter.createHistogram(METRICS.sweepDurationMs, { description: "Reconcile sweep duration", unit: "ms" }),
  };
  return instruments;
}

const TAKEN = new Set(["applied", "planned"]);

/** Which counter a decision moves, if any (besides errors and retries). */
function counterOf(d: Decision): keyof Instruments["counters"] | undefined {
  switch (d.action) {
    case "approve":
      return TAKEN.has(d.outcome) ? "approvals" : undefined;
    case "reject":
    case "revoke":
      return TAKEN.has(d.outcome) ? "rejections" : undefined;
    case "leave-pending":
      return "leavePending";
    case "dns-create":
    case "dns-update":
    case "dns-delete":
    case "dns-handover":
      return TAKEN.has(d.outcome) ? "dnsWrites" : undefined;
    case "dns-conflict":
      return "dnsConflicts";
    default:
      return undefined;
  }
}

export interface DecisionContext {
  /** `event`, `sweep`. */
  trigger: string;
  /** The ARM correlation id the event carried, or the sweep's run id. */
  correlationId?: string;
}

/** Counters and one structured log record per decision. */
export function recordDecisions(decisions: Decision[], ctx: DecisionContext): void {
  const { counters } = current();
  const logger = logs.getLogger(SCOPE);
  for (const d of decisions) {
    const attrs: Attributes = { "autopilot.action": d.action, "autopilot.outcome": d.outcome, "autopilot.trigger": ctx.trigger };
    if (d.rule) attrs["autopilot.rule"] = d.rule;
    const which = counterOf(d);
    if (which) counters[which].add(1, attrs);
    if (d.outcome === "failed" || d.action === "error") counters.errors.add(1, attrs);
    if (d.retryable) counters.retries.add(1, attrs);
    const failed = d.outcome === "failed" || d.action === "error";
    logger.emit({
      severityNumber: failed ? SeverityNumber.ERROR : SeverityNumber.INFO,
      severityText: failed ? "ERROR" : "INFO",
      body: `${d.action} ${d.resource}: ${d.reason} (${d.outcome})`,
      attributes: {
        ...attrs,
        "autopilot.event": d.event,
        "autopilot.resource": d.resource,
        "autopilot.reason": d.reason,
        ...(ctx.correlationId ? { "autopilot.correlation_id": ctx.correlationId } : {}),
        ...(d.dns?.zone
          ? { "autopilot.dns.zone": d.dns.zone, "autopilot.dns.record": d.dns.record ?? "", "autopilot.dns.ips": (d.dns.ips ?? []).join(",") }
          : {}),
        ...(d.error ? { "autopilot.error": d.error.slice(0, 2000) } : {}),
        ...(d.retryable ? { "autopilot.retryable": true } : {}),
      },
    });
  }
}

/** After a sweep: how long it took, and how many requests wait for a human. */
export function recordSweep(durationMs: number, decisions: Decision[], complete: boolean): void {
  const i = current();
  i.sweepDuration.record(durationMs, { "autopilot.complete": complete });
  // A complete sweep saw every pending request; a partial one would under-count.
  if (complete) i.pendingWaiting.record(decisions.filter((d) => d.action === "leave-pending").length);
}
