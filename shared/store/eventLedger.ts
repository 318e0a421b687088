// The event ledger: duplicate-event detection. Event Grid delivers at least once
// and retries for up to 24 hours, so the same event id can arrive again, on any
// instance. The handler asks `firstTime(id)` before acting: true means "new,
// handle it" (and the id is now remembered); false means "seen recently, skip".
// If handling fails, `forget(id)` so the redelivery is handled.
//
// Event ids are compared exactly (case-sensitive), as Event Grid redelivers
// the id unchanged.
import { createHash } from "node:crypto";
import { odata, type TableClient } from "@azure/data-tables";
import { ensureTable, isNotFound, statusOf } from "./tables.js";

export interface EventLedger {
  /**
   * True the first time this event id is seen (recently) — it is remembered from
   * now on; false if it was already handled within the retention window.
   * Atomic across instances (create-if-absent): of several callers racing on one
   * id, exactly one gets true.
   */
  firstTime(eventId: string, now: Date): Promise<boolean>;
  /** Forget an id (when handling it failed, so the redelivery is handled). Idempotent. */
  forget(eventId: string): Promise<void>;
}

export class InvalidEventIdError extends Error {}

export const DEFAULT_LEDGER_RETENTION_HOURS = 48;
export const DEFAULT_MEMORY_LEDGER_SIZE = 10_000;

function checkId(eventId: string): void {
  if (typeof eventId !== "string" || eventId.length === 0) throw new InvalidEventIdError("event id must be a non-empty string");
}

function checkNow(now: Date): number {
  const ms = now instanceof Date ? now.getTime() : NaN;
  if (Number.isNaN(ms)) throw new TypeError("firstTime: now must be a valid Date");
  return ms;
}

function retentionMs(hours: number | undefined): number {
  const h = hours ?? DEFAULT_LEDGER_RETENTION_HOURS;
  if (!(h > 0) || !Number.isFinite(h)) throw new RangeError(`retentionHours must be a positive number, not ${hours}`);
  return h * 3_600_000;
}

/** Seen within the window: not older than the retention (a time in the future — clock skew — counts as recent). */
function recent(seenMs: number, nowMs: number, retention: number): boolean {
  return nowMs - seenMs <= retention;
}

// ---------------------------------------------------------------------------

export interface MemoryEventLedgerOptions {
  /** Ids kept; the least recently remembered are forgotten first (default 10,000). */
  maxEntries?: number;
  retentionHours?: number;
}

/** In-process ledger (one instance; the CLI, the sandbox, tests). */
export class MemoryEventLedger implements EventLedger {
  /** id → when remembered (ms); Map order = remembering order. */
  private readonly seen = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly retention: number;

  constructor(opts: MemoryEventLedgerOptions = {}) {
    this.maxEntries = Math.max(1, opts.maxEntries ?? DEFAULT_MEMORY_LEDGER_SIZE);
    this.retention = retentionMs(opts.retentionHours);
  }

  async firstTime(eventId: string, now: Date): Promise<boolean> {
    checkId(eventId);
    const nowMs = checkNow(now);
    const at = this.seen.get(eventId);
    if (at !== undefined && recent(at, nowMs, this.retention)) return false;
    this.seen.delete(eventId);
    this.seen.set(eventId, nowMs);
    while (this.seen.size > this.maxEntries) this.seen.delete(this.seen.keys().next().value!);
    return true;
  }

  async forget(eventId: string): Promise<void> {
    checkId(eventId);
    this.seen.delete(eventId);
  }

  get size(): number {
    return this.seen.size;
  }
}

