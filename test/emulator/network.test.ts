// Microsoft.Network through @azure/arm-network: Private Link Service approve (a
// plain PUT) and connection delete (long-running), endpoints listed by
// subscription with paging, and a provider type (Storage) driven over a generic
// @azure/core-client pipeline with core-lro polling. Also snapshot → load.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpPoller } from "@azure/core-lro";
import { startEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import { collect, generic, network } from "./helpers.js";

const SUB = "44444444-4444-4444-4444-444444444444";
const OTHER = "55555555-5555-5555-5555-555555555555";
const PLS = `/subscriptions/${SUB}/resourceGroups/rg-svc/providers/Microsoft.Network/privateLinkServices/pls1`;
const STORAGE = `/subscriptions/${SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stdata`;
const SUBNET = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/spoke/subnets/pe`;

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({
    pageSize: 2,
    estate: {
      resources: [
        { id: PLS, location: "northeurope", properties: { visibility: { subscriptions: ["*"] } } },
        { id: STORAGE, location: "northeurope", kind: "StorageV2", properties: {} },
        { id: SUBNET, properties: { addressPrefix: "10.30.0.0/26" } },
      ],
    },
  });
});
afterAll(async () => emu?.close());

describe("Private Link Service connections", () => {
  it("approve through updatePrivateEndpointConnection (plain PUT, final body); the consumer follows", async () => {
    const net = network(emu, SUB);
    await net.privateEndpoints.beginCreateOrUpdateAndWait("rg-app", "pe-pls", {
      location: "northeurope",
      subnet: { id: SUBNET },
      manualPrivateLinkServiceConnections: [{ name: "to-pls", privateLinkServiceId: PLS, requestMessage: "hello" }],
    });
    const [conn] = await collect(net.privateLinkServices.listPrivateEndpointConnections("rg-svc", "pls1"));
    expect(conn).toMatchObject({ privateLinkServiceConnectionState: { status: "Pending", description: "hello" }, privateEndpointLocation: "northeurope" });

    let headers: Record<string, string> = {};
    const updated = await net.privateLinkServices.updatePrivateEndpointConnection(
      "rg-svc",
      "pls1",
      conn!.name!,
      { name: conn!.name, privateLinkServiceConnectionState: { status: "Approved", description: "ok" } },
      { onResponse: (r) => (headers = r.headers.toJSON()) },
    );
    expect(updated.privateLinkServiceConnectionState).toEqual({ status: "Approved", description: "ok", actionsRequired: "None" });
    expect(updated.provisioningState).toBe("Succeeded");
    expect(headers["azure-asyncoperation"]).toBeUndefined();
    const pe = await net.privateEndpoints.get("rg-app", "pe-pls");
    expect(pe.manualPrivateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState?.status).toBe("Approved");
    // No known public FQDN for a PLS: an IP, but no customDnsConfigs.
    expect(pe.customDnsConfigs).toEqual([]);
    expect((await net.privateLinkServices.get("rg-svc", "pls1")).privateEndpointConnections?.[0]?.privateLinkServiceConnectionState?.status).toBe("Approved");
  });

  it("beginDeletePrivateEndpointConnectionAndWait completes: 202 + Azure-AsyncOperation + Location, then gone; consumer Disconnected", async () => {
    const net = network(emu, SUB);
    const [conn] = await collect(net.privateLinkServices.listPrivateEndpointConnections("rg-svc", "pls1"));
    emu.clearCalls();
    await net.privateLinkServices.beginDeletePrivateEndpointConnectionAndWait("rg-svc", "pls1", conn!.name!);
    expect(emu.calls[0]).toMatchObject({ method: "DELETE", status: 202, kind: "delete" });
    expect(emu.calls.slice(1).every((c) => c.kind === "operation" && c.status === 200)).toBe(true);
    expect(await collect(net.privateLinkServices.listPrivateEndpointConnections("rg-svc", "pls1"))).toEqual([]);
    const pe = await net.privateEndpoints.get("rg-app", "pe-pls");
    expect(pe.manualPrivateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState?.status).toBe("Disconnected");
  });
});

describe("endpoints across resource groups and subscriptions", () => {
  it("listBySubscription and list(rg) page with nextLink (pageSize 2)", async () => {
    const net = network(emu, SUB);
    for (const [rg, name] of [
      ["rg-a", "pe-a1"],
      ["rg-a", "pe-a2"],
      ["rg-b", "pe-b1"],
      ["rg-b", "pe-b2"],
    ]) {
      await net.privateEndpoints.beginCreateOrUpdateAndWait(rg!, name!, {
        location: "northeurope",
        subnet: { id: SUBNET },
        manualPrivateLinkServiceConnections: [{ name: "c", privateLinkServiceId: STORAGE, groupIds: ["blob"] }],
      });
    }
    await network(emu, OTHER).privateEndpoints.beginCreateOrUpdateAndWait("rg-x", "pe-x", { location: "westus" });
    emu.clearCalls();
    const all = await collect(net.privateEndpoints.listBySubscription());
    expect(all.map((p) => p.name)).toEqual(["pe-pls", "pe-a1", "pe-a2", "pe-b1", "pe-b2"]);
    expect(emu.calls.length).toBe(3);
    expect((await collect(net.privateEndpoints.list("rg-b"))).map((p) => p.name)).toEqual(["pe-b1", "pe-b2"]);
    // Storage blob FQDN and distinct addresses from the subnet's prefix.
    const b1 = all.find((p) => p.name === "pe-b1")!;
    expect(b1.customDnsConfigs?.[0]?.fqdn).toBe("stdata.blob.core.windows.net");
    expect(new Set(all.map((p) => p.customDnsConfigs?.[0]?.ipAddresses?.[0] ?? "none")).size).toBe(5);
  });

  it("a private DNS zone group needs its endpoint (404 ParentResourceNotFound) and is long-running", async () => {
    const net = network(emu, SUB);
    const zoneId = `/subscriptions/${SUB}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net`;
    const group = { privateDnsZoneConfigs: [{ name: "blob", privateDnsZoneId: zoneId }] };
    const err = await net.privateDnsZoneGroups.beginCreateOrUpdateAndWait("rg-a", "pe-missing", "default", group).catch((e) => e);
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe("ParentResourceNotFound");
    const made = await net.privateDnsZoneGroups.beginCreateOrUpdateAndWait("rg-a", "pe-a1", "default", group);
    expect(made).toMatchObject({ name: "default", provisioningState: "Succeeded", privateDnsZoneConfigs: [{ name: "blob", privateDnsZoneId: zoneId }] });
  });
});

describe("virtual networks", () => {
  it("a VNet body with embedded subnets loads as VNet + subnet children; endpoints take addresses from the subnet prefix", async () => {
    const vnet = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub2`;
    emu.load({
      resources: [
        {
          id: vnet,
          location: "northeurope",
          properties: { addressSpace: { addressPrefixes: ["172.16.0.0/16"] }, subnets: [{ name: "pe", properties: { addressPrefix: "172.16.8.0/24" } }] },
        },
      ],
    });
    const net = network(emu, SUB);
    const subnet = await net.subnets.get("rg-net", "hub2", "pe");
    expect(subnet).toMatchObject({ id: `${vnet}/subnets/pe`, name: "pe", addressPrefix: "172.16.8.0/24" });
    expect((await net.virtualNetworks.get("rg-net", "hub2")).subnets?.map((x) => x.id)).toEqual([`${vnet}/subnets/pe`]);
    const pe = await net.privateEndpoints.beginCreateOrUpdateAndWait("rg-app", "pe-hub2", {
      location: "northeurope",
      subnet: { id: subnet.id },
      manualPrivateLinkServiceConnections: [{ name: "c", privateLinkServiceId: STORAGE, groupIds: ["file"] }],
    });
    expect(pe.customDnsConfigs).toEqual([{ fqdn: "stdata.file.core.windows.net", ipAddresses: ["172.16.8.4"] }]);
    await net.privateEndpoints.beginDeleteAndWait("rg-app", "pe-hub2");
  });
});

