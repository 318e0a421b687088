// The audit trail: every Decision the app makes, kept in the app's own table
// (Azure Table storage; Azurite locally) so "what did the autopilot do to X, and
// why" can be answered later (`privatelink-autopilot audit`).
//
// Entries are written in batches (one per event or sweep) and read newest first.
// Both implementations normalise entries the same way (`normalizeEntry`): long
// texts are cut to fit Table property limits and end in "…".
import { randomBytes } from "node:crypto";
import { odata, type TableClient, type TableEntityResult, type TransactionAction } from "@azure/data-tables";
import { idKey } from "../model/resourceId.js";
import type { Decision } from "../model/decision.js";
import { deleteRowsIgnoringNotFound, ensureTable, pool, statusOf, tableErrorCode, transactionBatches } from "../store/tables.js";

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
}

export class InvalidAuditEntryError extends Error {}
export class InvalidAuditQueryError extends Error {}

export const DEFAULT_AUDIT_LIMIT = 1000;

/** reason / error are cut to this many characters (the last one being "…"). */
export const MAX_TEXT_CHARS = 8000;
/** Every other string property. */
export const MAX_FIELD_CHARS = 4096;
/** The JSON of `ips` stays below this; further addresses are dropped. */
export const MAX_IPS_JSON_CHARS = 16_000;

/** Earliest and latest storable times (the keys hold ms since 1970 and an 8-digit day). */
const MIN_MS = 0;
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

// ---------------------------------------------------------------------------
// Mapping decisions.

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

// ---------------------------------------------------------------------------
// Normalisation shared by both implementations.

/** Cuts `s` to at most `max` characters, ending in "…" when cut (never splitting a surrogate pair). */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = s.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut + "…";
}

function timeMs(entry: AuditEntry): number {
  const ms = typeof entry?.time === "string" ? Date.parse(entry.time) : NaN;
  if (Number.isNaN(ms)) throw new InvalidAuditEntryError(`audit entry: time must be an ISO date-time, not ${JSON.stringify(entry?.time)}`);
  if (ms < MIN_MS || ms > MAX_MS) throw new InvalidAuditEntryError(`audit entry: time ${entry.time} is outside 1970-9999`);
  return ms;
}

/** A plain copy with exactly the interface's fields, cut to the storable sizes; `time` as a canonical ISO string. */
export function normalizeEntry(entry: AuditEntry): AuditEntry {
  const ms = timeMs(entry);
  for (const f of ["trigger", "resource", "action", "reason", "outcome"] as const) {
    if (typeof entry[f] !== "string") throw new InvalidAuditEntryError(`audit entry: ${f} must be a string`);
  }
  for (const f of ["correlationId", "rule", "error", "zone", "record"] as const) {
    if (entry[f] !== undefined && typeof entry[f] !== "string") throw new InvalidAuditEntryError(`audit entry: ${f} must be a string when given`);
  }
  if (entry.ips !== undefined && (!Array.isArray(entry.ips) || entry.ips.some((ip) => typeof ip !== "string"))) {
    throw new InvalidAuditEntryError("audit entry: ips must be an array of strings when given");
  }
  const out: AuditEntry = {
    time: new Date(ms).toISOString(),
    trigger: truncate(entry.trigger, MAX_FIELD_CHARS),
    resource: truncate(entry.resource, MAX_FIELD_CHARS),
    action: truncate(entry.action, MAX_FIELD_CHARS),
    reason: truncate(entry.reason, MAX_TEXT_CHARS),
    outcome: truncate(entry.outcome, MAX_FIELD_CHARS),
  };
  if (entry.correlationId !== undefined) out.correlationId = truncate(entry.correlationId, MAX_FIELD_CHARS);
  if (entry.rule !== undefined) out.rule = truncate(entry.rule, MAX_FIELD_CHARS);
  if (entry.error !== undefined) out.error = truncate(entry.error, MAX_TEXT_CHARS);
  if (entry.zone !== undefined) out.zone = truncate(entry.zone, MAX_FIELD_CHARS);
  if (entry.record !== undefined) out.record = truncate(entry.record, MAX_FIELD_CHARS);
  if (entry.ips !== undefined) out.ips = fitIps(entry.ips);
  return out;
}

function fitIps(ips: string[]): string[] {
  const out: string[] = [];
  let len = 2;
  for (const ip of ips) {
    const v = truncate(ip, 256);
    len += JSON.stringify(v).length + 1;
    if (len > MAX_IPS_JSON_CHARS) break;
    out.push(v);
  }
  return out;
}

interface Bounds {
  sinceMs: number;
  /** Exclusive. */
  untilMs: number;
  resourceKey?: string;
  actionKey?: string;
  limit: number;
}

