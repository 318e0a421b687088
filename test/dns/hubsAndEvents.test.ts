// DNS at landing-zone scale (issue 13): the same zone in several hubs gets every record;
// dns.ownerId marks (and limits) what this deployment owns; a network interface write
// follows its endpoint so an IP change reaches the records at once; a human's approval
// writes the record on its own event.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import type { ResourceEvent } from "../../shared/events/index.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { CONSUMER, PROVIDER, consumerVnet, createEndpoint, parent, vaultId } from "../helpers/world.js";

const HUB_WEU = `/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-dns-weu`;
const HUB_NEU = `/subscriptions/44444444-4444-4444-4444-444444444444/resourceGroups/rg-dns-neu`;
const ZONE = "privatelink.vaultcore.azure.net";
const zoneRes = (rg: string) => ({
  id: `${rg}/providers/Microsoft.Network/privateDnsZones/${ZONE}`,
  type: "Microsoft.Network/privateDnsZones",
  location: "global",
  properties: {},
});
const recordId = (rg: string, name: string) => `${rg}/providers/Microsoft.Network/privateDnsZones/${ZONE}/A/${name}`;

const allowList = (dns: string, rule = `    - name: spokes\n      requesterSubscriptions: [${CONSUMER}]\n`) => `
approval:
  managedScopes: [/subscriptions/${PROVIDER}]
  rules:
${rule}dns:
${dns}`;
const twoHubs = `  zones:\n    - name: ${ZONE}\n      resourceGroupId: ${HUB_WEU}\n    - name: ${ZONE}\n      resourceGroupId: ${HUB_NEU}\n`;

let local: LocalArm | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
});

async function world(text: string, extra: any[] = []) {
  local = await startLocalArm(
    { resources: [parent(vaultId("kv-shared"), "Microsoft.KeyVault/vaults"), consumerVnet("rg-app"), zoneRes(HUB_WEU), zoneRes(HUB_NEU), ...extra] },
    { throttle: false },
  );
  const config = parseConfigText(text, "a.yaml");
  if (!config.ok) throw new Error(JSON.stringify(config.problems));
  return { l: local, autopilot: new Autopilot({ arm: local.arm, config }) };
}

let n = 0;
const event = (resourceId: string, operationName: string, kind: "write" | "delete" = "write"): ResourceEvent => ({
  id: `ev-${++n}`,
  schema: "eventgrid",
  eventType: kind === "write" ? "Microsoft.Resources.ResourceWriteSuccess" : "Microsoft.Resources.ResourceDeleteSuccess",
  kind,
  resourceId,
  resourceType: operationName.split("/").slice(0, -1).join("/"),
  operationName,
  caller: {},
});
const ips = (l: LocalArm, rg: string) => l.emulator.getResource(recordId(rg, "kv-shared"))?.properties?.aRecords?.map((a: any) => a.ipv4Address);

describe("several hubs", () => {
  it("validate accepts the same zone name in two hubs, and refuses the same copy twice", () => {
    expect(parseConfigText(allowList(twoHubs), "a.yaml").ok).toBe(true);
    const twice = parseConfigText(
      allowList(`  zones:\n    - name: ${ZONE}\n      resourceGroupId: ${HUB_WEU}\n    - name: ${ZONE}\n      resourceGroupId: ${HUB_WEU}\n`),
      "a.yaml",
    );
    expect(!twice.ok && twice.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^duplicate zone 'privatelink.vaultcore.azure.net' in .*rg-dns-weu/),
    ]);
  });

  it("writes the record in every copy, and removes it from every copy when the endpoint goes", async () => {
    const { l, autopilot } = await world(allowList(twoHubs));
    const pe = await createEndpoint(l, "pe-kv", vaultId("kv-shared"), { rg: "rg-app" });
    const ds = await autopilot.handleEvent(event(pe, "Microsoft.Network/privateEndpoints/write"));
    expect(ds.filter((d) => d.action === "dns-create").map((d) => [d.resource, d.outcome])).toEqual([
      [recordId(HUB_WEU, "kv-shared"), "applied"],
      [recordId(HUB_NEU, "kv-shared"), "applied"],
    ]);
    expect(ips(l, HUB_WEU)).toEqual(ips(l, HUB_NEU));
    await l.arm.networkFor(CONSUMER).privateEndpoints.beginDeleteAndWait("rg-app", "pe-kv", { updateIntervalInMs: 10 });
    const gone = await autopilot.handleEvent(event(pe, "Microsoft.Network/privateEndpoints/delete", "delete"));
    expect(
      gone
        .filter((d) => d.action === "dns-delete")
        .map((d) => d.resource)
        .sort(),
    ).toEqual([recordId(HUB_NEU, "kv-shared"), recordId(HUB_WEU, "kv-shared")].sort());
    expect(l.emulator.getResource(recordId(HUB_WEU, "kv-shared"))).toBeUndefined();
    expect(l.emulator.getResource(recordId(HUB_NEU, "kv-shared"))).toBeUndefined();
  });
});

