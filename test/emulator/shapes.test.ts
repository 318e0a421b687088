// The emulator answers in the shapes of the real REST examples: an estate made
// of example response bodies reads back, through the real SDK clients, exactly as
// the same SDK deserialises the example itself.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import {
  collect,
  example,
  exampleBody,
  flattenProperties,
  generic,
  keyVault,
  keyVaultFromExample,
  network,
  networkFromExample,
  privateDns,
  privateDnsFromExample,
  uniqueById,
} from "./helpers.js";

const SUB = "00000000-0000-0000-0000-000000000000";

function useEmulator(resources: () => any[]) {
  const ref: { emu?: Emulator } = {};
  beforeAll(async () => {
    ref.emu = await startEmulator({ estate: { resources: resources() }, throttle: false });
  });
  afterAll(async () => ref.emu?.close());
  return () => ref.emu!;
}

describe("private endpoints (PrivateEndpointGet*.json, PrivateEndpointList.json)", () => {
  const get = exampleBody("network/2025-03-01/PrivateEndpointGet.json");
  const manual = exampleBody("network/2025-03-01/PrivateEndpointGetForManualApproval.json");
  const emu = useEmulator(() => [get]);

  it("GET returns the example body verbatim and the SDK result equals the SDK's view of the example", async () => {
    expect((await generic(emu())("GET", `${get.id}?api-version=2025-05-01`)).body).toEqual(get);
    const fromEmu = await network(emu(), SUB).privateEndpoints.get("rg1", "testPe");
    const fromRef = await networkFromExample(get, SUB).privateEndpoints.get("rg1", "testPe");
    expect(fromEmu).toEqual(fromRef);
  });

  it("manual-approval endpoint replaces it on load and reads back the same way", async () => {
    emu().load({ resources: [manual] });
    const fromEmu = await network(emu(), SUB).privateEndpoints.get("rg1", "testPe");
    expect(fromEmu).toEqual(await networkFromExample(manual, SUB).privateEndpoints.get("rg1", "testPe"));
    expect(fromEmu.manualPrivateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState?.status).toBe("Pending");
  });

  describe("list", () => {
    const list = exampleBody("network/2025-03-01/PrivateEndpointList.json");
    const emu2 = useEmulator(() => list.value);
    it("list by resource group equals the example list through the SDK", async () => {
      const fromEmu = await collect(network(emu2(), SUB).privateEndpoints.list("rg1"));
      const fromRef = await collect(networkFromExample(list, SUB).privateEndpoints.list("rg1"));
      expect(fromEmu).toEqual(fromRef);
      expect(fromEmu.map((p) => p.name)).toEqual(["pe1", "pe2"]);
    });
  });
});

describe("Key Vault connections (getPrivateEndpointConnection / listPrivateEndpointConnection)", () => {
  const get = exampleBody("keyvault/2025-05-01/getPrivateEndpointConnection.json");
  const list = exampleBody("keyvault/2025-05-01/listPrivateEndpointConnection.json");
  const vaultId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/sample-group/providers/Microsoft.KeyVault/vaults/sample-vault";
  const emu = useEmulator(() => [{ id: vaultId, location: "westus", properties: { tenantId: SUB } }, get]);

  it("get: raw body and SDK result match the example", async () => {
    expect((await generic(emu())("GET", `${get.id}?api-version=2026-02-01`)).body).toEqual(get);
    const fromEmu = await keyVault(emu(), SUB).privateEndpointConnections.get("sample-group", "sample-vault", "sample-pec");
    expect(fromEmu).toEqual(await keyVaultFromExample(get, SUB).privateEndpointConnections.get("sample-group", "sample-vault", "sample-pec"));
  });

  it("list: same items as the example (which repeats one connection twice)", async () => {
    const fromEmu = await collect(keyVault(emu(), SUB).privateEndpointConnections.listByResource("sample-group", "sample-vault"));
    const fromRef = uniqueById(await collect(keyVaultFromExample(list, SUB).privateEndpointConnections.listByResource("sample-group", "sample-vault")));
    expect(fromEmu).toEqual(fromRef);
  });

  it("the vault GET embeds its current connections as {id, etag, properties}", async () => {
    const vault = (await generic(emu())("GET", `${vaultId}?api-version=2026-02-01`)).body;
    expect(vault.properties.privateEndpointConnections).toEqual([{ id: get.id, etag: get.etag, properties: get.properties }]);
  });

  it("a vault body with embedded connections is split into child resources on load", async () => {
    const id2 = vaultId.replace("sample-vault", "vault2");
    const conn = { id: `${id2}/privateEndpointConnections/pec2`, etag: "", properties: get.properties };
    emu().load({ resources: [{ id: id2, location: "westus", properties: { privateEndpointConnections: [conn] } }] });
    const c = await keyVault(emu(), SUB).privateEndpointConnections.get("sample-group", "vault2", "PEC2");
    expect(c).toMatchObject({
      id: conn.id,
      name: "pec2",
      type: "Microsoft.KeyVault/vaults/privateEndpointConnections",
      privateLinkServiceConnectionState: { status: "Approved" },
    });
  });
});

