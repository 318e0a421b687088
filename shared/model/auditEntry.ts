// The audit trail's noun: every Decision the app makes becomes an AuditEntry (pure; the
// stores that keep them are shared/store/audit/).
import type { Decision } from "./decision.js";

export interface AuditEntry {
  /** ISO time, when decided. */
  time: string;
  /** Event id, or "sweep:<run id>", or "explain". */
  trigger: string;
  /** The event's correlationId, or the sweep run id. */
  correlationId?: string;
  resource: string;
  /** Decision.action */
  action: string;
  rule?: string;
  reason: string;
  /** applied | planned | skipped | failed */
  outcome: string;
  error?: string;
  zone?: string;
  record?: string;
  ips?: string[];
}

/** One entry per decision, in order; `ctx.time` defaults to now. */
export function auditEntries(decisions: Decision[], ctx: { trigger: string; correlationId?: string; time?: Date }): AuditEntry[] {
  const time = (ctx.time ?? new Date()).toISOString();
  return decisions.map((d) => {
    const e: AuditEntry = { time, trigger: ctx.trigger || d.event, resource: d.resource, action: d.action, reason: d.reason, outcome: d.outcome };
    if (ctx.correlationId) e.correlationId = ctx.correlationId;
    if (d.rule) e.rule = d.rule;
    if (d.error) e.error = d.error;
    if (d.dns?.zone) e.zone = d.dns.zone;
    if (d.dns?.record) e.record = d.dns.record;
    if (d.dns?.ips?.length) e.ips = [...d.dns.ips];
    return e;
  });
}