function boundsOf(q: AuditQuery = {}): Bounds {
  for (const f of ["since", "until"] as const) {
    const d = q[f];
    if (d !== undefined && (!(d instanceof Date) || Number.isNaN(d.getTime()))) throw new InvalidAuditQueryError(`audit query: ${f} must be a valid Date`);
  }
  const limit = q.limit ?? DEFAULT_AUDIT_LIMIT;
  if (!Number.isInteger(limit) || limit < 0) throw new InvalidAuditQueryError(`audit query: limit must be a whole number >= 0, not ${q.limit}`);
  if (q.resource !== undefined && typeof q.resource !== "string") throw new InvalidAuditQueryError("audit query: resource must be a string");
  if (q.action !== undefined && typeof q.action !== "string") throw new InvalidAuditQueryError("audit query: action must be a string");
  return {
    sinceMs: Math.max(MIN_MS, q.since?.getTime() ?? MIN_MS),
    untilMs: Math.min(MAX_MS + 1, q.until?.getTime() ?? MAX_MS + 1),
    resourceKey: q.resource !== undefined ? resourceKey(q.resource) : undefined,
    actionKey: q.action !== undefined ? q.action.toLowerCase() : undefined,
    limit,
  };
}

/** Stored, case-folded copy the resource filter compares with (cut like the resource itself). */
function resourceKey(resource: string): string {
  return idKey(truncate(resource, MAX_FIELD_CHARS));
}

// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Azure Table storage.
//
// Layout (shares the app table `privatelinkautopilot` with the ownership index
// ("ep-…", "zone-…", "zone-markers"), the marks ("marks") and the event ledger
// ("ledger-…"); every audit PartitionKey starts with "audit-", which none of
// those do):
//
//   PartitionKey  "audit-" + (99999999 - yyyymmdd)      UTC day of `time`, inverted
//   RowKey        (999999999999999 - ms) 15 digits      `time` in ms, inverted
//                 + "-" + 12 random hex (the batch) + "-" + 8-digit index in the batch
//   properties    time (ISO string), trigger, correlationId?, resource, action, rule?,
//                 reason, outcome, error?, zone?, record?, ips? (JSON array),
//                 resourceKey (lower case, no trailing slash), actionKey (lower case)
//
// Why inverted: the service returns entities sorted by PartitionKey then RowKey,
// so ONE range query over the audit partitions yields the newest entries first
// across days, and a `limit` stops reading early; `since`/`until` become key
// ranges (PartitionKey by day, RowKey by ms), never a scan of older days. A day
// per partition keeps batches (one partition each) natural and lets old days be
// purged partition by partition. resource/action filters run server-side on the
// lower-cased copies. Entries never collide: the random batch id separates
// batches written in the same millisecond (their relative order is then
// arbitrary), the index keeps a batch's order.
//
// Writes: upserts (idempotent if the SDK retries a transaction that did go
// through), grouped per partition in transactions of at most 100 operations and
// ~2 MiB (the service's cap is 4 MiB); texts are cut (normalizeEntry), so an
// entity stays far below the 1 MiB / 252 properties / 32K-character limits.

const PK_PREFIX = "audit-";
/** First PartitionKey after every audit partition ("." follows "-"). */
const PK_END = "audit.";
/** Larger than any storable ms (year 9999 is ~2.5e14) and a safe integer, so the arithmetic is exact. */
const INV_MS = 999_999_999_999_999;

function dayPk(ms: number): string {
  const d = new Date(ms);
  const yyyymmdd = d.getUTCFullYear() * 10_000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
  return PK_PREFIX + String(99_999_999 - yyyymmdd).padStart(8, "0");
}

function msKey(ms: number): string {
  return String(INV_MS - ms).padStart(15, "0");
}

interface AuditProps {
  time: string;
  trigger: string;
  correlationId?: string;
  resource: string;
  resourceKey: string;
  action: string;
  actionKey: string;
  rule?: string;
  reason: string;
  outcome: string;
  error?: string;
  zone?: string;
  record?: string;
  ips?: string;
}

export interface TableAuditLogOptions {
  /** Parallel transactions in `record` / deletes in `purge` (default 4). */
  concurrency?: number;
}

export class TableAuditLog implements AuditLog {
  private readonly concurrency: number;

  /** The table is created on the first write; queries on a missing table answer []. */
  constructor(
    private readonly client: TableClient,
    opts: TableAuditLogOptions = {},
  ) {
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
  }

  async record(entries: AuditEntry[]): Promise<void> {
    const normal = entries.map(normalizeEntry);
    if (normal.length === 0) return;
    await ensureTable(this.client);
    const batch = randomBytes(6).toString("hex");
    const actions: TransactionAction[] = normal.map((e, seq) => {
      const ms = Date.parse(e.time);
      return ["upsert", { partitionKey: dayPk(ms), rowKey: `${msKey(ms)}-${batch}-${String(seq).padStart(8, "0")}`, ...toProps(e) }, "Replace"];
    });
    await pool(transactionBatches(actions), this.concurrency, async (b) => {
      if (b.length === 1) await this.client.upsertEntity(b[0]![1], "Replace");
      else await this.client.submitTransaction(b);
    });
  }