describe("Private DNS record sets (RecordSetAGet.json / RecordSetAList.json)", () => {
  const get = exampleBody("privatedns/2024-06-01/RecordSetAGet.json");
  const list = exampleBody("privatedns/2024-06-01/RecordSetAList.json");
  const zoneId = "/subscriptions/subscriptionId/resourceGroups/resourceGroup1/providers/Microsoft.Network/privateDnsZones/privatezone1.com";
  const emu = useEmulator(() => [{ id: zoneId, location: "global", properties: {} }, get, ...list.value]);

  it("get (name asked in another case) equals the example through the SDK", async () => {
    const fromEmu = await privateDns(emu(), "subscriptionId").recordSets.get("resourceGroup1", "privatezone1.com", "A", "recordA");
    expect(fromEmu).toEqual(await privateDnsFromExample(get, "subscriptionId").recordSets.get("resourceGroup1", "privatezone1.com", "A", "recordA"));
    expect((await generic(emu())("GET", `${get.id}?api-version=2024-06-01`)).body).toEqual(get);
  });

  it("listByType returns the example items (plus the one from RecordSetAGet)", async () => {
    const fromEmu = await collect(privateDns(emu(), "subscriptionId").recordSets.listByType("resourceGroup1", "privatezone1.com", "A"));
    const fromRef = await collect(
      privateDnsFromExample({ value: list.value }, "subscriptionId").recordSets.listByType("resourceGroup1", "privatezone1.com", "A"),
    );
    const refGet = await privateDnsFromExample(get, "subscriptionId").recordSets.get("resourceGroup1", "privatezone1.com", "A", "recorda");
    expect(fromEmu).toEqual([refGet, ...fromRef]);
  });
});

describe("Private Link Service connections (PrivateLinkService*.json)", () => {
  const get = exampleBody("network/2025-03-01/PrivateLinkServiceGetPrivateEndpointConnection.json");
  const update = exampleBody("network/2025-03-01/PrivateLinkServiceUpdatePrivateEndpointConnection.json");
  const updateParams = flattenProperties(example("network/2025-03-01/PrivateLinkServiceUpdatePrivateEndpointConnection.json").parameters.parameters);
  const plsId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.Network/privateLinkServices/testPls";
  const pending = { ...get, properties: { ...get.properties, privateLinkServiceConnectionState: { status: "Pending", description: "please" } } };
  const emu = useEmulator(() => [{ id: plsId, location: "eastus", properties: {} }, pending]);
  // Loading fills `type` from the id, as real GETs carry it.
  const withType = (b: any) => ({ ...b, type: "Microsoft.Network/privateLinkServices/privateEndpointConnections" });

  it("updatePrivateEndpointConnection (plain PUT) answers the example's final body", async () => {
    const fromEmu = await network(emu(), SUB).privateLinkServices.updatePrivateEndpointConnection("rg1", "testPls", "testPlePeConnection", updateParams);
    const fromRef = await networkFromExample(withType(update), SUB).privateLinkServices.updatePrivateEndpointConnection(
      "rg1",
      "testPls",
      "testPlePeConnection",
      updateParams,
    );
    const { etag, provisioningState, ...rest } = fromEmu;
    expect(etag).toMatch(/^W\/"[0-9a-f-]{36}"$/);
    expect(provisioningState).toBe("Succeeded");
    expect(rest).toEqual(Object.fromEntries(Object.entries(fromRef).filter(([k]) => k !== "etag" && k !== "provisioningState")));
  });

  it("getPrivateEndpointConnection then reads like the example", async () => {
    const fromEmu = await network(emu(), SUB).privateLinkServices.getPrivateEndpointConnection("rg1", "testPls", "testPlePeConnection");
    const fromRef = await networkFromExample(withType(get), SUB).privateLinkServices.getPrivateEndpointConnection("rg1", "testPls", "testPlePeConnection");
    expect({ ...fromEmu, etag: undefined, provisioningState: undefined }).toEqual({ ...fromRef, etag: undefined, provisioningState: undefined });
  });

  describe("list", () => {
    const list = exampleBody("network/2025-03-01/PrivateLinkServiceListPrivateEndpointConnection.json");
    const emu2 = useEmulator(() => [{ id: plsId, location: "eastus", properties: {} }, ...list.value]);
    it("listPrivateEndpointConnections equals the example list", async () => {
      const fromEmu = await collect(network(emu2(), SUB).privateLinkServices.listPrivateEndpointConnections("rg1", "testPls"));
      const fromRef = await collect(
        networkFromExample({ value: list.value.map(withType) }, SUB).privateLinkServices.listPrivateEndpointConnections("rg1", "testPls"),
      );
      expect(fromEmu).toEqual(fromRef);
      const pls = await network(emu2(), SUB).privateLinkServices.get("rg1", "testPls");
      expect(pls.privateEndpointConnections?.map((c) => c.name)).toEqual(["testPlePeConnection1", "testPlePeConnection2"]);
    });
  });
});

