// The reconcile sweep over an estate with every state, through the real SDK
// clients and the emulator.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import { Sweeper } from "../../shared/autopilot/sweep.js";
import type { ArmResource, Estate } from "../../sandbox/estate.js";
import { MemoryCursorStore } from "../../shared/store/marks.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { ResourceInventory } from "../../shared/gateways/inventory.js";

const PROVIDER = "22222222-2222-2222-2222-222222222222";
const CONSUMER = "11111111-1111-1111-1111-111111111111";
const OTHER_TENANT = "77777777-7777-7777-7777-777777777777";
const HUB_RG = "/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-dns";
const ZONE = `${HUB_RG}/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net`;
const KV = (n: string) => `/subscriptions/${PROVIDER}/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/${n}`;
const PE = (sub: string, n: string) => `/subscriptions/${sub}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/${n}`;

function endpoint(sub: string, name: string, vault: string, status: string, ip: string): ArmResource[] {
  const id = PE(sub, name);
  const state = { status, description: "please", actionsRequired: "None" };
  return [
    {
      id,
      type: "Microsoft.Network/privateEndpoints",
      location: "westeurope",
      properties: {
        provisioningState: "Succeeded",
        customDnsConfigs: [{ fqdn: `${vault}.vault.azure.net`, ipAddresses: [ip] }],
        manualPrivateLinkServiceConnections: [
          { name: "l", properties: { privateLinkServiceId: KV(vault), groupIds: ["vault"], privateLinkServiceConnectionState: state } },
        ],
        networkInterfaces: [],
      },
    },
    {
      id: `${KV(vault)}/privateEndpointConnections/${name}.conn`,
      type: "Microsoft.KeyVault/vaults/privateEndpointConnections",
      properties: { privateEndpoint: { id }, privateLinkServiceConnectionState: state, provisioningState: "Succeeded" },
    },
  ];
}

const record = (name: string, ip: string, metadata?: Record<string, string>): ArmResource => ({
  id: `${ZONE}/A/${name}`,
  type: "Microsoft.Network/privateDnsZones/A",
  properties: { ttl: 600, aRecords: [{ ipv4Address: ip }], ...(metadata ? { metadata } : {}) },
});

function estate(): Estate {
  return {
    resources: [
      ...["kv-a", "kv-b", "kv-c", "kv-d", "kv-e", "kv-f"].map((n) => ({
        id: KV(n),
        type: "Microsoft.KeyVault/vaults",
        location: "westeurope",
        properties: {},
      })),
      { id: ZONE, type: "Microsoft.Network/privateDnsZones", location: "global", properties: {} },
      // Approved, but its event was lost: no record yet.
      ...endpoint(CONSUMER, "pe-a", "kv-a", "Approved", "10.1.0.4"),
      // A request from another tenant: Azure sent us no event at all.
      ...endpoint(OTHER_TENANT, "pe-b", "kv-b", "Pending", "10.2.0.4"),
      // Someone we do not know: stays pending.
      ...endpoint("99999999-9999-9999-9999-999999999999", "pe-c", "kv-c", "Pending", "10.3.0.4"),
      // Owned by an endpoint deleted while events were down.
      record("kv-d", "10.4.0.4", { managedBy: "privatelink-autopilot", owner: PE(CONSUMER, "pe-gone") }),
      // Its connection was removed by the vault's owner: Disconnected, and still owns a record.
      ...endpoint(CONSUMER, "pe-e", "kv-e", "Disconnected", "10.5.0.4").slice(0, 1),
      record("kv-e", "10.5.0.4", { managedBy: "privatelink-autopilot", owner: PE(CONSUMER, "pe-e") }),
      // Provider side: a connection whose endpoint is gone (deleteStaleConnections is off: reported only).
      ...endpoint(CONSUMER, "pe-f-gone", "kv-f", "Disconnected", "10.6.0.4").slice(1),
      // Not ours.
      record("hand-made", "10.9.9.9"),
    ],
  };
}

const ALLOW = `
approval:
  managedScopes: [/subscriptions/${PROVIDER}]
  rules:
    - name: spokes
      requesterSubscriptions: [${CONSUMER}, ${OTHER_TENANT}]
dns:
  zones:
    - name: privatelink.vaultcore.azure.net
      resourceGroupId: ${HUB_RG}
`;

let local: LocalArm | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
});

async function setup() {
  local = await startLocalArm(estate(), { throttle: false });
  const config = parseConfigText(ALLOW, "allow-list.yaml");
  const autopilot = new Autopilot({ arm: local.arm, config });
  return { local, autopilot };
}

const zoneRecords = (l: LocalArm) =>
  Object.fromEntries(
    l.emulator
      .snapshot()
      .resources.filter((r) => r.type === "Microsoft.Network/privateDnsZones/A")
      .map((r) => [r.name, r.properties!.aRecords.map((a: any) => a.ipv4Address)]),
  );
