// The audit trail in process memory (tests, the sandbox, CLI runs without storage).
import type { AuditEntry, AuditLog, AuditQuery } from "./entries.js";
import { boundsOf, normalizeEntry, resourceKey } from "./validation.js";

interface MemoryRow {
  entry: AuditEntry;
  ms: number;
  batch: number;
  seq: number;
}

export interface MemoryAuditLogOptions {
  /** Most entries kept; the oldest written are dropped first (default 100,000). */
  maxEntries?: number;
}

/** In-process audit log (tests, the sandbox, CLI replays). */
export class MemoryAuditLog implements AuditLog {
  private rows: MemoryRow[] = [];
  private batches = 0;
  private readonly maxEntries: number;

  constructor(opts: MemoryAuditLogOptions = {}) {
    this.maxEntries = Math.max(1, opts.maxEntries ?? 100_000);
  }

  async record(entries: AuditEntry[]): Promise<void> {
    const normal = entries.map(normalizeEntry);
    const batch = ++this.batches;
    normal.forEach((entry, seq) => this.rows.push({ entry, ms: Date.parse(entry.time), batch, seq }));
    if (this.rows.length > this.maxEntries) this.rows = this.rows.slice(this.rows.length - this.maxEntries);
  }

  async query(q: AuditQuery = {}): Promise<AuditEntry[]> {
    const b = boundsOf(q);
    return this.rows
      .filter((r) => r.ms >= b.sinceMs && r.ms < b.untilMs)
      .filter((r) => b.resourceKey === undefined || resourceKey(r.entry.resource) === b.resourceKey)
      .filter((r) => b.actionKey === undefined || r.entry.action.toLowerCase() === b.actionKey)
      .sort((x, y) => y.ms - x.ms || y.batch - x.batch || x.seq - y.seq)
      .slice(0, b.limit)
      .map((r) => copy(r.entry));
  }

  /** Drops entries older than `before`; returns how many. */
  async purge(before: Date): Promise<number> {
    const n = this.rows.length;
    this.rows = this.rows.filter((r) => r.ms >= before.getTime());
    return n - this.rows.length;
  }
}

function copy(e: AuditEntry): AuditEntry {
  return { ...e, ...(e.ips ? { ips: [...e.ips] } : {}) };
}