describe("Redis and Redis Enterprise connections (generic pipeline)", () => {
  const redisGet = exampleBody("redis/2024-11-01/RedisCacheGetPrivateEndpointConnection.json");
  const redisList = exampleBody("redis/2024-11-01/RedisCacheListPrivateEndpointConnections.json");
  const reGet = exampleBody("redisenterprise/2025-04-01/RedisEnterpriseGetPrivateEndpointConnection.json");
  const reList = exampleBody("redisenterprise/2025-04-01/RedisEnterpriseListPrivateEndpointConnections.json");
  const parent = (id: string) => id.split("/privateEndpointConnections/")[0]!;
  const emu = useEmulator(() => [
    { id: parent(redisGet.id), location: "westus", properties: {} },
    redisGet,
    { id: parent(reGet.id), location: "westus", properties: {} },
    reGet,
    { id: parent(reList.value[0].id), location: "westus", properties: {} },
    ...reList.value,
  ]);

  it("Redis: get and list (ids with a literal {subscriptionId}) answer the example bodies", async () => {
    const call = generic(emu());
    expect((await call("GET", `${redisGet.id}?api-version=2024-11-01`)).body).toEqual(redisGet);
    expect((await call("GET", `${parent(redisGet.id)}/privateEndpointConnections?api-version=2024-11-01`)).body).toEqual({
      value: uniqueById(redisList.value),
    });
  });

  it("Redis Enterprise: get and list answer the example bodies; the cluster embeds connection ids", async () => {
    const call = generic(emu());
    expect((await call("GET", `${reGet.id}?api-version=2025-07-01`)).body).toEqual(reGet);
    expect((await call("GET", `${parent(reList.value[0].id)}/privateEndpointConnections?api-version=2025-07-01`)).body).toEqual({
      value: uniqueById(reList.value),
    });
    const cluster = (await call("GET", `${parent(reGet.id)}?api-version=2025-07-01`)).body;
    expect(cluster.properties.privateEndpointConnections).toEqual([{ id: reGet.id }]);
  });
});

describe("private endpoint create (PrivateEndpointCreateForManualApproval.json)", () => {
  const { parameters } = example("network/2025-03-01/PrivateEndpointCreateForManualApproval.json");
  const response = exampleBody("network/2025-03-01/PrivateEndpointCreateForManualApproval.json");
  const plsId = parameters.parameters.properties.manualPrivateLinkServiceConnections[0].properties.privateLinkServiceId;
  const emu = useEmulator(() => [{ id: plsId, location: "eastus", properties: {} }]);

  it("creates an endpoint shaped like the example response and a Pending connection on the service", async () => {
    const pe = await network(emu(), "subId").privateEndpoints.beginCreateOrUpdateAndWait("rg1", "testPe", flattenProperties(parameters.parameters));
    expect(pe).toMatchObject({
      name: response.name,
      id: response.id,
      location: response.location,
      provisioningState: "Succeeded",
      customNetworkInterfaceName: "testPeNic",
      ipConfigurations: flattenProperties(response.properties.ipConfigurations),
      subnet: { id: response.properties.subnet.id },
      manualPrivateLinkServiceConnections: [
        {
          privateLinkServiceId: plsId,
          groupIds: ["groupIdFromResource"],
          requestMessage: "Please manually approve my connection.",
          privateLinkServiceConnectionState: { status: "Pending" },
        },
      ],
      privateLinkServiceConnections: [],
    });
    expect(pe.networkInterfaces?.[0]?.id).toMatch(/\/networkInterfaces\/testPeNic$/);
    const conns = await collect(network(emu(), "subId").privateLinkServices.listPrivateEndpointConnections("rg1", "testPls"));
    expect(conns).toHaveLength(1);
    expect(conns[0]).toMatchObject({
      privateEndpoint: { id: response.id },
      privateLinkServiceConnectionState: { status: "Pending", description: "Please manually approve my connection." },
    });
    expect(conns[0]!.name).toMatch(/^testPe\.[0-9a-f-]{36}$/);
  });
});
