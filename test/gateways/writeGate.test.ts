// The one write gate (issue 8, defect 8): every ARM write passes WriteGate, which
// honours the app-wide dry-run and the allow-list's dns.dryRun at the write itself.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import type { Decision } from "../../shared/model/decision.js";
import { Sweeper } from "../../shared/autopilot/sweep.js";
import type { ResourceEvent } from "../../shared/events/index.js";
import type { ArmResource, Estate } from "../../sandbox/estate.js";
import { MemoryOwnershipIndex } from "../../shared/store/ownershipIndex.js";
import { MemoryOwnApprovalStore } from "../../shared/store/ownApprovals.js";
import { WriteGate, WriteJournal, type WriteTarget } from "../../shared/gateways/writeGate.js";
import { MemoryIntentLog } from "../../shared/store/intents.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { allowList, CLEAN_UP_CONSUMER } from "../helpers/allowList.js";
import { ResourceInventory } from "../../shared/gateways/inventory.js";

const PROVIDER = "22222222-2222-2222-2222-222222222222";
const CONSUMER = "11111111-1111-1111-1111-111111111111";
const STRANGER = "99999999-9999-9999-9999-999999999999";
const REMOVED = "44444444-4444-4444-4444-444444444444";
const HUB_RG = "/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-dns";
const ZONE_NAME = "privatelink.vaultcore.azure.net";
const ZONE = `${HUB_RG}/providers/Microsoft.Network/privateDnsZones/${ZONE_NAME}`;
const KV = (n: string) => `/subscriptions/${PROVIDER}/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/${n}`;
const PE = (sub: string, n: string) => `/subscriptions/${sub}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/${n}`;
const OURS = (owner: string) => ({ managedBy: "privatelink-autopilot", owner });
const REVOKE_ME = "Approved by privatelink-autopilot (rule 'old')";
/** The app's record of having approved pe-v (the revoke candidate). */
const ownApprovals = () =>
  new MemoryOwnApprovalStore([
    {
      connectionId: `${KV("kv-v")}/privateEndpointConnections/pe-v.conn`,
      endpointId: PE(REMOVED, "pe-v"),
      description: REVOKE_ME,
      rule: "old",
      at: "2026-11-01T00:00:00Z",
    },
  ]);

function endpoint(sub: string, name: string, vault: string, status: string, ip: string, description = "please"): [ArmResource, ArmResource] {
  const id = PE(sub, name);
  const state = { status, description, actionsRequired: "None" };
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

/** One of every write the app makes: approve, reject, revoke, DNS create/update/delete, endpoint delete, connection delete. */
function estate(): Estate {
  return {
    resources: [
      ...["kv-a", "kv-r", "kv-v", "kv-u", "kv-e", "kv-f"].map((n) => ({
        id: KV(n),
        type: "Microsoft.KeyVault/vaults",
        location: "westeurope",
        properties: {},
      })),
      { id: ZONE, type: "Microsoft.Network/privateDnsZones", location: "global", properties: {} },
      ...endpoint(CONSUMER, "pe-a", "kv-a", "Pending", "10.1.0.4"), // approve, then dns-create
      ...endpoint(STRANGER, "pe-r", "kv-r", "Pending", "10.2.0.4"), // reject (unmatched: reject)
      ...endpoint(REMOVED, "pe-v", "kv-v", "Approved", "10.3.0.4", REVOKE_ME), // revoke
      ...endpoint(CONSUMER, "pe-u", "kv-u", "Approved", "10.4.0.4"),
      record("kv-u", "10.4.0.99", OURS(PE(CONSUMER, "pe-u"))), // dns-update
      record("kv-d", "10.5.0.4", OURS(PE(CONSUMER, "pe-gone"))), // dns-delete (owner gone)
      endpoint(CONSUMER, "pe-e", "kv-e", "Disconnected", "10.6.0.4")[0], // delete-endpoint
      endpoint(CONSUMER, "pe-f", "kv-f", "Disconnected", "10.7.0.4")[1], // delete-connection (its endpoint is gone)
      record("hand-made", "10.9.9.9"),
    ],
  };
}

const gateConfig = (dns: Record<string, unknown> = {}) =>
  allowList({ approval: { unmatched: "reject", revokeRemoved: true }, dns, zones: [ZONE_NAME], cleanup: CLEAN_UP_CONSUMER });

const EVERY_WRITE = ["approve", "delete-connection", "delete-endpoint", "dns-create", "dns-delete", "dns-update", "reject", "revoke"];

let local: LocalArm | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
});

