// IPv6 goes into AAAA record sets, IPv4 into A (issue 10, item 7): Private DNS refuses
// an IPv6 address in an A record (the emulator does too, test/emulator/services.test.ts).
// Same ownership rules for both: owner metadata, claimants, release, dry-run through the
// write gate, sweep sync.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import { Sweeper } from "../../shared/autopilot/sweep.js";
import { desiredRecords } from "../../shared/dns/desired.js";
import type { ArmResource } from "../../sandbox/estate.js";
import type { ResourceEvent } from "../../shared/events/index.js";
import { MemoryOwnershipIndex } from "../../shared/store/ownershipIndex.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { allowList } from "../helpers/allowList.js";
import { CONSUMER, HUB_RG, SPOKES_ALLOW, vaultId } from "../helpers/world.js";
import { ResourceInventory } from "../../shared/gateways/inventory.js";

const ZONE = "privatelink.vaultcore.azure.net";
const ZONE_ID = `${HUB_RG}/providers/Microsoft.Network/privateDnsZones/${ZONE}`;
const KV = vaultId("kv-dual");
const peId = (name: string) => `/subscriptions/${CONSUMER}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/${name}`;

/** An approved endpoint to the vault whose customDnsConfigs carry these addresses, and its connection. */
function endpoint(name: string, ips: string[]): ArmResource[] {
  const state = { status: "Approved", description: "ok", actionsRequired: "None" };
  return [
    {
      id: peId(name),
      type: "Microsoft.Network/privateEndpoints",
      location: "westeurope",
      properties: {
        provisioningState: "Succeeded",
        customDnsConfigs: [{ fqdn: "kv-dual.vault.azure.net", ipAddresses: ips }],
        manualPrivateLinkServiceConnections: [
          { name: "l", properties: { privateLinkServiceId: KV, groupIds: ["vault"], privateLinkServiceConnectionState: state } },
        ],
        networkInterfaces: [],
      },
    },
    {
      id: `${KV}/privateEndpointConnections/${name}.conn`,
      properties: { privateEndpoint: { id: peId(name) }, privateLinkServiceConnectionState: state, provisioningState: "Succeeded" },
    },
  ];
}

const base: ArmResource[] = [
  { id: KV, type: "Microsoft.KeyVault/vaults", location: "westeurope", properties: {} },
  { id: ZONE_ID, type: "Microsoft.Network/privateDnsZones", location: "global", properties: {} },
];

const write = (id: string): ResourceEvent => ({
  id: `w-${id}`,
  schema: "eventgrid",
  eventType: "Microsoft.Resources.ResourceWriteSuccess",
  kind: "write",
  resourceId: id,
  resourceType: "Microsoft.Network/privateEndpoints",
  caller: {},
});
const removed = (id: string): ResourceEvent => ({ ...write(id), id: `d-${id}`, eventType: "Microsoft.Resources.ResourceDeleteSuccess", kind: "delete" });

let local: LocalArm | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
});

function recordSets(l: LocalArm): Record<string, { ips: string[]; owner?: string; claimant?: string }> {
  const out: Record<string, { ips: string[]; owner?: string; claimant?: string }> = {};
  for (const r of l.emulator.snapshot().resources) {
    if (r.type !== "Microsoft.Network/privateDnsZones/A" && r.type !== "Microsoft.Network/privateDnsZones/AAAA") continue;
    const p = r.properties!;
    const ips = [...(p.aRecords ?? []).map((a: any) => a.ipv4Address), ...(p.aaaaRecords ?? []).map((a: any) => a.ipv6Address)];
    out[`${r.type.split("/").pop()} ${r.name}`] = {
      ips,
      owner: p.metadata?.owner?.split("/").pop(),
      ...(p.metadata?.claimant1 ? { claimant: p.metadata.claimant1.split("/").pop() } : {}),
    };
  }
  return out;
}

const dnsOf = (ds: { action: string; resource: string; outcome: string }[]) =>
  ds.filter((d) => d.action.startsWith("dns-") && d.action !== "dns-skip").map((d) => [d.action, d.resource.replace(`${ZONE_ID}/`, ""), d.outcome]);