  async query(q: AuditQuery = {}): Promise<AuditEntry[]> {
    const b = boundsOf(q);
    if (b.limit === 0 || b.sinceMs >= b.untilMs) return [];
    const newest = b.untilMs - 1;
    const parts = [
      odata`PartitionKey ge ${dayPk(newest)}`,
      odata`PartitionKey le ${dayPk(b.sinceMs)}`,
      odata`RowKey ge ${msKey(newest)}`,
      odata`RowKey lt ${msKey(b.sinceMs) + "~"}`,
    ];
    if (b.resourceKey !== undefined) parts.push(odata`resourceKey eq ${b.resourceKey}`);
    if (b.actionKey !== undefined) parts.push(odata`actionKey eq ${b.actionKey}`);
    const out: AuditEntry[] = [];
    try {
      const pages = this.client.listEntities<AuditProps>({ queryOptions: { filter: parts.join(" and ") } }).byPage({ maxPageSize: Math.min(b.limit, 1000) });
      for await (const page of pages) {
        for (const e of page) {
          const entry = fromEntity(e);
          if (entry) out.push(entry);
          if (out.length >= b.limit) return out;
        }
      }
    } catch (e) {
      if (isTableMissing(e)) return [];
      throw e;
    }
    return out;
  }

  /** Deletes entries older than `before` (for a retention timer); returns how many. */
  async purge(before: Date): Promise<number> {
    const ms = Math.min(MAX_MS + 1, before.getTime());
    if (!(ms > MIN_MS)) return 0;
    const filter = [odata`PartitionKey ge ${dayPk(ms - 1)}`, odata`PartitionKey lt ${PK_END}`, odata`RowKey ge ${msKey(ms - 1)}`].join(" and ");
    const rows: { partitionKey: string; rowKey: string }[] = [];
    try {
      for await (const e of this.client.listEntities({ queryOptions: { filter, select: ["PartitionKey", "RowKey"] } })) {
        rows.push({ partitionKey: e.partitionKey!, rowKey: e.rowKey! });
      }
    } catch (e) {
      if (isTableMissing(e)) return 0;
      throw e;
    }
    await deleteRowsIgnoringNotFound(this.client, rows, this.concurrency);
    const n = rows.length;
    return n;
  }
}

function toProps(e: AuditEntry): AuditProps {
  const p: AuditProps = {
    time: e.time,
    trigger: e.trigger,
    resource: e.resource,
    resourceKey: resourceKey(e.resource),
    action: e.action,
    actionKey: e.action.toLowerCase(),
    reason: e.reason,
    outcome: e.outcome,
  };
  if (e.correlationId !== undefined) p.correlationId = e.correlationId;
  if (e.rule !== undefined) p.rule = e.rule;
  if (e.error !== undefined) p.error = e.error;
  if (e.zone !== undefined) p.zone = e.zone;
  if (e.record !== undefined) p.record = e.record;
  if (e.ips !== undefined) p.ips = JSON.stringify(e.ips);
  return p;
}

function fromEntity(e: TableEntityResult<AuditProps>): AuditEntry | undefined {
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const time = e.time as unknown;
  const iso = time instanceof Date ? time.toISOString() : str(time);
  if (!iso || typeof e.resource !== "string" || typeof e.action !== "string") return undefined;
  const out: AuditEntry = {
    time: iso,
    trigger: str(e.trigger) ?? "",
    resource: e.resource,
    action: e.action,
    reason: str(e.reason) ?? "",
    outcome: str(e.outcome) ?? "",
  };
  if (str(e.correlationId) !== undefined) out.correlationId = e.correlationId;
  if (str(e.rule) !== undefined) out.rule = e.rule;
  if (str(e.error) !== undefined) out.error = e.error;
  if (str(e.zone) !== undefined) out.zone = e.zone;
  if (str(e.record) !== undefined) out.record = e.record;
  if (str(e.ips) !== undefined) {
    try {
      const ips: unknown = JSON.parse(e.ips!);
      if (Array.isArray(ips)) out.ips = ips.filter((ip): ip is string => typeof ip === "string");
    } catch {
      /* not ours: leave ips out */
    }
  }
  return out;
}

function isTableMissing(e: unknown): boolean {
  return statusOf(e) === 404 && (tableErrorCode(e) === undefined || tableErrorCode(e) === "TableNotFound" || tableErrorCode(e) === "ResourceNotFound");
}

/** Exposed for tests and tooling: the keys an entry at `time` is stored under (without the batch suffix). */
export const auditKeys = { partitionKey: (time: Date) => dayPk(time.getTime()), rowKeyPrefix: (time: Date) => msKey(time.getTime()) };
