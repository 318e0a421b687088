import { createHash } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { beforeAll, describe, expect, it } from "vitest";
import { sharedAzurite, type SharedAzurite } from "../helpers/sharedAzurite.js";
import { endpointKey, TableOwnershipIndex } from "../../shared/store/ownershipIndex.js";
import { tableClient } from "../../shared/store/tables.js";
import { claimant, DNS_RG, KV_ZONE, owner, ownershipIndexContract, pe, rs } from "./ownershipIndexContract.js";
import { recordSetKey, zoneKey } from "../../shared/model/recordSet.js";

let azurite: SharedAzurite;
let n = 0;
/** A fresh table per test: tests stay independent without cleaning up. */
const freshTable = (): TableClient => tableClient(azurite.connectionString, `ix${process.pid}t${++n}`);
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

beforeAll(async () => {
  azurite = await sharedAzurite();
  console.log(`Azurite (${azurite.mode} mode) listening on ${azurite.tableEndpoint} after ${azurite.startMs} ms`);
});

ownershipIndexContract("TableOwnershipIndex (Azurite)", () => new TableOwnershipIndex(freshTable()));

describe("TableOwnershipIndex specifics", () => {
  it("two instances on the same table see each other's writes", async () => {
    const name = `shared${process.pid}t${++n}`;
    // Separate clients, as two Function instances would have.
    const one = new TableOwnershipIndex(tableClient(azurite.connectionString, name));
    const two = new TableOwnershipIndex(tableClient(azurite.connectionString, name));
    await Promise.all([one.entriesFor(pe("x")), two.entriesFor(pe("x"))]); // both create the table at once
    await one.put(owner(pe("a"), rs("r1")));
    expect(await two.entriesFor(pe("a"))).toEqual([owner(pe("a"), rs("r1"))]);
    await two.put(claimant(pe("a"), rs("r2")));
    await two.remove(pe("a"), rs("r1"));
    expect(await one.entriesFor(pe("a"))).toEqual([claimant(pe("a"), rs("r2"))]);
    const at = new Date("2025-06-01T12:00:00.123Z");
    await one.markZoneIndexed(KV_ZONE, DNS_RG, at);
    expect((await two.zoneIndexedAt(KV_ZONE, DNS_RG))?.toISOString()).toBe(at.toISOString());
    await two.replaceZone(KV_ZONE, DNS_RG, [owner(pe("b"), rs("r2"))]);
    expect(await one.entriesFor(pe("a"))).toEqual([]);
    expect(await one.entriesFor(pe("b"))).toEqual([owner(pe("b"), rs("r2"))]);
  });

  it("stores the documented layout: hashed keys, readable properties, a zone copy per entry, markers apart", async () => {
    const client = freshTable();
    const now = new Date("2025-02-02T02:02:02.000Z");
    const ix = new TableOwnershipIndex(client, { now: () => now });
    const longId = pe("l".repeat(2000));
    const e = owner(longId, rs("Kv1"));
    await ix.put(e);
    await ix.markZoneIndexed(KV_ZONE, DNS_RG, now);
    const rows: Record<string, unknown>[] = [];
    for await (const r of client.listEntities()) rows.push(r);
    const ek = sha(endpointKey(longId));
    const rk = sha(recordSetKey(e));
    const zk = sha(zoneKey(KV_ZONE, DNS_RG));
    const byPk = Object.fromEntries(rows.map((r) => [r.partitionKey as string, r]));
    expect(Object.keys(byPk).sort()).toEqual([`ep-${ek}`, `zone-${zk}`, "zone-markers"].sort());
    for (const pk of [`ep-${ek}`, `zone-${zk}`]) {
      expect(byPk[pk]).toMatchObject({ endpointId: longId, zoneResourceGroupId: DNS_RG, zone: KV_ZONE, recordName: "Kv1", role: "owner" });
      expect(new Date(byPk[pk]!.updatedAt as string | Date).toISOString()).toBe(now.toISOString());
    }
    expect(byPk[`ep-${ek}`]!.rowKey).toBe(rk);
    expect(byPk[`zone-${zk}`]!.rowKey).toBe(`${ek}-${rk}`);
    expect(byPk["zone-markers"]).toMatchObject({ rowKey: zk, zone: KV_ZONE, zoneResourceGroupId: DNS_RG });
    for (const r of rows) expect(Buffer.byteLength(String(r.partitionKey) + String(r.rowKey))).toBeLessThan(1024);
  });

  it("a rebuild repairs half-done writes (an entry whose endpoint copy was lost, or already deleted)", async () => {
    const client = freshTable();
    const ix = new TableOwnershipIndex(client);
    const a = owner(pe("a"), rs("r1"));
    const b = owner(pe("b"), rs("r2"));
    await ix.put(a);
    await ix.put(b);
    // Lose both endpoint copies, as a crash between the two writes of put would.
    await client.deleteEntity(`ep-${sha(endpointKey(pe("a")))}`, sha(recordSetKey(a)));
    await client.deleteEntity(`ep-${sha(endpointKey(pe("b")))}`, sha(recordSetKey(b)));
    expect(await ix.entriesFor(pe("a"))).toEqual([]);
    // a is still in the zone (rewritten), b is gone (its missing endpoint copy must not fail the batch delete).
    await ix.replaceZone(KV_ZONE, DNS_RG, [a]);
    expect(await ix.entriesFor(pe("a"))).toEqual([a]);
    expect(await ix.entriesFor(pe("b"))).toEqual([]);
    let left = 0;
    for await (const _ of client.listEntities()) left++;
    expect(left).toBe(2); // a's two copies, nothing of b
  });

  it("creates its table on first use", async () => {
    const client = freshTable();
    const ix = new TableOwnershipIndex(client);
    expect(await ix.zoneIndexedAt(KV_ZONE, DNS_RG)).toBeUndefined();
    const names: string[] = [];
    const { TableServiceClient } = await import("@azure/data-tables");
    const svc = TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true });
    for await (const t of svc.listTables()) names.push(t.name!);
    expect(names).toContain(client.tableName);
  });
});