describe("IPv6 in AAAA record sets", () => {
  it("desired records: IPv4 → A, IPv6 → AAAA under the same name; not an address → skipped with the reason", () => {
    const config = parseConfigText(SPOKES_ALLOW, "a.yaml");
    if (!config.ok) throw new Error("bad test config");
    const pe = {
      id: peId("pe-1"),
      name: "pe-1",
      links: [{ name: "l", targetResourceId: KV, status: "Approved", groupIds: ["vault"] }],
      customDnsConfigs: [{ fqdn: "kv-dual.vault.azure.net", ipAddresses: ["10.1.0.4", "fd00::4", "FD00::5", "not-an-ip"] }],
    } as any;
    const r = desiredRecords(pe, undefined, config.config.dns);
    expect(r.records.map((x) => [x.recordType ?? "A", x.recordName, x.ips])).toEqual([
      ["A", "kv-dual", ["10.1.0.4"]],
      ["AAAA", "kv-dual", ["fd00::4", "FD00::5"]],
    ]);
    expect(r.skips.map((s) => s.reason)).toEqual(["not an IPv4 or IPv6 address: not-an-ip; not registered"]);
  });

  it("an endpoint with both gets an A and an AAAA record set, each owned by it; a second endpoint waits as claimant of both; deleting the owner hands both over", async () => {
    local = await startLocalArm(
      { resources: [...base, ...endpoint("pe-1", ["10.1.0.4", "fd00::4"]), ...endpoint("pe-2", ["10.1.0.5", "fd00::5"])] },
      { throttle: false },
    );
    const index = new MemoryOwnershipIndex();
    const ap = new Autopilot({ arm: local.arm, config: parseConfigText(SPOKES_ALLOW, "a.yaml"), index });

    expect(dnsOf(await ap.handleEvent(write(peId("pe-1"))))).toEqual([
      ["dns-create", "A/kv-dual", "applied"],
      ["dns-create", "AAAA/kv-dual", "applied"],
    ]);
    expect(recordSets(local)).toEqual({ "A kv-dual": { ips: ["10.1.0.4"], owner: "pe-1" }, "AAAA kv-dual": { ips: ["fd00::4"], owner: "pe-1" } });

    expect(dnsOf(await ap.handleEvent(write(peId("pe-2"))))).toEqual([
      ["dns-conflict", "A/kv-dual", "applied"],
      ["dns-conflict", "AAAA/kv-dual", "applied"],
    ]);
    expect(recordSets(local)).toEqual({
      "A kv-dual": { ips: ["10.1.0.4"], owner: "pe-1", claimant: "pe-2" },
      "AAAA kv-dual": { ips: ["fd00::4"], owner: "pe-1", claimant: "pe-2" },
    });
    expect((await index.entriesFor(peId("pe-1"))).map((e) => e.recordType ?? "A")).toEqual(["A", "AAAA"]);

    // The owner goes: both record sets go to the claimant, each with its own family's address.
    await local.arm.networkFor(CONSUMER).privateEndpoints.beginDeleteAndWait("rg-app", "pe-1");
    expect(dnsOf(await ap.handleEvent(removed(peId("pe-1"))))).toEqual([
      ["dns-handover", "A/kv-dual", "applied"],
      ["dns-handover", "AAAA/kv-dual", "applied"],
    ]);
    expect(recordSets(local)).toEqual({ "A kv-dual": { ips: ["10.1.0.5"], owner: "pe-2" }, "AAAA kv-dual": { ips: ["fd00::5"], owner: "pe-2" } });

    // And when it goes too, both are deleted, found through the index.
    await local.arm.networkFor(CONSUMER).privateEndpoints.beginDeleteAndWait("rg-app", "pe-2");
    expect(dnsOf(await ap.handleEvent(removed(peId("pe-2"))))).toEqual([
      ["dns-delete", "A/kv-dual", "applied"],
      ["dns-delete", "AAAA/kv-dual", "applied"],
    ]);
    expect(recordSets(local)).toEqual({});
  });

  it("dry-run plans the AAAA record through the write gate and writes nothing", async () => {
    local = await startLocalArm({ resources: [...base, ...endpoint("pe-6", ["fd00::6"])] }, { throttle: false });
    const dry = new Autopilot({ arm: local.arm, config: parseConfigText(allowList({ dns: { dryRun: true } }), "a.yaml") });
    expect(dnsOf(await dry.handleEvent(write(peId("pe-6"))))).toEqual([["dns-create", "AAAA/kv-dual", "planned"]]);
    const appDry = new Autopilot({ arm: local.arm, config: parseConfigText(SPOKES_ALLOW, "a.yaml"), dryRun: true });
    expect(dnsOf(await appDry.handleEvent(write(peId("pe-6"))))).toEqual([["dns-create", "AAAA/kv-dual", "planned"]]);
    expect(recordSets(local)).toEqual({});
    expect(local.emulator.calls.filter((c) => c.method !== "GET")).toEqual([]);
  });

  it("the sweep keeps AAAA in sync like A: writes what is missing, then nothing; releases the AAAA of a gone owner", async () => {
    const orphan: ArmResource = {
      id: `${ZONE_ID}/AAAA/gone`,
      type: "Microsoft.Network/privateDnsZones/AAAA",
      properties: { ttl: 600, aaaaRecords: [{ ipv6Address: "fd00::99" }], metadata: { managedBy: "privatelink-autopilot", owner: peId("pe-gone") } },
    };
    local = await startLocalArm({ resources: [...base, ...endpoint("pe-7", ["10.1.0.7", "fd00::7"]), orphan] }, { throttle: false });
    const ap = new Autopilot({ arm: local.arm, config: parseConfigText(SPOKES_ALLOW, "a.yaml") });
    const first = await new Sweeper(ap, new ResourceInventory(local.arm)).sweep({ subscriptions: [CONSUMER] });
    expect(dnsOf(first.decisions)).toEqual([
      ["dns-create", "A/kv-dual", "applied"],
      ["dns-create", "AAAA/kv-dual", "applied"],
      ["dns-delete", "AAAA/gone", "applied"],
    ]);
    expect(recordSets(local)).toEqual({ "A kv-dual": { ips: ["10.1.0.7"], owner: "pe-7" }, "AAAA kv-dual": { ips: ["fd00::7"], owner: "pe-7" } });
    local.emulator.clearCalls();
    const second = await new Sweeper(ap, new ResourceInventory(local.arm)).sweep({ subscriptions: [CONSUMER] });
    expect(dnsOf(second.decisions)).toEqual([]);
    expect(local.emulator.calls.filter((c) => c.method !== "GET")).toEqual([]);
    // The zone is listed per type: A and AAAA, nothing else.
    expect(local.emulator.calls.filter((c) => /privateDnsZones\/[^/]+\/[A-Z]+$/i.test(c.path)).map((c) => c.path.split("/").pop())).toEqual(["A", "AAAA"]);
  });
});
