// Write-ahead intents (issue 8, defect 9): before each ARM write the write gate
// records what it is about to do; after the run's audit rows are committed the
// intent is resolved (its row deleted). An intent still open afterwards belongs
// to a write whose outcome nobody audited: its answer was lost (a connection
// reset after ARM applied it, a timeout), its audit row failed to commit, or its
// instance died. A later delivery of the same event, or a later sweep, reads the
// resource: in the intended state, the write is audited `applied` then; otherwise
// it did not land and the intent is dropped.
//
// Bounded: one row per write in flight, deleted by the run that made it (in one
// transaction per run), the rest by the recovery or, after INTENT_RETENTION_MS,
// by `purge`.
import { randomBytes } from "node:crypto";
import { odata, type TableClient } from "@azure/data-tables";
import { deleteRowsIgnoringNotFound, ensureTable, isNotFound, statusOf } from "./tables.js";
import { sha256Hex } from "../util/sha256.js";

export type IntentKind = "connection-state" | "connection-delete" | "endpoint-delete" | "dns-write" | "dns-delete";

export interface WriteIntent {
  /** Unique per write (given by `open`). */
  id?: string;
  /** The event id or "sweep:<run id>" of the run that made the write. */
  trigger: string;
  kind: IntentKind;
  resource: string;
  /** What the resource looks like once the write is applied (a fingerprint the gate's readers compute alike), "absent" for deletes. */
  want: string;
  /** The decision the write carried out, to audit it with when its answer was lost. */
  action: string;
  reason: string;
  rule?: string;
  /** ISO time the intent was opened. */
  at: string;
  /** A later run checking it (recovery), and since when: others leave it alone for a lease. */
  claimedBy?: string;
  claimedAt?: string;
  /** The store's version of the row (Table ETag), for conditional claims and deletes. */
  etag?: string;
}

export interface IntentLog {
  /** Records an intent (one row per write); returns it with its id and version. */
  open(i: WriteIntent): Promise<WriteIntent>;
  /** The open intents of one trigger, and with `before`, also every intent opened (or last claimed) before then. */
  list(q: { trigger: string; before?: Date }): Promise<WriteIntent[]>;
  /** Takes an intent over for checking, unless it changed since listed (another run got it first): undefined then. */
  claim(i: WriteIntent, by: string, at: Date): Promise<WriteIntent | undefined>;
  /** Deletes resolved intents (a run resolves only its own and those it claimed). Idempotent. */
  resolve(is: WriteIntent[]): Promise<void>;
  /** Deletes intents opened before `before`; returns how many. */
  purge(before: Date): Promise<number>;
}

/** How long an intent is kept at most (a later sweep checks it well before). */
export const INTENT_RETENTION_MS = 48 * 3_600_000;

/** Another run's intent younger than this may still be in flight (the Functions timeout, as the event ledger's lease). */
export const INTENT_LEASE_MS = 300_000;

const MAX_REASON_CHARS = 2000;

const sha = (s: string) => sha256Hex(s).slice(0, 32);
const triggerKey = (trigger: string) => sha(trigger);
const rowKey = (i: Pick<WriteIntent, "trigger" | "id">) => `${triggerKey(i.trigger)}-${i.id ?? ""}`;
const lastTouched = (i: WriteIntent) => Date.parse(i.claimedAt ?? i.at);

function normal(i: WriteIntent): WriteIntent {
  const out: WriteIntent = {
    id: i.id ?? randomBytes(8).toString("hex"),
    trigger: i.trigger.slice(0, 1024),
    kind: i.kind,
    resource: i.resource,
    want: i.want,
    action: i.action,
    reason: i.reason.slice(0, MAX_REASON_CHARS),
    at: i.at,
  };
  if (i.rule !== undefined) out.rule = i.rule;
  return out;
}

// ---------------------------------------------------------------------------

/** In-process intents (the sandbox, the CLI, tests). */
export class MemoryIntentLog implements IntentLog {
  private readonly rows = new Map<string, WriteIntent>();
  private version = 0;

  constructor(private readonly maxEntries = 10_000) {}

  async open(i: WriteIntent): Promise<WriteIntent> {
    const row = { ...normal(i), etag: String(++this.version) };
    const key = rowKey(row);
    this.rows.delete(key);
    this.rows.set(key, row);
    while (this.rows.size > this.maxEntries) this.rows.delete(this.rows.keys().next().value!);
    return { ...row };
  }

  async list(q: { trigger: string; before?: Date }): Promise<WriteIntent[]> {
    const before = q.before?.getTime() ?? -Infinity;
    return [...this.rows.values()].filter((r) => r.trigger === q.trigger || lastTouched(r) < before).map((r) => ({ ...r }));
  }