function autopilotFor(l: LocalArm, text: string, opts: { dryRun?: boolean; index?: MemoryOwnershipIndex } = {}) {
  const config = parseConfigText(text, "allow-list.yaml");
  if (!config.ok) throw new Error(JSON.stringify(config.problems));
  return { autopilot: new Autopilot({ arm: l.arm, config, ownApprovals: ownApprovals(), ...opts }), config: config.config };
}

const writes = (l: LocalArm) => l.emulator.calls.filter((c) => c.method !== "GET");
const kinds = (ds: Decision[], outcome: Decision["outcome"]) => [...new Set(ds.filter((d) => d.outcome === outcome).map((d) => d.action))].sort();
const recordNames = (l: LocalArm) =>
  l.emulator
    .snapshot()
    .resources.filter((r) => r.type === "Microsoft.Network/privateDnsZones/A")
    .map((r) => r.name)
    .sort();

let n = 0;
function ev(resourceId: string, kind: "write" | "delete" = "write"): ResourceEvent {
  const type = resourceId.includes("/privateEndpoints/") ? "Microsoft.Network/privateEndpoints" : "Microsoft.KeyVault/vaults/privateEndpointConnections";
  return {
    id: `gate-${++n}`,
    schema: "eventgrid",
    eventType: kind === "delete" ? "Microsoft.Resources.ResourceDeleteSuccess" : "Microsoft.Resources.ResourceWriteSuccess",
    kind,
    resourceId,
    resourceType: type,
    operationName: `${type}/${kind}`,
    caller: {},
  };
}

const TARGET: WriteTarget = { resource: `${ZONE}/A/kv-a`, want: "w", action: "dns-create", reason: "r" };

