// The audit trail in Azure Table storage (the app's table; Azurite locally).
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
import { randomBytes } from "node:crypto";
import { odata, type TableClient, type TableEntityResult, type TransactionAction } from "@azure/data-tables";
import { deleteRowsIgnoringNotFound, ensureTable, isNotFound, pool, tableErrorCode, transactionBatches } from "../tables.js";
import type { AuditEntry, AuditLog, AuditQuery } from "./entries.js";
import { boundsOf, MAX_MS, MIN_MS, normalizeEntry, resourceKey } from "./validation.js";

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
  return isNotFound(e) && (tableErrorCode(e) === undefined || tableErrorCode(e) === "TableNotFound" || tableErrorCode(e) === "ResourceNotFound");
}

/** Exposed for tests and tooling: the keys an entry at `time` is stored under (without the batch suffix). */
export const auditKeys = { partitionKey: (time: Date) => dayPk(time.getTime()), rowKeyPrefix: (time: Date) => msKey(time.getTime()) };
