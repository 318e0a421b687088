// The ownership index: endpoint id → the record sets it owns or claims.
//
// Why it exists: when a private endpoint is DELETED it can no longer be read, so
// cleanup cannot derive its DNS names from it; and listing every zone per event
// would burn the tight Private DNS read budget (500 reads / 5 min / subscription).
// The record sets' own metadata (shared/dns/ownership.ts) stays the source of
// truth: this index is a cache that can always be rebuilt from it, zone by zone
// (`replaceZone` + `markZoneIndexed`). Callers must therefore re-read a record set
// (and check its metadata and ETag) before changing it on the index's word.
//
// Ids, zone names and record names are compared case-insensitively throughout
// (endpoint and resource-group ids through `idKey`: lower case, no trailing slash).
import { odata, type TableClient, type TableEntityResult, type TransactionAction } from "@azure/data-tables";
import { idKey } from "../model/resourceId.js";
import { recordSetKey, zoneKey, type RecordSetKey } from "../model/recordSet.js";
import { deleteIgnoringNotFound, deleteRowsIgnoringNotFound, ensureTable, isNotFound, pool, transactionBatches } from "./tables.js";
import { sha256Hex } from "../util/sha256.js";

export interface IndexEntry extends RecordSetKey {
  endpointId: string;
  role: "owner" | "claimant";
}

export interface OwnershipIndex {
  /** Entries for the endpoint (owner or claimant); [] when none. */
  entriesFor(endpointId: string): Promise<IndexEntry[]>;
  /** Idempotent upsert: one entry per (endpoint, record set); a new role replaces the old. */
  put(entry: IndexEntry): Promise<void>;
  /** Idempotent: removing what is not there is fine. */
  remove(endpointId: string, key: RecordSetKey): Promise<void>;
  /** Whether the zone's record sets have been read into the index (so an empty answer can be trusted), and when. */
  zoneIndexedAt(zone: RecordSetKey["zone"], zoneResourceGroupId: string): Promise<Date | undefined>;
  markZoneIndexed(zone: string, zoneResourceGroupId: string, at: Date): Promise<void>;
  /** Replaces everything known for one zone with the given entries (used by the rebuild from metadata). */
  replaceZone(zone: string, zoneResourceGroupId: string, entries: IndexEntry[]): Promise<void>;
}

// ---------------------------------------------------------------------------
// Keys shared by both implementations.

/** Case-insensitive identity of an endpoint. */
export function endpointKey(endpointId: string): string {
  return idKey(endpointId);
}

export class InvalidIndexEntryError extends Error {}

function checkKey(k: RecordSetKey, what = "record set"): void {
  for (const f of ["zoneResourceGroupId", "zone", "recordName"] as const) {
    if (typeof k?.[f] !== "string" || !k[f].trim()) throw new InvalidIndexEntryError(`${what}: ${f} must be a non-empty string`);
  }
}

function checkEndpoint(endpointId: string): void {
  if (typeof endpointId !== "string" || !endpointKey(endpointId)) throw new InvalidIndexEntryError("endpointId must be a non-empty string");
}

function checkEntry(e: IndexEntry): void {
  checkEndpoint(e?.endpointId);
  checkKey(e, "index entry");
  if (e.role !== "owner" && e.role !== "claimant")
    throw new InvalidIndexEntryError(`index entry: role must be owner or claimant, not ${JSON.stringify(e.role)}`);
}

function checkZoneEntries(zone: string, zoneResourceGroupId: string, entries: IndexEntry[]): void {
  checkKey({ zone, zoneResourceGroupId, recordName: "-" }, "zone");
  const zk = zoneKey(zone, zoneResourceGroupId);
  for (const e of entries) {
    checkEntry(e);
    if (zoneKey(e.zone, e.zoneResourceGroupId) !== zk) {
      throw new InvalidIndexEntryError(`replaceZone(${zone}): entry for ${e.zone} in ${e.zoneResourceGroupId} belongs to another zone`);
    }
  }
}

/** A plain copy with exactly the interface's fields. */
function entryOf(e: IndexEntry): IndexEntry {
  return {
    endpointId: e.endpointId,
    zoneResourceGroupId: e.zoneResourceGroupId,
    zone: e.zone,
    recordName: e.recordName,
    ...(e.recordType === "AAAA" ? { recordType: "AAAA" as const } : {}),
    role: e.role,
  };
}

