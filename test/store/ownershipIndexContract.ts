// The behaviour every OwnershipIndex must have; run against each implementation
// by ownershipIndex.memory.test.ts and ownershipIndex.table.test.ts.
import { describe, expect, it } from "vitest";
import type { IndexEntry, OwnershipIndex } from "../../shared/store/ownershipIndex.js";
import type { RecordSetKey } from "../../shared/model/recordSet.js";

export const SUB = "/subscriptions/00000000-0000-0000-0000-000000000001";
export const DNS_RG = `${SUB}/resourceGroups/rg-dns`;
export const OTHER_DNS_RG = `${SUB}/resourceGroups/rg-dns-2`;
export const KV_ZONE = "privatelink.vaultcore.azure.net";
export const BLOB_ZONE = "privatelink.blob.core.windows.net";

export const pe = (name: string) => `${SUB}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/${name}`;
export const rs = (recordName: string, zone = KV_ZONE, zoneResourceGroupId = DNS_RG): RecordSetKey => ({ zoneResourceGroupId, zone, recordName });
export const owner = (endpointId: string, key: RecordSetKey): IndexEntry => ({ ...key, endpointId, role: "owner" });
export const claimant = (endpointId: string, key: RecordSetKey): IndexEntry => ({ ...key, endpointId, role: "claimant" });

/** Order-free comparison of answers, by their case-folded identity. */
export function norm(es: IndexEntry[]): string[] {
  return es
    .map(
      (e) =>
        `${e.endpointId.toLowerCase().replace(/\/+$/, "")}|${e.zoneResourceGroupId.toLowerCase()}|${e.zone.toLowerCase()}|${e.recordName.toLowerCase()}|${e.role}`,
    )
    .sort();
}