describe("customDnsConfigs written by the caller", () => {
  it("are kept after the platform's entries, while the NIC carries only the platform's FQDNs", async () => {
    const net = network(emu, SUB);
    const pe = await net.privateEndpoints.beginCreateOrUpdateAndWait("rg-app", "pe-claims", {
      location: "northeurope",
      subnet: { id: SUBNET },
      privateLinkServiceConnections: [{ name: "c", privateLinkServiceId: STORAGE, groupIds: ["blob"] }],
      customDnsConfigs: [{ fqdn: "someone-else.vault.azure.net", ipAddresses: ["10.99.0.1"] }],
    });
    expect(pe.customDnsConfigs!.map((c) => c.fqdn)).toEqual(["stdata.blob.core.windows.net", "someone-else.vault.azure.net"]);
    const nic = await net.networkInterfaces.get("rg-app", pe.networkInterfaces![0]!.id!.split("/").pop()!);
    expect(nic.ipConfigurations!.flatMap((c) => c.privateLinkConnectionProperties?.fqdns ?? [])).toEqual(["stdata.blob.core.windows.net"]);
    // An update that rewrites them keeps the platform's entry first.
    const again = await net.privateEndpoints.beginCreateOrUpdateAndWait("rg-app", "pe-claims", {
      ...pe,
      customDnsConfigs: [{ fqdn: "other.vault.azure.net", ipAddresses: ["10.99.0.2"] }],
    });
    expect(again.customDnsConfigs!.map((c) => c.fqdn)).toEqual(["stdata.blob.core.windows.net", "other.vault.azure.net"]);
    await net.privateEndpoints.beginDeleteAndWait("rg-app", "pe-claims");
  });
});

