// The audit trail's store interface: every Decision the app makes becomes an AuditEntry
// (shared/model/auditEntry.ts), kept in the app's own table (Azure Table storage; Azurite
// locally) so "what did the autopilot do to X, and why" can be answered later
// (`privatelink-autopilot audit`).
// Entries are written in batches (one per event or sweep) and read newest first.
import type { AuditEntry } from "../../model/auditEntry.js";

// The store's surface names the entry and its builder too (one import for its users).
export { auditEntries, type AuditEntry } from "../../model/auditEntry.js";

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
