// The event ledger: duplicate-event detection. Event Grid delivers at least once
// and retries for up to 24 hours, so the same event id can arrive again, on any
// instance. An id is acknowledged as done only after its work and its audit rows
// committed:
//   claim(id)    "new": handle it (the id is now held, with a lease);
//                "running": another delivery holds it: do not handle, do not
//                acknowledge (retry later); "done": a duplicate, skip it.
//   complete(id) the work and its audit rows are committed.
//   forget(id)   handling failed: the redelivery is handled. If forget itself
//                fails (or the process dies), the lease runs out and the next
//                redelivery takes the id over: a crash never becomes a lost event.
//
// Event ids are compared exactly (case-sensitive), as Event Grid redelivers
// the id unchanged.
import { odata, type TableClient } from "@azure/data-tables";
import { deleteIgnoringNotFound, ensureTable, isNotFound, statusOf } from "./tables.js";
import { sha256Hex } from "../util/sha256.js";

export type Claim = "new" | "running" | "done";

export interface EventLedger {
  /**
   * Takes the id for handling for `leaseMs` (default DEFAULT_LEASE_MS). Atomic across
   * instances (create-if-absent, ETag takeover): of several callers racing on one id,
   * exactly one gets "new". An id whose holder's lease ran out (a crash) is new again;
   * one done longer ago than the retention is new again.
   */
  claim(eventId: string, now: Date, leaseMs?: number): Promise<Claim>;
  /** The id's work and audit rows are committed: from now on it is a duplicate. */
  complete(eventId: string, now: Date): Promise<void>;
  /**
   * True the first time this event id is seen (recently), and it is recorded as done
   * at once; false if it was seen within the retention window. (claim + complete, for
   * callers with nothing to commit.)
   */
  firstTime(eventId: string, now: Date): Promise<boolean>;
  /** Forget an id (when handling it failed, so the redelivery is handled). Idempotent. */
  forget(eventId: string): Promise<void>;
  /** Deletes the entries that have expired at `now` (the retention timer); returns how many. */
  purge(now: Date): Promise<number>;
}

/** How long a claim holds an id: the Functions timeout (5 min), after which its holder is surely gone. */
export const DEFAULT_LEASE_MS = 300_000;

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

interface Entry {
  /** When claimed or completed (ms). */
  at: number;
  state: "running" | "done";
  /** running: held until then (ms). */
  leaseUntil: number;
}

/** What a claim finds in an existing entry. */
function verdict(e: Entry, nowMs: number, retention: number): Claim | "expired" {
  if (e.state === "running") return nowMs < e.leaseUntil ? "running" : "expired";
  return recent(e.at, nowMs, retention) ? "done" : "expired";
}

/** In-process ledger (one instance; the CLI, the sandbox, tests). */
export class MemoryEventLedger implements EventLedger {
  /** id → entry; Map order = remembering order. */
  private readonly seen = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly retention: number;

  constructor(opts: MemoryEventLedgerOptions = {}) {
    this.maxEntries = Math.max(1, opts.maxEntries ?? DEFAULT_MEMORY_LEDGER_SIZE);
    this.retention = retentionMs(opts.retentionHours);
  }

  async claim(eventId: string, now: Date, leaseMs = DEFAULT_LEASE_MS): Promise<Claim> {
    checkId(eventId);
    const nowMs = checkNow(now);
    const e = this.seen.get(eventId);
    const v = e && verdict(e, nowMs, this.retention);
    if (v === "running" || v === "done") return v;
    this.remember(eventId, { at: nowMs, state: "running", leaseUntil: nowMs + leaseMs });
    return "new";
  }

  async complete(eventId: string, now: Date): Promise<void> {
    checkId(eventId);
    this.remember(eventId, { at: checkNow(now), state: "done", leaseUntil: 0 });
  }

  async firstTime(eventId: string, now: Date): Promise<boolean> {
    if ((await this.claim(eventId, now)) !== "new") return false;
    await this.complete(eventId, now);
    return true;
  }