/** Stable order for answers: by record set key, owners first. */
function sortEntries(es: IndexEntry[]): IndexEntry[] {
  return es.sort((a, b) => cmp(recordSetKey(a), recordSetKey(b)) || cmp(a.role, b.role) || cmp(endpointKey(a.endpointId), endpointKey(b.endpointId)));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------

/** In-process index, for the CLI's replay and unit tests. */
export class MemoryOwnershipIndex implements OwnershipIndex {
  /** endpoint key → record set key → entry */
  private readonly byEndpoint = new Map<string, Map<string, IndexEntry>>();
  private readonly markers = new Map<string, Date>();

  async entriesFor(endpointId: string): Promise<IndexEntry[]> {
    checkEndpoint(endpointId);
    return sortEntries([...(this.byEndpoint.get(endpointKey(endpointId))?.values() ?? [])].map(entryOf));
  }

  async put(entry: IndexEntry): Promise<void> {
    checkEntry(entry);
    const ek = endpointKey(entry.endpointId);
    let m = this.byEndpoint.get(ek);
    if (!m) this.byEndpoint.set(ek, (m = new Map()));
    m.set(recordSetKey(entry), entryOf(entry));
  }

  async remove(endpointId: string, key: RecordSetKey): Promise<void> {
    checkEndpoint(endpointId);
    checkKey(key);
    const ek = endpointKey(endpointId);
    const m = this.byEndpoint.get(ek);
    if (!m) return;
    m.delete(recordSetKey(key));
    if (m.size === 0) this.byEndpoint.delete(ek);
  }

  async zoneIndexedAt(zone: string, zoneResourceGroupId: string): Promise<Date | undefined> {
    checkKey({ zone, zoneResourceGroupId, recordName: "-" }, "zone");
    const at = this.markers.get(zoneKey(zone, zoneResourceGroupId));
    return at && new Date(at);
  }

  async markZoneIndexed(zone: string, zoneResourceGroupId: string, at: Date): Promise<void> {
    checkKey({ zone, zoneResourceGroupId, recordName: "-" }, "zone");
    this.markers.set(zoneKey(zone, zoneResourceGroupId), new Date(at));
  }

  async replaceZone(zone: string, zoneResourceGroupId: string, entries: IndexEntry[]): Promise<void> {
    checkZoneEntries(zone, zoneResourceGroupId, entries);
    const prefix = `${zoneKey(zone, zoneResourceGroupId)}/`;
    for (const [ek, m] of this.byEndpoint) {
      for (const rk of m.keys()) if (rk.startsWith(prefix)) m.delete(rk);
      if (m.size === 0) this.byEndpoint.delete(ek);
    }
    for (const e of entries) await this.put(e);
  }
}

// ---------------------------------------------------------------------------
// Azure Table storage.
//
// Layout (one table; all keys are sha256 hex of the case-folded ids, because
// PartitionKey/RowKey forbid / \ # ? and control characters and are at most
// 1 KiB, while ARM ids contain slashes and can be longer; the readable values
// live in ordinary properties):
//
//   endpoint copy   PK "ep-"   + sha(endpointKey)   RK sha(recordSetKey)
//   zone copy       PK "zone-" + sha(zoneKey)       RK sha(endpointKey) + "-" + sha(recordSetKey)
//   zone marker     PK "zone-markers"               RK sha(zoneKey)
//   entry properties: endpointId, zoneResourceGroupId, zone, recordName, role, updatedAt
//   marker properties: zone, zoneResourceGroupId, indexedAt
//
// Why two copies of each entry: the hot path (an event for one endpoint) asks
// "what does this endpoint own" = one partition query on its endpoint partition;
// the rebuild asks "what is known for this zone" = one partition query on the
// zone partition, so `replaceZone` never scans the table (the alternative, one
// copy keyed by endpoint, would need a full-table scan per zone rebuild; one copy
// keyed by zone would need every zone read per event). The price is two writes
// per put/remove, which are not atomic (a Table transaction covers one partition
// only). The ORDER keeps one invariant: every endpoint copy has a zone copy
// (put writes the zone copy first; remove deletes the endpoint copy first), so a
// rebuild, which works from the zone partition, can always find and drop a stale
// endpoint copy, and a crash between the two writes leaves at worst a zone copy
// without its endpoint copy, which the next put or rebuild repairs.
//
// Calls per operation: entriesFor 1 query (+1 per 1,000 entries); put 2 upserts;
// remove 2 deletes; zoneIndexedAt 1 point read; markZoneIndexed 1 upsert;
// replaceZone 1 query per 1,000 known entries of the zone, then transactions of
// up to 100 operations: zone-partition writes in ceil(n/100) batches, endpoint
// copies one batch per endpoint (per 100 of its entries in the zone).
//
// Concurrency: upserts are last-writer-wins, which is fine for a cache. A put that
// races a replaceZone of the same zone can be undone by it; the next event for
// that endpoint or the next rebuild puts it back (and callers never trust the
// index without re-reading the record set).

const ENDPOINT_PK = "ep-";
const ZONE_PK = "zone-";
const MARKERS_PK = "zone-markers";
/** Table transactions: at most 100 operations and 4 MiB; stay well below the size cap. */

function sha(s: string): string {
  return sha256Hex(s);
}

interface EntryProps {
  endpointId: string;
  zoneResourceGroupId: string;
  zone: string;
  recordName: string;
  recordType?: string;
  role: string;
  updatedAt: Date;
}

interface MarkerProps {
  zone: string;
  zoneResourceGroupId: string;
  indexedAt: Date | string;
}

interface Keys {
  endpointPk: string;
  endpointRk: string;
  zonePk: string;
  zoneRk: string;
}

function keysOf(endpointId: string, k: RecordSetKey): Keys {
  const e = sha(endpointKey(endpointId));
  const r = sha(recordSetKey(k));
  return { endpointPk: ENDPOINT_PK + e, endpointRk: r, zonePk: ZONE_PK + sha(zoneKey(k.zone, k.zoneResourceGroupId)), zoneRk: `${e}-${r}` };
}

export interface TableOwnershipIndexOptions {
  /** Clock for `updatedAt` (tests). */
  now?: () => Date;
  /** Parallel requests in replaceZone (default 8). */
  concurrency?: number;
}

export class TableOwnershipIndex implements OwnershipIndex {
  private readonly now: () => Date;
  private readonly concurrency: number;

  /** The table is created on first use (idempotent). */
  constructor(
    private readonly client: TableClient,
    opts: TableOwnershipIndexOptions = {},
  ) {
    this.now = opts.now ?? (() => new Date());
    this.concurrency = Math.max(1, opts.concurrency ?? 8);
  }

  async entriesFor(endpointId: string): Promise<IndexEntry[]> {
    checkEndpoint(endpointId);
    await ensureTable(this.client);
    const ek = endpointKey(endpointId);
    const out: IndexEntry[] = [];
    const pk = ENDPOINT_PK + sha(ek);
    for await (const e of this.client.listEntities<EntryProps>({ queryOptions: { filter: odata`PartitionKey eq ${pk}` } })) {
      const entry = fromEntity(e);
      if (entry && endpointKey(entry.endpointId) === ek) out.push(entry);
    }
    return sortEntries(out);
  }

  async put(entry: IndexEntry): Promise<void> {
    checkEntry(entry);
    await ensureTable(this.client);
    const k = keysOf(entry.endpointId, entry);
    const props = this.props(entry);
    // Zone copy first: see "ORDER" above.
    await this.client.upsertEntity({ partitionKey: k.zonePk, rowKey: k.zoneRk, ...props }, "Replace");
    await this.client.upsertEntity({ partitionKey: k.endpointPk, rowKey: k.endpointRk, ...props }, "Replace");
  }

  async remove(endpointId: string, key: RecordSetKey): Promise<void> {
    checkEndpoint(endpointId);
    checkKey(key);
    await ensureTable(this.client);
    const k = keysOf(endpointId, key);
    // Endpoint copy first: see "ORDER" above.
    await deleteIgnoringNotFound(this.client, k.endpointPk, k.endpointRk);
    await deleteIgnoringNotFound(this.client, k.zonePk, k.zoneRk);
  }

  async zoneIndexedAt(zone: string, zoneResourceGroupId: string): Promise<Date | undefined> {
    checkKey({ zone, zoneResourceGroupId, recordName: "-" }, "zone");
    await ensureTable(this.client);
    try {
      const m = await this.client.getEntity<MarkerProps>(MARKERS_PK, sha(zoneKey(zone, zoneResourceGroupId)));
      const at = m.indexedAt instanceof Date ? m.indexedAt : new Date(String(m.indexedAt));
      return Number.isNaN(at.getTime()) ? undefined : at;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async markZoneIndexed(zone: string, zoneResourceGroupId: string, at: Date): Promise<void> {
    checkKey({ zone, zoneResourceGroupId, recordName: "-" }, "zone");
    await ensureTable(this.client);
    const marker: MarkerProps = { zone, zoneResourceGroupId, indexedAt: new Date(at) };
    await this.client.upsertEntity({ partitionKey: MARKERS_PK, rowKey: sha(zoneKey(zone, zoneResourceGroupId)), ...marker }, "Replace");
  }

  async replaceZone(zone: string, zoneResourceGroupId: string, entries: IndexEntry[]): Promise<void> {
    checkZoneEntries(zone, zoneResourceGroupId, entries);
    await ensureTable(this.client);
    const zonePk = ZONE_PK + sha(zoneKey(zone, zoneResourceGroupId));

    // Wanted: zone row key → entry (a later duplicate wins, as with repeated puts).
    const wanted = new Map<string, { keys: Keys; props: EntryProps }>();
    for (const e of entries) {
      const keys = keysOf(e.endpointId, e);
      wanted.set(keys.zoneRk, { keys, props: this.props(e) });
    }
    // Known: everything in the zone partition.
    const stale: Keys[] = [];
    for await (const e of this.client.listEntities<EntryProps>({ queryOptions: { filter: odata`PartitionKey eq ${zonePk}`, select: ["RowKey"] } })) {
      const rk = e.rowKey!;
      if (wanted.has(rk)) continue;
      const [ep, r] = rk.split("-");
      stale.push({ endpointPk: ENDPOINT_PK + ep, endpointRk: r!, zonePk, zoneRk: rk });
    }

    // Same ORDER as put/remove: endpoint copies go before their zone copies, and
    // zone copies come before their endpoint copies.
    await deleteRowsIgnoringNotFound(
      this.client,
      stale.map((k) => ({ partitionKey: k.endpointPk, rowKey: k.endpointRk })),
      this.concurrency,
    );
    await deleteRowsIgnoringNotFound(
      this.client,
      stale.map((k) => ({ partitionKey: k.zonePk, rowKey: k.zoneRk })),
      this.concurrency,
    );
    const w = [...wanted.values()];
    await this.inBatches(
      w.map(({ keys, props }) => ({
        pk: keys.zonePk,
        action: ["upsert", { partitionKey: keys.zonePk, rowKey: keys.zoneRk, ...props }, "Replace"] as TransactionAction,
      })),
    );
    await this.inBatches(
      w.map(({ keys, props }) => ({
        pk: keys.endpointPk,
        action: ["upsert", { partitionKey: keys.endpointPk, rowKey: keys.endpointRk, ...props }, "Replace"] as TransactionAction,
      })),
    );
  }

  // -------------------------------------------------------------------------

  private props(e: IndexEntry): EntryProps {
    return {
      endpointId: e.endpointId,
      zoneResourceGroupId: e.zoneResourceGroupId,
      zone: e.zone,
      recordName: e.recordName,
      ...(e.recordType === "AAAA" ? { recordType: "AAAA" } : {}),
      role: e.role,
      updatedAt: this.now(),
    };
  }

  /**
   * Upserts as Table transactions: grouped by partition, at most 100 operations (and
   * ~2 MiB) each, `concurrency` at a time; a lone upsert is a plain request.
   */
  private async inBatches(items: { pk: string; action: TransactionAction }[]): Promise<void> {
    await pool(transactionBatches(items.map((i) => i.action)), this.concurrency, async (b) => {
      if (b.length === 1) await this.client.upsertEntity(b[0]![1], "Replace");
      else await this.client.submitTransaction(b);
    });
  }
}

function fromEntity(e: TableEntityResult<EntryProps>): IndexEntry | undefined {
  if (typeof e.endpointId !== "string" || typeof e.zoneResourceGroupId !== "string" || typeof e.zone !== "string" || typeof e.recordName !== "string")
    return undefined;
  if (e.role !== "owner" && e.role !== "claimant") return undefined;
  return entryOf({ ...e, endpointId: e.endpointId, role: e.role, recordType: e.recordType === "AAAA" ? "AAAA" : undefined });
}