export function ownershipIndexContract(name: string, make: () => Promise<OwnershipIndex> | OwnershipIndex) {
  describe(`OwnershipIndex contract: ${name}`, () => {
    it("answers [] for an unknown endpoint", async () => {
      const ix = await make();
      expect(await ix.entriesFor(pe("nobody"))).toEqual([]);
    });

    it("put is an idempotent upsert and entriesFor returns exactly the interface's fields", async () => {
      const ix = await make();
      const e = owner(pe("a"), rs("kv1"));
      await ix.put(e);
      await ix.put(e);
      await ix.put({ ...e });
      expect(await ix.entriesFor(pe("a"))).toEqual([e]);
    });

    it("one entry per (endpoint, record set): a new role replaces the old", async () => {
      const ix = await make();
      await ix.put(claimant(pe("a"), rs("kv1")));
      await ix.put(owner(pe("a"), rs("kv1")));
      expect(await ix.entriesFor(pe("a"))).toEqual([owner(pe("a"), rs("kv1"))]);
    });

    it("remove is idempotent and removes only that record set of that endpoint", async () => {
      const ix = await make();
      await ix.put(owner(pe("a"), rs("kv1")));
      await ix.put(owner(pe("a"), rs("kv2")));
      await ix.put(claimant(pe("b"), rs("kv1")));
      await ix.remove(pe("a"), rs("kv1"));
      await ix.remove(pe("a"), rs("kv1"));
      await ix.remove(pe("never"), rs("kv9"));
      expect(await ix.entriesFor(pe("a"))).toEqual([owner(pe("a"), rs("kv2"))]);
      expect(await ix.entriesFor(pe("b"))).toEqual([claimant(pe("b"), rs("kv1"))]);
      await ix.remove(pe("a"), rs("kv2"));
      expect(await ix.entriesFor(pe("a"))).toEqual([]);
    });

    it("is case-insensitive on endpoint ids, resource group ids, zones and record names", async () => {
      const ix = await make();
      const mixed = `${SUB}/resourcegroups/RG-APP/providers/microsoft.network/privateendpoints/PE-Mixed`;
      await ix.put(owner(mixed, rs("KV-One", "PrivateLink.VaultCore.Azure.Net", DNS_RG.toUpperCase())));
      // The same record set under other spellings is the same entry.
      await ix.put(owner(pe("pe-mixed"), rs("kv-one")));
      const got = await ix.entriesFor(pe("PE-MIXED").toUpperCase() + "/"); // trailing slash too
      expect(got).toHaveLength(1);
      expect(norm(got)).toEqual(norm([owner(pe("pe-mixed"), rs("kv-one"))]));
      await ix.remove(pe("pe-mixed").toLowerCase(), rs("KV-ONE", KV_ZONE.toUpperCase(), DNS_RG.toLowerCase()));
      expect(await ix.entriesFor(mixed)).toEqual([]);
    });

    it("keeps the spelling of the latest put in the answer", async () => {
      const ix = await make();
      await ix.put(owner(pe("a"), rs("kv1")));
      const upper = owner(pe("a").toUpperCase(), rs("KV1", KV_ZONE.toUpperCase()));
      await ix.put(upper);
      expect(await ix.entriesFor(pe("a"))).toEqual([upper]);
    });

    it("handles endpoint ids longer than 1 KiB and characters Table keys forbid", async () => {
      const ix = await make();
      const long = pe("x".repeat(3000));
      const longToo = pe("x".repeat(2999) + "y"); // same first 1 KiB and more
      const odd = pe("we#ird?na\\me");
      const longRg = `${SUB}/resourceGroups/${"r".repeat(1200)}`;
      await ix.put(owner(long, rs("kv1")));
      await ix.put(claimant(longToo, rs("kv1")));
      await ix.put(owner(odd, rs("kv2", KV_ZONE, longRg)));
      expect(await ix.entriesFor(long.toUpperCase())).toEqual([owner(long, rs("kv1"))]);
      expect(await ix.entriesFor(longToo)).toEqual([claimant(longToo, rs("kv1"))]);
      expect(await ix.entriesFor(odd)).toEqual([owner(odd, rs("kv2", KV_ZONE, longRg))]);
      await ix.remove(long, rs("kv1"));
      expect(await ix.entriesFor(long)).toEqual([]);
      expect(await ix.entriesFor(longToo)).toHaveLength(1);
    });

    it("keeps owner and claimant entries apart per endpoint, across zones", async () => {
      const ix = await make();
      const a = pe("a");
      const b = pe("b");
      await ix.put(owner(a, rs("kv1")));
      await ix.put(claimant(b, rs("kv1")));
      await ix.put(owner(b, rs("st1", BLOB_ZONE)));
      await ix.put(claimant(a, rs("st1", BLOB_ZONE)));
      await ix.put(owner(a, rs("kv1", KV_ZONE, OTHER_DNS_RG))); // same zone name, other zone resource
      expect(norm(await ix.entriesFor(a))).toEqual(norm([owner(a, rs("kv1")), claimant(a, rs("st1", BLOB_ZONE)), owner(a, rs("kv1", KV_ZONE, OTHER_DNS_RG))]));
      expect(norm(await ix.entriesFor(b))).toEqual(norm([claimant(b, rs("kv1")), owner(b, rs("st1", BLOB_ZONE))]));
    });

    it("answers in a stable order (by record set)", async () => {
      const ix = await make();
      for (const n of ["c", "a", "b"]) await ix.put(owner(pe("a"), rs(n)));
      expect((await ix.entriesFor(pe("a"))).map((e) => e.recordName)).toEqual(["a", "b", "c"]);
    });

    it("returns copies: changing an answer changes nothing stored", async () => {
      const ix = await make();
      await ix.put(owner(pe("a"), rs("kv1")));
      const [got] = await ix.entriesFor(pe("a"));
      got!.role = "claimant";
      got!.recordName = "changed";
      expect(await ix.entriesFor(pe("a"))).toEqual([owner(pe("a"), rs("kv1"))]);
    });

    it("zone markers: unset, set, case-insensitive, per zone resource, overwritten", async () => {
      const ix = await make();
      expect(await ix.zoneIndexedAt(KV_ZONE, DNS_RG)).toBeUndefined();
      const t1 = new Date("2025-03-04T05:06:07.089Z");
      await ix.markZoneIndexed(KV_ZONE, DNS_RG, t1);
      expect((await ix.zoneIndexedAt(KV_ZONE.toUpperCase(), DNS_RG.toLowerCase()))?.toISOString()).toBe(t1.toISOString());
      expect(await ix.zoneIndexedAt(KV_ZONE, OTHER_DNS_RG)).toBeUndefined();
      expect(await ix.zoneIndexedAt(BLOB_ZONE, DNS_RG)).toBeUndefined();
      const t2 = new Date("2025-03-05T00:00:00.000Z");
      await ix.markZoneIndexed(KV_ZONE.toUpperCase(), DNS_RG, t2);
      expect((await ix.zoneIndexedAt(KV_ZONE, DNS_RG))?.getTime()).toBe(t2.getTime());
    });

    it("replaceZone drops the zone's stale entries, adds new ones and keeps other zones", async () => {
      const ix = await make();
      const [a, b, c, d] = [pe("a"), pe("b"), pe("c"), pe("d")];
      await ix.put(owner(a, rs("r1")));
      await ix.put(owner(b, rs("r2")));
      await ix.put(claimant(c, rs("r1")));
      await ix.put(owner(a, rs("r3", BLOB_ZONE)));
      await ix.put(owner(c, rs("r1", KV_ZONE, OTHER_DNS_RG))); // same zone name, other zone resource
      const t = new Date("2025-01-01T00:00:00Z");
      await ix.markZoneIndexed(KV_ZONE, DNS_RG, t);

      await ix.replaceZone(KV_ZONE.toUpperCase(), DNS_RG.toLowerCase(), [owner(a, rs("r1")), owner(d, rs("r4")), claimant(b, rs("r2"))]);

      expect(norm(await ix.entriesFor(a))).toEqual(norm([owner(a, rs("r1")), owner(a, rs("r3", BLOB_ZONE))]));
      expect(await ix.entriesFor(b)).toEqual([claimant(b, rs("r2"))]);
      expect(await ix.entriesFor(c)).toEqual([owner(c, rs("r1", KV_ZONE, OTHER_DNS_RG))]);
      expect(await ix.entriesFor(d)).toEqual([owner(d, rs("r4"))]);
      expect((await ix.zoneIndexedAt(KV_ZONE, DNS_RG))?.getTime()).toBe(t.getTime()); // markers are separate
    });

    it("replaceZone with no entries empties the zone; repeating it is harmless", async () => {
      const ix = await make();
      await ix.put(owner(pe("a"), rs("r1")));
      await ix.put(claimant(pe("b"), rs("r1")));
      await ix.put(owner(pe("b"), rs("s1", BLOB_ZONE)));
      await ix.replaceZone(KV_ZONE, DNS_RG, []);
      await ix.replaceZone(KV_ZONE, DNS_RG, []);
      expect(await ix.entriesFor(pe("a"))).toEqual([]);
      expect(await ix.entriesFor(pe("b"))).toEqual([owner(pe("b"), rs("s1", BLOB_ZONE))]);
    });

    it("replaceZone handles zones bigger than one Table transaction", async () => {
      const ix = await make();
      const old: IndexEntry[] = [];
      for (let i = 0; i < 130; i++) old.push(owner(pe(`old${i % 3}`), rs(`old-${i}`)));
      await ix.replaceZone(KV_ZONE, DNS_RG, old);
      expect(await ix.entriesFor(pe("old0"))).toHaveLength(44);
      const fresh: IndexEntry[] = [];
      for (let i = 0; i < 230; i++) fresh.push(i % 2 ? owner(pe("big"), rs(`n-${i}`)) : claimant(pe(`c${i % 4}`), rs(`n-${i}`)));
      fresh.push(owner(pe("old1"), rs("old-1"))); // one survivor
      await ix.replaceZone(KV_ZONE, DNS_RG, fresh);
      expect(await ix.entriesFor(pe("big"))).toHaveLength(115);
      expect(await ix.entriesFor(pe("c0"))).toHaveLength(58);
      expect(await ix.entriesFor(pe("old0"))).toEqual([]);
      expect(await ix.entriesFor(pe("old1"))).toEqual([owner(pe("old1"), rs("old-1"))]);
    });

    it("replaceZone refuses entries of another zone and changes nothing then", async () => {
      const ix = await make();
      await ix.put(owner(pe("a"), rs("r1")));
      await expect(ix.replaceZone(KV_ZONE, DNS_RG, [owner(pe("b"), rs("x", BLOB_ZONE))])).rejects.toThrow(/another zone/);
      await expect(ix.replaceZone(KV_ZONE, DNS_RG, [owner(pe("b"), rs("x", KV_ZONE, OTHER_DNS_RG))])).rejects.toThrow(/another zone/);
      expect(await ix.entriesFor(pe("a"))).toEqual([owner(pe("a"), rs("r1"))]);
    });

    it("rejects malformed entries", async () => {
      const ix = await make();
      await expect(ix.put(owner("", rs("r1")))).rejects.toThrow(/endpointId/);
      await expect(ix.put(owner(pe("a"), rs("")))).rejects.toThrow(/recordName/);
      await expect(ix.put({ ...owner(pe("a"), rs("r1")), role: "boss" as "owner" })).rejects.toThrow(/role/);
      await expect(ix.entriesFor("")).rejects.toThrow(/endpointId/);
    });
  });
}