describe("the write gate", () => {
  it("knows which writes each dry-run setting holds back", async () => {
    expect(new WriteGate({ dns: true }).isDry("dns-delete")).toBe(true);
    expect(new WriteGate({ dns: true }).isDry("connection-state")).toBe(false);
    expect(new WriteGate({ app: true }).isDry("endpoint-delete")).toBe(true);
    let ran = 0;
    const r = await new WriteGate({ dns: true }).write("dns-write", TARGET, async () => ++ran);
    expect(r).toEqual({ applied: false, reason: "dns.dryRun: not written" });
    expect(await new WriteGate({}).write("dns-write", TARGET, async () => ++ran)).toEqual({ applied: true, value: 1 });
    expect(ran).toBe(1);
  });

  it("inside a run each write records its intent first; a write held back by dry-run records none; commit resolves them", async () => {
    const intents = new MemoryIntentLog();
    const journal = new WriteJournal("ev-1", intents);
    const seen: number[] = [];
    await journal.run(async () => {
      expect(await new WriteGate({ dns: true }).write("dns-write", TARGET, async () => 0)).toMatchObject({ applied: false });
      expect(intents.size).toBe(0);
      await new WriteGate({}).write("dns-write", TARGET, async () => seen.push(intents.size));
    });
    expect(seen).toEqual([1]); // the intent was there before the write ran
    expect((await intents.list({ trigger: "ev-1" }))[0]).toMatchObject({ kind: "dns-write", resource: TARGET.resource, action: "dns-create" });
    await journal.commit();
    expect(intents.size).toBe(0);
  });

  // (A write whose answer never came keeps its intent open: test/faults, "connection reset after … was applied".)
  it("a write refused with an answer (4xx) is surely not applied: its intent is resolved with the run, never read back", async () => {
    const intents = new MemoryIntentLog();
    const journal = new WriteJournal("ev-1", intents);
    const gate = new WriteGate({});
    let reads = 0;
    gate.reader("dns-write", async () => (++reads, "w"));
    await journal.run(async () => {
      await expect(gate.write("dns-write", TARGET, async () => Promise.reject(Object.assign(new Error("412"), { statusCode: 412 })))).rejects.toThrow("412");
      expect(await gate.recover()).toEqual([]); // refused for sure: not even read
    });
    expect(reads).toBe(0);
    await journal.commit();
    expect(intents.size).toBe(0);
  });

  it("the estate exercises every kind of write when not dry (so the dry-run checks below can fail)", async () => {
    local = await startLocalArm(estate(), { throttle: false });
    const { autopilot } = autopilotFor(local, gateConfig());
    const report = await new Sweeper(autopilot, new ResourceInventory(local.arm)).sweep({ subscriptions: [CONSUMER] });
    expect(kinds(report.decisions, "applied")).toEqual(EVERY_WRITE);
    expect(writes(local).length).toBeGreaterThan(0);
  });

  it("app-wide dry-run: a sweep and every event make 0 non-GET calls and plan every kind of write", async () => {
    local = await startLocalArm(estate(), { throttle: false });
    const { autopilot } = autopilotFor(local, gateConfig(), { dryRun: true });
    const report = await new Sweeper(autopilot, new ResourceInventory(local.arm)).sweep({ subscriptions: [CONSUMER] });
    expect(kinds(report.decisions, "planned")).toEqual(EVERY_WRITE);
    const events = [
      PE(CONSUMER, "pe-a"),
      PE(CONSUMER, "pe-u"),
      PE(CONSUMER, "pe-e"),
      `${KV("kv-r")}/privateEndpointConnections/pe-r.conn`,
      `${KV("kv-v")}/privateEndpointConnections/pe-v.conn`,
      `${KV("kv-f")}/privateEndpointConnections/pe-f.conn`,
    ];
    const ds: Decision[] = [];
    for (const id of events) ds.push(...(await autopilot.handleEvent(ev(id))));
    ds.push(...(await autopilot.handleEvent(ev(PE(CONSUMER, "pe-gone"), "delete"))));
    expect(kinds(ds, "planned")).toEqual(EVERY_WRITE);
    expect(kinds(ds, "applied")).toEqual([]);
    expect(writes(local)).toEqual([]);
  });

  it("a caller that forgets the dry-run flag is stopped at the write itself", async () => {
    local = await startLocalArm(estate(), { throttle: false });
    const { autopilot: dry, config } = autopilotFor(local, gateConfig(), { dryRun: true });
    const pe = (await dry.endpoints.getEndpoint(PE(CONSUMER, "pe-e")))!;
    const conn = (await dry.connections.getConnection(`${KV("kv-f")}/privateEndpointConnections/pe-f.conn`))!;
    const pending = (await dry.connections.getConnection(`${KV("kv-a")}/privateEndpointConnections/pe-a.conn`))!;
    const approved = (await dry.endpoints.getEndpoint(PE(CONSUMER, "pe-u")))!;
    const ds = [
      ...(await dry.cleaner.onDeadEndpoint("t", pe, config, false)),
      await dry.cleaner.deleteStaleConnection("t", conn, config, false),
      ...(await dry.cleaner.releaseRecords("t", PE(CONSUMER, "pe-gone"), config, false, "gone")),
      ...(await dry.registrar.syncEndpoint("t", approved, config, false)),
    ];
    expect(kinds(ds, "planned")).toEqual(["delete-endpoint", "delete-connection", "dns-delete", "dns-update"].sort());
    expect((await dry.connections.setState(pending, "Approved", "x")).applied).toBe(false);
    expect(writes(local)).toEqual([]);
  });

  it("dns.dryRun: true: releasing a deleted endpoint's record plans the delete and keeps the record", async () => {
    local = await startLocalArm(estate(), { throttle: false });
    const { autopilot } = autopilotFor(local, gateConfig({ dryRun: true }), { index: new MemoryOwnershipIndex() });
    const ds = await autopilot.handleEvent(ev(PE(CONSUMER, "pe-gone"), "delete"));
    expect(ds).toEqual([expect.objectContaining({ action: "dns-delete", outcome: "planned", dns: expect.objectContaining({ record: "kv-d" }) })]);
    expect(recordNames(local)).toContain("kv-d");
    expect(writes(local)).toEqual([]);
  });

  it("dns.dryRun: true: a revoke is applied (it is not DNS) but the revoked endpoint's record stays", async () => {
    local = await startLocalArm({ resources: [...estate().resources, record("kv-v", "10.3.0.4", OURS(PE(REMOVED, "pe-v")))] }, { throttle: false });
    const { autopilot } = autopilotFor(local, gateConfig({ dryRun: true }));
    const ds = await autopilot.handleEvent(ev(`${KV("kv-v")}/privateEndpointConnections/pe-v.conn`));
    expect(ds.map((d) => [d.action, d.outcome])).toEqual([
      ["revoke", "applied"],
      ["dns-delete", "planned"],
    ]);
    expect(recordNames(local)).toContain("kv-v");
    expect(writes(local).every((c) => !c.path.includes("privateDnsZones"))).toBe(true);
  });
});