describe("dns.ownerId", () => {
  const otherInstall = (rg: string) => ({
    id: recordId(rg, "kv-shared"),
    type: "Microsoft.Network/privateDnsZones/A",
    properties: {
      ttl: 600,
      aRecords: [{ ipv4Address: "10.99.0.9" }],
      metadata: { managedBy: "pla-test", owner: "/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/privateEndpoints/z" },
    },
  });

  it("marks what it writes with the owner id, and leaves another deployment's record alone", async () => {
    const { l, autopilot } = await world(allowList(`  ownerId: pla-prod\n${twoHubs}`), [otherInstall(HUB_NEU)]);
    const pe = await createEndpoint(l, "pe-kv", vaultId("kv-shared"), { rg: "rg-app" });
    const ds = await autopilot.handleEvent(event(pe, "Microsoft.Network/privateEndpoints/write"));
    expect(l.emulator.getResource(recordId(HUB_WEU, "kv-shared"))?.properties?.metadata).toMatchObject({ managedBy: "pla-prod", owner: pe });
    expect(ds.find((d) => d.resource === recordId(HUB_NEU, "kv-shared"))).toMatchObject({ action: "dns-conflict" });
    expect(l.emulator.getResource(recordId(HUB_NEU, "kv-shared"))?.properties?.metadata).toMatchObject({ managedBy: "pla-test" });
    expect(ips(l, HUB_NEU)).toEqual(["10.99.0.9"]);
  });

  it("defaults to the app's name, so existing records stay owned", () => {
    const c = parseConfigText(allowList(twoHubs), "a.yaml");
    expect(c.ok && c.config.dns.ownerId).toBe("privatelink-autopilot");
  });
});

describe("events that lead to DNS", () => {
  it("a network interface write follows the NIC to its endpoint: a changed IP reaches the record at once", async () => {
    const { l, autopilot } = await world(allowList(`  zones:\n    - name: ${ZONE}\n      resourceGroupId: ${HUB_WEU}\n`));
    const pe = await createEndpoint(l, "pe-kv", vaultId("kv-shared"), { rg: "rg-app" });
    await autopilot.handleEvent(event(pe, "Microsoft.Network/privateEndpoints/write"));
    const body = l.emulator.getResource(pe)!;
    const nicId: string = body.properties!.networkInterfaces[0].id;
    // The IP configuration changes: the NIC (and the endpoint's view of it) carry the new address.
    const nic = l.emulator.getResource(nicId)!;
    nic.properties!.ipConfigurations[0].properties.privateIPAddress = "10.10.1.200";
    body.properties!.customDnsConfigs[0].ipAddresses = ["10.10.1.200"];
    l.emulator.load({ resources: [nic, body] });
    const ds = await autopilot.handleEvent(event(nicId, "Microsoft.Network/networkInterfaces/write"));
    expect(ds.filter((d) => d.action.startsWith("dns-")).map((d) => [d.action, d.outcome])).toEqual([["dns-update", "applied"]]);
    expect(ips(l, HUB_WEU)).toEqual(["10.10.1.200"]);
    // A NIC of no endpoint (a VM's): one read, nothing else.
    const vmNic = `/subscriptions/${CONSUMER}/resourceGroups/rg-app/providers/Microsoft.Network/networkInterfaces/vm-nic`;
    l.emulator.load({ resources: [{ id: vmNic, type: "Microsoft.Network/networkInterfaces", location: "westeurope", properties: { ipConfigurations: [] } }] });
    expect(await autopilot.handleEvent(event(vmNic, "Microsoft.Network/networkInterfaces/write"))).toEqual([
      expect.objectContaining({ action: "ignore", reason: expect.stringMatching(/belongs to no private endpoint/) }),
    ]);
  });

  it("a human's approval on the provider side writes the record on that approval's own event", async () => {
    // No rule allows the requester: a person approves in the portal.
    const { l, autopilot } = await world(
      allowList(
        `  zones:\n    - name: ${ZONE}\n      resourceGroupId: ${HUB_WEU}\n`,
        `    - name: others\n      requesterSubscriptions: [99999999-9999-9999-9999-999999999999]\n`,
      ),
    );
    const pe = await createEndpoint(l, "pe-kv", vaultId("kv-shared"), { rg: "rg-app" });
    expect((await autopilot.handleEvent(event(pe, "Microsoft.Network/privateEndpoints/write"))).map((d) => d.action)).toEqual(["leave-pending", "dns-skip"]);
    const [conn] = await autopilot.connections.listConnections(vaultId("kv-shared"));
    await autopilot.connections.setState(conn!, "Approved", "approved by a person"); // as the portal does
    const ds = await autopilot.handleEvent(event(conn!.id, "Microsoft.KeyVault/vaults/privateEndpointConnections/write"));
    expect(ds.map((d) => [d.action, d.outcome])).toEqual([
      ["ignore", "skipped"],
      ["dns-create", "applied"],
    ]);
    expect(ips(l, HUB_WEU)).toHaveLength(1);
  });
});
