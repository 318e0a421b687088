// The audit trail's nouns: every Decision the app makes becomes an AuditEntry, kept
// in the app's own table (Azure Table storage; Azurite locally) so "what did the
// autopilot do to X, and why" can be answered later (`privatelink-autopilot audit`).
// Entries are written in batches (one per event or sweep) and read newest first.
import type { Decision } from "../../model/decision.js";

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

export interface AuditQuery {
  /** Inclusive lower bound on `time`. */
  since?: Date;
  /** Exclusive upper bound on `time`. */
  until?: Date;
  /** Exact resource id, case-insensitive (a trailing slash is ignored). */
  resource?: string;
  /** Exact action, case-insensitive. */
  action?: string;
  /** Most entries returned (default 1000); the newest are kept. */
  limit?: number;
}

export interface AuditLog {
  /** Writes a batch; entries of one batch with the same time are returned in batch order. */
  record(entries: AuditEntry[]): Promise<void>;
  /** Newest first (ties within one batch: batch order). */
  query(q: AuditQuery): Promise<AuditEntry[]>;
  /** Deletes entries older than `before` (the retention timer); returns how many. */
  purge(before: Date): Promise<number>;
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