  private remember(eventId: string, e: Entry): void {
    this.seen.delete(eventId);
    this.seen.set(eventId, e);
    while (this.seen.size > this.maxEntries) this.seen.delete(this.seen.keys().next().value!);
  }

  async forget(eventId: string): Promise<void> {
    checkId(eventId);
    this.seen.delete(eventId);
  }

  async purge(now: Date): Promise<number> {
    const cutoff = checkNow(now) - this.retention;
    let n = 0;
    for (const [id, e] of this.seen) {
      if (e.at < cutoff) {
        this.seen.delete(id);
        n++;
      }
    }
    return n;
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
//   properties    eventId (cut to 1,024 characters), handledAt (Edm.DateTime: claimed
//                 or completed), state ("running" | "done"; rows without it are done),
//                 leaseUntil (Edm.DateTime, while running)
//
// claim = createEntity (1 call). A 409 means the id is known: read it; done within
// the retention is a duplicate, running within its lease is "running"; otherwise
// (an expired row, or a holder that died) take it over with an ETag-conditional
// replace, so of several instances racing on it exactly one wins (the others get
// 412). An id deleted between the calls (forget) is retried from the create.
// complete = one unconditional replace (state done).
//
// Old rows are harmless (expired ones count as new) but accumulate; `purge(now)`
// deletes the expired ones (for a timer, e.g. with the reconcile sweep).

const PK_PREFIX = "ledger-";
const PK_END = "ledger.";

const sha = sha256Hex;

function keysOf(eventId: string): { partitionKey: string; rowKey: string } {
  const h = sha(eventId);
  return { partitionKey: PK_PREFIX + h.slice(0, 2), rowKey: h };
}

interface LedgerProps {
  eventId: string;
  handledAt: Date;
  state?: "running" | "done";
  leaseUntil?: Date;
}

function entryOf(p: LedgerProps): Entry | undefined {
  const at = dateOf(p.handledAt);
  if (at === undefined) return undefined;
  return { at, state: p.state === "running" ? "running" : "done", leaseUntil: dateOf(p.leaseUntil) ?? 0 };
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

  async claim(eventId: string, now: Date, leaseMs = DEFAULT_LEASE_MS): Promise<Claim> {
    checkId(eventId);
    const nowMs = checkNow(now);
    await ensureTable(this.client);
    const keys = keysOf(eventId);
    const entity = { ...keys, eventId: eventId.slice(0, 1024), handledAt: new Date(nowMs), state: "running" as const, leaseUntil: new Date(nowMs + leaseMs) };
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await this.client.createEntity<LedgerProps>(entity);
        return "new";
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
      const found = entryOf(existing);
      const v = found ? verdict(found, nowMs, this.retention) : "expired";
      if (v === "running" || v === "done") return v;
      try {
        await this.client.updateEntity<LedgerProps>(entity, "Replace", { etag: existing.etag });
        return "new";
      } catch (e) {
        if (statusOf(e) === 412) return "running"; // another instance took it over first
        if (isNotFound(e)) continue;
        throw e;
      }
    }
    throw new Error(`event ledger: could not settle event ${eventId} (kept changing under us)`);
  }

  async complete(eventId: string, now: Date): Promise<void> {
    checkId(eventId);
    const nowMs = checkNow(now);
    await ensureTable(this.client);
    await this.client.upsertEntity<LedgerProps>({ ...keysOf(eventId), eventId: eventId.slice(0, 1024), handledAt: new Date(nowMs), state: "done" }, "Replace");
  }

  async firstTime(eventId: string, now: Date): Promise<boolean> {
    if ((await this.claim(eventId, now)) !== "new") return false;
    await this.complete(eventId, now);
    return true;
  }

  async forget(eventId: string): Promise<void> {
    checkId(eventId);
    await ensureTable(this.client);
    const { partitionKey, rowKey } = keysOf(eventId);
    await deleteIgnoringNotFound(this.client, partitionKey, rowKey);
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