describe("generic core-client pipeline (Storage)", () => {
  it("approves a Storage connection: a synchronous 200 (as recorded) that core-lro takes as done", async () => {
    const call = generic(emu);
    const list = (await call("GET", `${STORAGE}/privateEndpointConnections?api-version=2023-05-01`)).body;
    expect(list.value).toHaveLength(2); // first page (pageSize 2) of 4
    expect(list.nextLink).toMatch(new RegExp(`^${emu.url}/subscriptions/${SUB}/resourceGroups/rg-data/.*\\$skipToken=2`));
    expect((await call("GET", list.nextLink)).body.value).toHaveLength(2);
    const target = list.value[0];
    expect(target.properties).toMatchObject({ privateLinkServiceConnectionState: { status: "Pending" } });
    // Real Storage connections carry no groupIds (recorded); the endpoint's own entry does.
    expect(target.properties.groupIds).toBeUndefined();

    const id = target.id as string;
    const body = { properties: { privateLinkServiceConnectionState: { status: "Approved", description: "generic" } } };
    const poller = createHttpPoller<any, any>(
      {
        sendInitialRequest: async () => {
          const r = await call("PUT", `${id}?api-version=2023-05-01`, body);
          return {
            flatResponse: r.body,
            rawResponse: { statusCode: r.status, headers: r.headers, body: r.body, request: { method: "PUT", url: `${emu.url}${id}?api-version=2023-05-01` } },
          };
        },
        sendPollRequest: async (path: string) => {
          const r = await call("GET", path);
          return { flatResponse: r.body, rawResponse: { statusCode: r.status, headers: r.headers, body: r.body, request: { method: "GET", url: path } } };
        },
      },
      { resourceLocationConfig: "azure-async-operation" },
    );
    const final = await poller.pollUntilDone();
    // Storage spells it actionRequired (recorded).
    expect(final.properties).toMatchObject({
      provisioningState: "Succeeded",
      privateLinkServiceConnectionState: { status: "Approved", description: "generic", actionRequired: "None" },
    });
    const pe = await network(emu, SUB).privateEndpoints.get("rg-a", "pe-a1");
    expect(pe.manualPrivateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState?.status).toBe("Approved");
    // The storage account GET lists its connections as whole resources.
    const account = (await call("GET", `${STORAGE}?api-version=2023-05-01`)).body;
    expect(account.properties.privateEndpointConnections.map((c: any) => c.id)).toContain(id);
  });
});

describe("snapshot and load", () => {
  it("a snapshot loaded into a fresh emulator snapshots the same", async () => {
    const snap = emu.snapshot();
    expect(snap.resources.filter((r) => r.type === "Microsoft.Network/networkInterfaces").length).toBe(6);
    const copy = await startEmulator({ estate: snap });
    try {
      const byId = (e: { resources: any[] }) => [...e.resources].sort((a, b) => a.id.localeCompare(b.id));
      expect(byId(copy.snapshot())).toEqual(byId(snap));
      const pe = await network(copy, SUB).privateEndpoints.get("rg-b", "pe-b2");
      expect(pe.provisioningState).toBe("Succeeded");
    } finally {
      await copy.close();
    }
  });
});
