// What real Azure does per service and what ARM refuses (issue 10), each as the
// recordings and specs named in sandbox/emulator/README.md show it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, acceptsApiVersion, type Emulator } from "../../sandbox/emulator/index.js";
import { collect, generic, network, privateDns, raw, sleep } from "./helpers.js";

const SUB = "44444444-4444-4444-4444-444444444444";
const OTHER = "55555555-5555-5555-5555-555555555555";
const RG = "rg-svc";
const P = `/subscriptions/${SUB}/resourceGroups/${RG}/providers`;
const VNET = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub`;
const SUBNET = `${VNET}/subnets/pe`;
const SQL = `${P}/Microsoft.Sql/servers/sql-one`;
const COSMOS = `${P}/Microsoft.DocumentDB/databaseAccounts/cosmos-one`;
const REDIS = `${P}/Microsoft.Cache/redis/redis-one`;
const AMR = `${P}/Microsoft.Cache/redisEnterprise/amr-one`;
const ZONE = `${P}/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net`;
const SECRET_ZONE = `${P}/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net`;
const LRO_MS = 800;

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({
    lroDelayMs: LRO_MS,
    throttle: false,
    estate: {
      resources: [
        { id: VNET, location: "westeurope", properties: { addressSpace: { addressPrefixes: ["10.30.0.0/16"] } } },
        { id: SUBNET, properties: { addressPrefix: "10.30.1.0/24" } },
        { id: SQL, location: "westeurope", properties: {} },
        { id: COSMOS, location: "westeurope", properties: {} },
        { id: REDIS, location: "westeurope", properties: {} },
        { id: AMR, location: "westeurope", properties: {} },
        { id: ZONE, location: "global", properties: {} },
        { id: SECRET_ZONE, location: "global", properties: {} },
        { id: `/subscriptions/${OTHER}/resourceGroups/rg-other`, location: "westeurope" },
      ],
      refusals: { unregisteredNamespaces: { [SUB]: ["Microsoft.Storage"] }, forbiddenScopes: [`/subscriptions/${OTHER}`, SECRET_ZONE] },
    },
  });
});
afterAll(async () => emu?.close());

const call = () => generic(emu);
async function endpointTo(name: string, target: string, groupIds: string[]): Promise<string> {
  await network(emu, SUB).privateEndpoints.beginCreateOrUpdateAndWait(RG, name, {
    location: "westeurope",
    subnet: { id: SUBNET },
    manualPrivateLinkServiceConnections: [{ name, privateLinkServiceId: target, groupIds, requestMessage: `from ${name}` }],
  });
  const list = await call()("GET", `${target}/privateEndpointConnections?api-version=2099-01-01`);
  const conn = list.body.value.find((c: any) => c.properties.privateEndpoint.id.endsWith(`/${name}`));
  return conn.id;
}

describe("group ids as each service reports them", () => {
  it("SQL carries groupIds, Cosmos DB a singular groupId, Redis and Redis Enterprise none", async () => {
    const sql = (await call()("GET", `${await endpointTo("pe-sql", SQL, ["sqlServer"])}?api-version=2021-11-01`)).body;
    expect(sql.properties.groupIds).toEqual(["sqlServer"]);
    expect(sql.properties.provisioningState).toBe("Ready");
    expect(sql.etag).toBeUndefined();

    const cosmos = (await call()("GET", `${await endpointTo("pe-cosmos", COSMOS, ["Sql"])}?api-version=2024-11-15`)).body;
    expect(cosmos.properties.groupId).toBe("Sql");
    expect(cosmos.properties.groupIds).toBeUndefined();

    const redis = (await call()("GET", `${await endpointTo("pe-redis", REDIS, ["redisCache"])}?api-version=2024-11-01`)).body;
    expect(redis.properties).not.toHaveProperty("groupIds");
    expect(redis.properties).not.toHaveProperty("groupId");
    const amr = (await call()("GET", `${await endpointTo("pe-amr", AMR, ["redisEnterprise"])}?api-version=2025-07-01`)).body;
    expect(amr.properties).not.toHaveProperty("groupIds");
    // The consumer side keeps what was requested.
    const pe = await network(emu, SUB).privateEndpoints.get(RG, "pe-amr");
    expect(pe.manualPrivateLinkServiceConnections?.[0]?.groupIds).toEqual(["redisEnterprise"]);
  });
});

describe("SQL", () => {
  it("approval: 202 without an operation header; settled state Ready", async () => {
    const id = await endpointTo("pe-sql-2", SQL, ["sqlServer"]);
    const put = await call()("PUT", `${id}?api-version=2021-11-01`, {
      properties: { privateLinkServiceConnectionState: { status: "Approved", description: "ok" } },
    });
    expect(put.status).toBe(202);
    expect(put.headers["azure-asyncoperation"]).toBeUndefined();
    expect(put.headers["location"]).toBeUndefined();
    expect((await call()("GET", `${id}?api-version=2021-11-01`)).body.properties.provisioningState).toBe("Ready");
    await sleep(LRO_MS + 30);
    const after = (await call()("GET", `${id}?api-version=2021-11-01`)).body;
    expect(after.properties).toMatchObject({ provisioningState: "Ready", privateLinkServiceConnectionState: { status: "Approved", description: "ok" } });
    const pe = await network(emu, SUB).privateEndpoints.get(RG, "pe-sql-2");
    expect(pe.manualPrivateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState?.status).toBe("Approved");

    const reject = await call()("PUT", `${id}?api-version=2021-11-01`, { properties: { privateLinkServiceConnectionState: { status: "Rejected" } } });
    expect(reject.status).toBe(400);
    expect(reject.body.error.code).toBe("PrivateEndpointConnectionStatusNotPending");
  });

  it("a missing connection is 400 PrivateEndpointConnectionDoesNotExist (GET, PUT, DELETE)", async () => {
    const missing = `${SQL}/privateEndpointConnections/nope?api-version=2021-11-01`;
    for (const [method, body] of [["GET"], ["PUT", { properties: { privateLinkServiceConnectionState: { status: "Approved" } } }], ["DELETE"]] as const) {
      const r = await call()(method, missing, body);
      expect(r.status, method).toBe(400);
      expect(r.body.error.code).toBe("PrivateEndpointConnectionDoesNotExist");
    }
  });

  it("delete: 202 with SQL's own operation URLs, then gone", async () => {
    const id = await endpointTo("pe-sql-3", SQL, ["sqlServer"]);
    const del = await call()("DELETE", `${id}?api-version=2021-11-01`);
    expect(del.status).toBe(202);
    expect(del.body).toMatchObject({ operation: "DropPrivateEndpointConnection" });
    expect(del.headers["azure-asyncoperation"]).toContain(
      `/resourceGroups/${RG}/providers/Microsoft.Sql/locations/westeurope/privateEndpointConnectionAzureAsyncOperation/`,
    );
    const op = await call()("GET", del.headers["azure-asyncoperation"]!);
    expect(op.body.status).toBe("Succeeded");
    expect((await call()("GET", `${id}?api-version=2021-11-01`)).status).toBe(400);
  });
});

describe("Cosmos DB", () => {
  it("approval: 202 Enqueued; the status changes only when the operation ends, provisioningState Succeeded throughout", async () => {
    const id = await endpointTo("pe-cosmos-2", COSMOS, ["Sql"]);
    const put = await call()("PUT", `${id}?api-version=2024-11-15`, {
      properties: { privateLinkServiceConnectionState: { status: "Rejected", description: "no" } },
    });
    expect(put.status).toBe(202);
    expect(put.body).toEqual({ status: "Enqueued" });
    expect(put.headers["azure-asyncoperation"]).toMatch(/\/providers\/Microsoft\.DocumentDB\/locations\/westeurope\/operationsStatus\/[0-9a-f-]{36}\?/);
    expect(put.headers["location"]).toContain(`${id}/operationResults/`);
    const during = (await call()("GET", `${id}?api-version=2024-11-15`)).body.properties;
    expect(during).toMatchObject({ provisioningState: "Succeeded", privateLinkServiceConnectionState: { status: "Pending" } });
    // A poll is held until the operation ends (≤ 1 s away).
    expect((await call()("GET", put.headers["azure-asyncoperation"]!)).body.status).toBe("Succeeded");
    const done = (await call()("GET", `${id}?api-version=2024-11-15`)).body.properties;
    expect(done).toMatchObject({ provisioningState: "Succeeded", privateLinkServiceConnectionState: { status: "Rejected", description: "no" } });
    expect((await call()("GET", put.headers["location"]!)).status).toBe(200);
  });
});

describe("Key Vault delete", () => {
  it("of a missing connection: 204 with no body", async () => {
    const kv = `${P}/Microsoft.KeyVault/vaults/kv-x`;
    emu.load({ resources: [{ id: kv, location: "westeurope", properties: {} }] });
    const r = await raw(emu, "DELETE", `${kv}/privateEndpointConnections/gone?api-version=2026-02-01`);
    expect(r.status).toBe(204);
    expect(r.text).toBe("");
  });
});

describe("refusals", () => {
  it("403 AuthorizationFailed on an unreadable subscription and on an unreadable zone", async () => {
    const sub = await raw(emu, "GET", `/subscriptions/${OTHER}/providers/Microsoft.Network/privateEndpoints?api-version=2025-05-01`);
    expect(sub.status).toBe(403);
    expect(sub.json.error.code).toBe("AuthorizationFailed");
    expect(sub.json.error.message).toContain("'Microsoft.Network/privateEndpoints/read'");
    const err = await privateDns(emu, SUB)
      .recordSets.get(RG, "privatelink.blob.core.windows.net", "A", "x")
      .catch((e) => e);
    expect(err.statusCode).toBe(403);
    expect(err.code).toBe("AuthorizationFailed");
    // The readable zone next to it still answers.
    expect(await collect(privateDns(emu, SUB).recordSets.list(RG, "privatelink.vaultcore.azure.net"))).toEqual([]);
  });

  it("409 MissingSubscriptionRegistration for a namespace the subscription never registered; other namespaces answer", async () => {
    const r = await raw(emu, "GET", `/subscriptions/${SUB}/providers/Microsoft.Storage/storageAccounts?api-version=2023-05-01`);
    expect(r.status).toBe(409);
    expect(r.json.error).toEqual({ code: "MissingSubscriptionRegistration", message: expect.stringContaining("'Microsoft.Storage'") });
    expect((await raw(emu, "GET", `/subscriptions/${SUB}/providers/Microsoft.Cache/redis?api-version=2024-11-01`)).status).toBe(200);
  });

  it("404 ParentResourceNotFound (ARM's recorded wording) for record sets of a zone that does not exist", async () => {
    const dns = privateDns(emu, SUB);
    const err = await dns.recordSets.get(RG, "privatelink.nowhere.net", "A", "x").catch((e) => e);
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe("ParentResourceNotFound");
    const list = await collect(dns.recordSets.list(RG, "privatelink.nowhere.net")).catch((e) => e);
    expect(list.code).toBe("ParentResourceNotFound");
    const put = await dns.recordSets
      .createOrUpdate(RG, "privatelink.nowhere.net", "A", "x", { ttl: 10, aRecords: [{ ipv4Address: "10.0.0.1" }] })
      .catch((e) => e);
    expect(put.message).toContain("Failed to perform 'write' on resource(s) of type 'privateDnsZones/A'");
  });

  it("retired Redis Enterprise / Azure Managed Redis api-versions (before 2025-07-01) are refused; 2025-07-01 and newer unknown ones answer", async () => {
    const old = await raw(emu, "GET", `${AMR}/privateEndpointConnections?api-version=2025-04-01`);
    expect(old.status).toBe(400);
    expect(old.json.error.code).toBe("NoRegisteredProviderFound");
    expect(old.json.error.message).toContain("'2025-04-01'");
    expect((await raw(emu, "GET", `${AMR}/privateEndpointConnections?api-version=2025-07-01`)).status).toBe(200);
    expect((await raw(emu, "GET", `${AMR}/privateEndpointConnections?api-version=2027-01-01-preview`)).status).toBe(200);
    expect(acceptsApiVersion("Microsoft.Cache/redisEnterprise", "2025-04-01")).toBe(false);
    expect(acceptsApiVersion("Microsoft.Cache/redisEnterprise/privateEndpointConnections", "2025-07-01")).toBe(true);
    expect(acceptsApiVersion("Microsoft.Cache/redis", "2024-11-01")).toBe(true);
  });

  it("setRefusals replaces them at run time", async () => {
    emu.setRefusals({});
    expect((await raw(emu, "GET", `/subscriptions/${SUB}/providers/Microsoft.Storage/storageAccounts?api-version=2023-05-01`)).status).toBe(200);
    emu.setRefusals({ unregisteredNamespaces: { [SUB]: ["Microsoft.Storage"] }, forbiddenScopes: [`/subscriptions/${OTHER}`, SECRET_ZONE] });
    expect(emu.snapshot().refusals?.forbiddenScopes).toContain(SECRET_ZONE);
  });
});

describe("the app's api-versions", () => {
  it("every version the app's registry sends is one the emulator (like the real service) accepts", async () => {
    const { PROVIDER_TYPES } = await import("../../shared/model/providerTypes.js");
    for (const p of PROVIDER_TYPES) expect(acceptsApiVersion(p.type, p.apiVersion), `${p.type} ${p.apiVersion}`).toBe(true);
  });
});

describe("Private DNS", () => {
  it("A records hold IPv4 only (an IPv6 address is 400, as Private DNS refuses it); AAAA holds IPv6", async () => {
    const dns = privateDns(emu, SUB);
    const zone = "privatelink.vaultcore.azure.net";
    const bad = await dns.recordSets.createOrUpdate(RG, zone, "A", "kv6", { ttl: 10, aRecords: [{ ipv4Address: "fd00::4" }] }).catch((e) => e);
    expect(bad.statusCode).toBe(400);
    expect(bad.message).toContain("'fd00::4'");
    const aaaa = await dns.recordSets.createOrUpdate(RG, zone, "AAAA", "kv6", { ttl: 10, aaaaRecords: [{ ipv6Address: "fd00::4" }] });
    expect(aaaa.aaaaRecords).toEqual([{ ipv6Address: "fd00::4" }]);
    const v4inAaaa = await dns.recordSets.createOrUpdate(RG, zone, "AAAA", "kv7", { ttl: 10, aaaaRecords: [{ ipv6Address: "10.0.0.4" }] }).catch((e) => e);
    expect(v4inAaaa.statusCode).toBe(400);
    await dns.recordSets.createOrUpdate(RG, zone, "A", "kv4", { ttl: 10, aRecords: [{ ipv4Address: "10.0.0.4" }] });
    const patched = await dns.recordSets.update(RG, zone, "A", "kv4", { aRecords: [{ ipv4Address: "fd00::5" }] }).catch((e) => e);
    expect(patched.statusCode).toBe(400);
    expect((await dns.recordSets.get(RG, zone, "A", "kv4")).aRecords).toEqual([{ ipv4Address: "10.0.0.4" }]);
  });

  it("reads draw on Private DNS's own budget of 500 per 5 minutes per subscription, shown in x-ms-ratelimit-remaining-subscription-resource-requests", async () => {
    const tight = await startEmulator({
      estate: { resources: [{ id: ZONE, location: "global", properties: {} }] },
      throttle: { privateDnsReads: { burst: 3, perSecond: 3 / 300 } },
    });
    try {
      const path = `${ZONE}?api-version=2024-06-01`;
      const seen: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await raw(tight, "GET", path);
        expect(r.status).toBe(200);
        seen.push(String(r.headers["x-ms-ratelimit-remaining-subscription-resource-requests"]));
      }
      expect(seen).toEqual(["2", "1", "0"]);
      const refused = await raw(tight, "GET", path);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers["retry-after"])).toBeGreaterThan(60);
      // Other reads in the subscription are not held by the DNS budget.
      expect((await raw(tight, "GET", `/subscriptions/${SUB}/resourceGroups/${RG}?api-version=2024-11-01`)).status).toBe(200);
    } finally {
      await tight.close();
    }
  });
});

describe("Storage", () => {
  it("approval is a synchronous 200 with actionRequired; delete is 200 with an empty body", async () => {
    const sa = `${P}/Microsoft.Storage/storageAccounts/sa-one`;
    emu.setRefusals({ forbiddenScopes: [`/subscriptions/${OTHER}`, SECRET_ZONE] });
    emu.load({ resources: [{ id: sa, location: "westeurope", properties: {} }] });
    const id = await endpointTo("pe-sa", sa, ["blob"]);
    const put = await call()("PUT", `${id}?api-version=2023-05-01`, {
      properties: { privateLinkServiceConnectionState: { status: "Rejected", description: "" } },
    });
    expect(put.status).toBe(200);
    expect(put.headers["azure-asyncoperation"]).toBeUndefined();
    expect(put.body.etag).toBeUndefined();
    expect(put.body.properties).toEqual({
      privateEndpoint: expect.any(Object),
      provisioningState: "Succeeded",
      privateLinkServiceConnectionState: { status: "Rejected", description: "", actionRequired: "None" },
    });
    const del = await raw(emu, "DELETE", `${id}?api-version=2023-05-01`);
    expect(del.status).toBe(200);
    expect(del.text).toBe("");
    const pe = await network(emu, SUB).privateEndpoints.get(RG, "pe-sa");
    expect(pe.manualPrivateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState).toEqual({
      status: "Disconnected",
      description: "",
      actionsRequired: "None",
    });
  });
});

describe("connections", () => {
  it("stay open between calls (keep-alive), as ARM's do", async () => {
    const { Agent, request } = await import("node:https");
    const agent = new Agent({ keepAlive: true, ca: emu.ca });
    const sockets = new Set<unknown>();
    const get = () =>
      new Promise<void>((resolve, reject) => {
        const r = request(
          `${emu.url}/subscriptions/${SUB}/resourceGroups/${RG}?api-version=2024-11-01`,
          { agent, headers: { authorization: "Bearer t" } },
          (res) => {
            sockets.add(res.socket);
            res.resume();
            res.on("end", () => resolve());
          },
        );
        r.on("error", reject);
        r.end();
      });
    await get();
    await sleep(1500); // longer than the 1 s the emulator used to keep idle connections
    await get();
    expect(sockets.size).toBe(1);
    agent.destroy();
  });
});