const status = (l: LocalArm, vault: string, pe: string) =>
  l.emulator.getResource(`${KV(vault)}/privateEndpointConnections/${pe}.conn`)!.properties!.privateLinkServiceConnectionState.status;
const changes = (l: LocalArm) => l.emulator.calls.filter((c) => c.method !== "GET" && c.status < 400);

describe("reconcile sweep", () => {
  it("approves a request no event announced, registers what events missed, removes orphans, leaves the rest", async () => {
    const { local, autopilot } = await setup();
    const report = await new Sweeper(autopilot, new ResourceInventory(local.arm)).sweep({ subscriptions: [CONSUMER] });
    expect(report.complete).toBe(true);
    expect(status(local, "kv-b", "pe-b")).toBe("Approved");
    expect(status(local, "kv-c", "pe-c")).toBe("Pending");
    expect(zoneRecords(local)).toEqual({ "kv-a": ["10.1.0.4"], "kv-b": ["10.2.0.4"], "hand-made": ["10.9.9.9"] });
    expect(report.totals).toMatchObject({ approve: 1, "leave-pending": 1, "dns-create": 2, "dns-delete": 2 });
    expect(report.decisions.find((d) => d.resource.includes("pe-f-gone"))).toMatchObject({
      action: "ignore",
      reason: expect.stringMatching(/Disconnected.*deleteStaleConnections is off/),
    });
    expect(report.decisions.find((d) => d.dns?.record === "kv-e")).toMatchObject({
      action: "dns-delete",
      reason: expect.stringMatching(/connection is Disconnected/),
    });
    expect(report.decisions.every((d) => d.event === `sweep:${report.runId}`)).toBe(true);
  });

  it("a no-op sweep writes nothing and uses only lists", async () => {
    const { local, autopilot } = await setup();
    const sweeper = new Sweeper(autopilot, new ResourceInventory(local.arm));
    await sweeper.sweep({ subscriptions: [CONSUMER] });
    local.emulator.clearCalls();
    const again = await sweeper.sweep({ subscriptions: [CONSUMER] });
    expect(changes(local)).toEqual([]);
    expect(local.emulator.calls.filter((c) => c.method !== "GET")).toEqual([]);
    expect(Object.keys(again.totals).filter((k) => !["ignore", "leave-pending", "dns-skip"].includes(k))).toEqual([]);
  });

  it("stops at its deadline and the next run resumes where it stopped", async () => {
    const { local, autopilot } = await setup();
    let clock = 0;
    const cursors = new MemoryCursorStore();
    const sweeper = new Sweeper(autopilot, new ResourceInventory(local.arm), cursors, () => clock++);
    // Deadline after two units of work (each unit checks the clock once).
    const first = await sweeper.sweep({ subscriptions: [CONSUMER], deadline: 2 });
    expect(first.complete).toBe(false);
    expect(await cursors.get()).toMatchObject({ phase: "approvals", runId: first.runId });
    const touched = new Set(first.decisions.map((d) => d.resource.split("/privateEndpointConnections")[0]));
    clock = 0;
    const second = await sweeper.sweep({ subscriptions: [CONSUMER], deadline: 1_000 });
    expect(second.complete).toBe(true);
    expect(second.runId).toBe(first.runId);
    // Nothing done by the first run is done again by the second.
    for (const d of second.decisions.filter((x) => x.resource.includes("/privateEndpointConnections/"))) {
      expect(touched.has(d.resource.split("/privateEndpointConnections")[0])).toBe(false);
    }
    expect(await cursors.get()).toBeUndefined();
    expect(status(local, "kv-b", "pe-b")).toBe("Approved");
  });

  it("under ARM throttling (429 with Retry-After) it waits as told and ends in the same place", async () => {
    const clean = await setup();
    const expected = (await new Sweeper(clean.autopilot, new ResourceInventory(clean.local.arm)).sweep({ subscriptions: [CONSUMER] })).totals;
    await clean.local.close();
    local = await startLocalArm(estate(), { throttle: { reads: { burst: 4, perSecond: 20 }, writes: { burst: 2, perSecond: 10 } } });
    const autopilot = new Autopilot({ arm: local.arm, config: parseConfigText(ALLOW, "allow-list.yaml") });
    const report = await new Sweeper(autopilot, new ResourceInventory(local.arm)).sweep({ subscriptions: [CONSUMER] });
    const throttled = local.emulator.calls.filter((c) => c.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    expect(report.totals).toEqual(expected);
    expect(report.decisions.filter((d) => d.outcome === "failed")).toEqual([]);
  }, 60_000);

  it("dry-run plans everything and writes nothing", async () => {
    const { local, autopilot } = await setup();
    const report = await new Sweeper(autopilot, new ResourceInventory(local.arm)).sweep({ subscriptions: [CONSUMER], dryRun: true });
    expect(changes(local)).toEqual([]);
    expect(
      report.decisions
        .filter((d) => d.outcome === "planned")
        .map((d) => d.action)
        .sort(),
    ).toEqual(["approve", "dns-create", "dns-create", "dns-delete", "dns-delete"]);
  });
});