  async claim(i: WriteIntent, by: string, at: Date): Promise<WriteIntent | undefined> {
    const key = rowKey(i);
    const row = this.rows.get(key);
    if (!row || row.etag !== i.etag) return undefined;
    const claimed = { ...row, claimedBy: by, claimedAt: at.toISOString(), etag: String(++this.version) };
    this.rows.set(key, claimed);
    return { ...claimed };
  }

  async resolve(is: WriteIntent[]): Promise<void> {
    for (const i of is) this.rows.delete(rowKey(i));
  }

  async purge(before: Date): Promise<number> {
    let n = 0;
    for (const [k, r] of this.rows) {
      if (Date.parse(r.at) < before.getTime()) {
        this.rows.delete(k);
        n++;
      }
    }
    return n;
  }

  get size(): number {
    return this.rows.size;
  }
}

// ---------------------------------------------------------------------------
// Azure Table storage, in the app table next to "ep-…", "zone-…", "marks", "ledger-…"
// and "audit-…":
//   PartitionKey  "intents"                       (one partition: few rows, one transaction resolves a run's)
//   RowKey        sha256(trigger)[0..32] + "-" + the intent's id (16 random hex digits)
//   properties    id, trigger, kind, resource, want, action, reason, rule?, at, claimedBy?, claimedAt?
// open = one upsert; a run's resolves = one transaction (If-Match each row); an event's
// recovery lists its own rows (a RowKey prefix range), a sweep's the whole partition.

const PK = "intents";

type IntentProps = Omit<WriteIntent, "etag">;

export class TableIntentLog implements IntentLog {
  constructor(private readonly client: TableClient) {}

  async open(i: WriteIntent): Promise<WriteIntent> {
    await ensureTable(this.client);
    const row = normal(i);
    const r = await this.client.upsertEntity<IntentProps>({ partitionKey: PK, rowKey: rowKey(row), ...row }, "Replace");
    return { ...row, etag: r.etag };
  }

  async list(q: { trigger: string; before?: Date }): Promise<WriteIntent[]> {
    const own = triggerKey(q.trigger);
    const filter = q.before
      ? odata`PartitionKey eq ${PK}`
      : [odata`PartitionKey eq ${PK}`, odata`RowKey ge ${own}`, odata`RowKey lt ${own + "."}`].join(" and ");
    const out: WriteIntent[] = [];
    try {
      for await (const e of this.client.listEntities<IntentProps>({ queryOptions: { filter } })) {
        const i = fromEntity(e);
        if (i && (i.trigger === q.trigger || (q.before && lastTouched(i) < q.before.getTime()))) out.push(i);
      }
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
    return out;
  }

  async claim(i: WriteIntent, by: string, at: Date): Promise<WriteIntent | undefined> {
    const claimed = { ...normal(i), claimedBy: by, claimedAt: at.toISOString() };
    try {
      const r = await this.client.updateEntity<IntentProps>({ partitionKey: PK, rowKey: rowKey(i), ...claimed }, "Replace", { etag: i.etag });
      return { ...claimed, etag: r.etag };
    } catch (e) {
      if (statusOf(e) === 412 || isNotFound(e)) return undefined;
      throw e;
    }
  }

  async resolve(is: WriteIntent[]): Promise<void> {
    if (is.length === 0) return;
    // Transactions delete unconditionally (the SDK sends If-Match *): a run resolves only its own intents and those it claimed.
    const keys = [...new Set(is.map(rowKey))];
    await deleteRowsIgnoringNotFound(
      this.client,
      keys.map((rowKey) => ({ partitionKey: PK, rowKey })),
      4,
    );
  }

  async purge(before: Date): Promise<number> {
    const rows: WriteIntent[] = [];
    try {
      for await (const e of this.client.listEntities<IntentProps>({
        queryOptions: { filter: odata`PartitionKey eq ${PK} and at lt ${before.toISOString()}` },
      })) {
        const i = fromEntity(e);
        if (i) rows.push(i);
      }
    } catch (e) {
      if (isNotFound(e)) return 0;
      throw e;
    }
    await this.resolve(rows);
    return rows.length;
  }
}

function fromEntity(e: Record<string, unknown> & { etag?: string }): WriteIntent | undefined {
  const s = (v: unknown) => (typeof v === "string" ? v : undefined);
  const [trigger, kind, resource, want, action, at] = [s(e.trigger), s(e.kind), s(e.resource), s(e.want), s(e.action), s(e.at)];
  if (!trigger || !kind || !resource || want === undefined || !action || !at) return undefined;
  const i: WriteIntent = {
    id: s(e.id) ?? (s(e.rowKey) ?? "").split("-")[1],
    trigger,
    kind: kind as IntentKind,
    resource,
    want,
    action,
    reason: s(e.reason) ?? "",
    at,
    etag: e.etag,
  };
  if (s(e.rule) !== undefined) i.rule = s(e.rule);
  if (s(e.claimedBy) !== undefined) i.claimedBy = s(e.claimedBy);
  if (s(e.claimedAt) !== undefined) i.claimedAt = s(e.claimedAt);
  return i;
}
