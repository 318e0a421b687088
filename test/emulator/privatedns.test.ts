// Private DNS through @azure/arm-privatedns: zone PUT is long-running, record
// sets honour If-Match / If-None-Match, every write changes the etag, PATCH
// merges, DELETE is 200 then 204, lists page with an absolute nextLink.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRestError } from "@azure/core-rest-pipeline";
import { startEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import { collect, privateDns } from "./helpers.js";

const SUB = "22222222-2222-2222-2222-222222222222";
const RG = "rg-dns";
const ZONE = "privatelink.vaultcore.azure.net";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ pageSize: 2 });
});
afterAll(async () => emu?.close());

describe("private DNS zone and A record sets", () => {
  it("zone create is a long-running PUT and the zone starts with an SOA record set", async () => {
    const dns = privateDns(emu, SUB);
    const zone = await dns.privateZones.beginCreateOrUpdateAndWait(RG, ZONE, { location: "global" });
    expect(zone).toMatchObject({ name: ZONE, location: "global", provisioningState: "Succeeded", numberOfRecordSets: 1, maxNumberOfRecordSets: 25000 });
    expect(zone.etag).toMatch(/^[0-9a-f-]{36}$/);
    expect(emu.calls.find((c) => c.method === "PUT" && c.path.endsWith(ZONE))?.status).toBe(201);
    const soa = await dns.recordSets.get(RG, ZONE, "SOA", "@");
    expect(soa).toMatchObject({ fqdn: `${ZONE}.`, isAutoRegistered: false, soaRecord: { host: "azureprivatedns.net" } });
  });

  it("create with ifNoneMatch '*' answers 201 with the reference shape; a second create is RestError 412", async () => {
    const dns = privateDns(emu, SUB);
    let status = 0;
    const rs = await dns.recordSets.createOrUpdate(
      RG,
      ZONE,
      "A",
      "KV-One",
      { ttl: 10, metadata: { owner: "autopilot" }, aRecords: [{ ipv4Address: "10.0.0.4" }] },
      { ifNoneMatch: "*", onResponse: (r) => (status = r.status) },
    );
    expect(status).toBe(201);
    expect(rs).toEqual({
      id: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/privateDnsZones/${ZONE}/A/kv-one`,
      name: "kv-one", // Private DNS lower-cases record set names (RecordSetAPut.json)
      type: "Microsoft.Network/privateDnsZones/A",
      etag: expect.stringMatching(/^[0-9a-f-]{36}$/),
      metadata: { owner: "autopilot" },
      ttl: 10,
      fqdn: `kv-one.${ZONE}.`,
      isAutoRegistered: false,
      aRecords: [{ ipv4Address: "10.0.0.4" }],
    });
    const again = await dns.recordSets
      .createOrUpdate(RG, ZONE, "A", "kv-one", { ttl: 10, aRecords: [{ ipv4Address: "10.0.0.5" }] }, { ifNoneMatch: "*" })
      .catch((e) => e);
    // arm-privatedns is CommonJS-only: its RestError is the CJS class, so `instanceof`
    // against the ESM import fails. isRestError() works for both.
    expect(isRestError(again)).toBe(true);
    expect(again.statusCode).toBe(412);
    expect(again.code).toBe("PreconditionFailed");
  });

  it("update with the current etag works and changes the etag; a stale ifMatch is 412", async () => {
    const dns = privateDns(emu, SUB);
    const before = await dns.recordSets.get(RG, ZONE, "A", "kv-one");
    let status = 0;
    const updated = await dns.recordSets.createOrUpdate(
      RG,
      ZONE,
      "A",
      "kv-one",
      { ttl: 10, aRecords: [{ ipv4Address: "10.0.0.6" }] },
      { ifMatch: before.etag, onResponse: (r) => (status = r.status) },
    );
    expect(status).toBe(200);
    expect(updated.etag).not.toBe(before.etag);
    expect(updated.metadata).toBeUndefined(); // PUT replaces
    const stale = await dns.recordSets.createOrUpdate(RG, ZONE, "A", "kv-one", { ttl: 10, aRecords: [] }, { ifMatch: before.etag }).catch((e) => e);
    expect(stale.statusCode).toBe(412);
    expect(stale.code).toBe("PreconditionFailed");
    const missing = await dns.recordSets.createOrUpdate(RG, ZONE, "A", "nobody", { ttl: 10 }, { ifMatch: "*" }).catch((e) => e);
    expect(missing.statusCode).toBe(412);
  });

  it("PATCH (update) merges the given properties and changes the etag", async () => {
    const dns = privateDns(emu, SUB);
    const before = await dns.recordSets.get(RG, ZONE, "A", "kv-one");
    const patched = await dns.recordSets.update(RG, ZONE, "A", "kv-one", { metadata: { key2: "value2" } }, { ifMatch: before.etag });
    expect(patched).toMatchObject({ metadata: { key2: "value2" }, aRecords: [{ ipv4Address: "10.0.0.6" }], ttl: 10 });
    expect(patched.etag).not.toBe(before.etag);
  });

  it("DELETE honours ifMatch, answers 200, then 204 once gone", async () => {
    const dns = privateDns(emu, SUB);
    const stale = await dns.recordSets.delete(RG, ZONE, "A", "kv-one", { ifMatch: "00000000-0000-0000-0000-000000000000" }).catch((e) => e);
    expect(stale.statusCode).toBe(412);
    const statuses: number[] = [];
    await dns.recordSets.delete(RG, ZONE, "A", "kv-one", { onResponse: (r) => statuses.push(r.status) });
    await dns.recordSets.delete(RG, ZONE, "A", "kv-one", { onResponse: (r) => statuses.push(r.status) });
    expect(statuses).toEqual([200, 204]);
    expect((await dns.recordSets.get(RG, ZONE, "A", "kv-one").catch((e) => e)).statusCode).toBe(404);
  });

  it("a record set in a zone that does not exist is 404 ParentResourceNotFound", async () => {
    const err = await privateDns(emu, SUB)
      .recordSets.createOrUpdate(RG, "privatelink.blob.core.windows.net", "A", "x", { ttl: 10 })
      .catch((e) => e);
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe("ParentResourceNotFound");
  });

  it("lists page by pageSize with an absolute https nextLink the SDK follows", async () => {
    const dns = privateDns(emu, SUB);
    for (const n of ["a1", "a2", "a3", "a4", "a5"]) await dns.recordSets.createOrUpdate(RG, ZONE, "A", n, { ttl: 10, aRecords: [{ ipv4Address: "10.0.1.1" }] });
    await dns.recordSets.createOrUpdate(RG, ZONE, "CNAME", "alias", { ttl: 10, cnameRecord: { cname: "a1." + ZONE } });
    emu.clearCalls();
    const a = await collect(dns.recordSets.listByType(RG, ZONE, "A"));
    expect(a.map((r) => r.name)).toEqual(["a1", "a2", "a3", "a4", "a5"]);
    expect(emu.calls.filter((c) => c.path.endsWith(`${ZONE}/A`)).length).toBe(3); // pages of 2, 2, 1
    const all = await collect(dns.recordSets.list(RG, ZONE));
    expect(all.map((r) => `${r.type?.split("/").pop()}:${r.name}`)).toEqual(["SOA:@", "A:a1", "A:a2", "A:a3", "A:a4", "A:a5", "CNAME:alias"]);
    const zones = await collect(dns.privateZones.listByResourceGroup(RG));
    expect(zones.map((z) => [z.name, z.numberOfRecordSets])).toEqual([[ZONE, 7]]);
  });
});