// ---------------------------------------------------------------------------
// Azure Table storage.
//
// Layout (in the app table, next to "ep-…", "zone-…", "zone-markers", "marks"
// and "audit-…"):
//   PartitionKey  "ledger-" + first 2 hex digits of sha256(event id)   (256 partitions)
//   RowKey        sha256(event id) hex
//   properties    eventId (cut to 1,024 characters), handledAt (Edm.DateTime)
//
// firstTime = createEntity (1 call). A 409 means the id is known: read it; if it
// is within the retention it is a duplicate (false); if it is older, take it over
// with an ETag-conditional replace, so of several instances racing on an expired
// id exactly one wins (the others get 412 → false). An id deleted between the
// calls (forget) is retried from the create.
//
// Old rows are harmless (expired ones count as new) but accumulate; `purge(now)`
// deletes the expired ones (for a timer, e.g. with the reconcile sweep).

const PK_PREFIX = "ledger-";
const PK_END = "ledger.";

const sha = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

function keysOf(eventId: string): { partitionKey: string; rowKey: string } {
  const h = sha(eventId);
  return { partitionKey: PK_PREFIX + h.slice(0, 2), rowKey: h };
}

interface LedgerProps {
  eventId: string;
  handledAt: Date;
}

export interface TableEventLedgerOptions {
  retentionHours?: number;
}

export class TableEventLedger implements EventLedger {
  private readonly retention: number;

  /** The table is created on first use (idempotent). */
  constructor(
    private readonly client: TableClient,
    opts: TableEventLedgerOptions = {},
  ) {
    this.retention = retentionMs(opts.retentionHours);
  }

  async firstTime(eventId: string, now: Date): Promise<boolean> {
    checkId(eventId);
    const nowMs = checkNow(now);
    await ensureTable(this.client);
    const keys = keysOf(eventId);
    const entity = { ...keys, eventId: eventId.slice(0, 1024), handledAt: new Date(nowMs) };
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await this.client.createEntity<LedgerProps>(entity);
        return true;
      } catch (e) {
        if (statusOf(e) !== 409) throw e;
      }
      let existing;
      try {
        existing = await this.client.getEntity<LedgerProps>(keys.partitionKey, keys.rowKey);
      } catch (e) {
        if (isNotFound(e)) continue; // forgotten meanwhile: create again
        throw e;
      }
      const at = dateOf(existing.handledAt);
      if (at !== undefined && recent(at, nowMs, this.retention)) return false;
      try {
        await this.client.updateEntity<LedgerProps>(entity, "Replace", { etag: existing.etag });
        return true;
      } catch (e) {
        if (statusOf(e) === 412) return false; // another instance took it over first
        if (isNotFound(e)) continue;
        throw e;
      }
    }
    throw new Error(`event ledger: could not settle event ${eventId} (kept changing under us)`);
  }

  async forget(eventId: string): Promise<void> {
    checkId(eventId);
    await ensureTable(this.client);
    const { partitionKey, rowKey } = keysOf(eventId);
    try {
      await this.client.deleteEntity(partitionKey, rowKey);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Deletes the entries that have expired at `now`; returns how many. A row renewed meanwhile is kept (ETag). */
  async purge(now: Date): Promise<number> {
    const cutoff = new Date(checkNow(now) - this.retention);
    await ensureTable(this.client);
    const filter = [odata`PartitionKey ge ${PK_PREFIX}`, odata`PartitionKey lt ${PK_END}`, odata`handledAt lt ${cutoff}`].join(" and ");
    const rows: { pk: string; rk: string; etag: string }[] = [];
    for await (const e of this.client.listEntities({ queryOptions: { filter, select: ["PartitionKey", "RowKey"] } })) {
      rows.push({ pk: e.partitionKey!, rk: e.rowKey!, etag: e.etag });
    }
    let n = 0;
    let next = 0;
    const worker = async () => {
      while (next < rows.length) {
        const r = rows[next++]!;
        try {
          await this.client.deleteEntity(r.pk, r.rk, { etag: r.etag });
          n++;
        } catch (e) {
          if (!isNotFound(e) && statusOf(e) !== 412) throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, rows.length) }, worker));
    return n;
  }
}

function dateOf(v: unknown): number | undefined {
  const d = v instanceof Date ? v : typeof v === "string" ? new Date(v) : undefined;
  const ms = d?.getTime();
  return ms === undefined || Number.isNaN(ms) ? undefined : ms;
}
