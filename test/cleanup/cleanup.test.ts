// Cleanup through the real SDK clients against the emulator: deleted, Disconnected,
// Rejected and revoked endpoints; stale provider connections; modes and dry-run.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot, type AutopilotOptions } from "../../shared/autopilot/autopilot.js";
import type { Decision } from "../../shared/model/decision.js";
import type { ResourceEvent } from "../../shared/events/index.js";
import type { ArmResource, Estate } from "../../sandbox/estate.js";
import { MemoryOwnershipIndex } from "../../shared/store/ownershipIndex.js";
import { MemoryMarkStore } from "../../shared/store/marks.js";
import { MemoryOwnApprovalStore } from "../../shared/store/ownApprovals.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { changingWrites, createEndpoint as createPe } from "../helpers/world.js";

const PROVIDER = "22222222-2222-2222-2222-222222222222";
const CONSUMER = "11111111-1111-1111-1111-111111111111";
const HUB_RG = "/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-dns";
const KV = `/subscriptions/${PROVIDER}/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-shared`;
const ST = `/subscriptions/${PROVIDER}/resourceGroups/rg-shared/providers/Microsoft.Storage/storageAccounts/stshared`;
const KV_ZONE = "privatelink.vaultcore.azure.net";
const BLOB_ZONE = "privatelink.blob.core.windows.net";

function estate(): Estate {
  const parent = (id: string, type: string): ArmResource => ({ id, type, location: "westeurope", properties: {} });
  return {
    resources: [
      parent(KV, "Microsoft.KeyVault/vaults"),
      parent(ST, "Microsoft.Storage/storageAccounts"),
      ...[KV_ZONE, BLOB_ZONE].map((z) => ({
        id: `${HUB_RG}/providers/Microsoft.Network/privateDnsZones/${z}`,
        type: "Microsoft.Network/privateDnsZones",
        location: "global",
        properties: {},
      })),
      {
        id: `/subscriptions/${CONSUMER}/resourceGroups/rg-app/providers/Microsoft.Network/virtualNetworks/vnet`,
        type: "Microsoft.Network/virtualNetworks",
        location: "westeurope",
        properties: { addressSpace: { addressPrefixes: ["10.10.0.0/16"] }, subnets: [{ name: "pe", properties: { addressPrefix: "10.10.1.0/24" } }] },
      },
    ],
  };
}

const allowList = (extra = { dns: "", cleanup: "", approval: "" }) => `
approval:
  managedScopes: [/subscriptions/${PROVIDER}]
${extra.approval}  rules:
    - name: spokes
      requesterSubscriptions: [${CONSUMER}]
dns:
${extra.dns}  zones:
    - name: ${KV_ZONE}
      resourceGroupId: ${HUB_RG}
    - name: ${BLOB_ZONE}
      resourceGroupId: ${HUB_RG}
${extra.cleanup ? `cleanup:\n${extra.cleanup}` : ""}`;

let local: LocalArm | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
});

async function setup(text = allowList(), opts: Partial<AutopilotOptions> = {}) {
  local = await startLocalArm(estate(), { throttle: false });
  return { local, autopilot: autopilotFor(local, text, opts) };
}

function autopilotFor(l: LocalArm, text: string, opts: Partial<AutopilotOptions> = {}) {
  const config = parseConfigText(text, "allow-list.yaml");
  if (!config.ok) throw new Error(JSON.stringify(config.problems));
  return new Autopilot({ arm: l.arm, config, ...opts });
}

const createEndpoint = (l: LocalArm, name: string, target: string, groupId: string, tags?: Record<string, string>) =>
  createPe(l, name, target, { groupId, tags });

let n = 0;
function ev(resourceId: string, kind: "write" | "delete" = "write"): ResourceEvent {
  const type = resourceId.includes("/privateEndpoints/") ? "Microsoft.Network/privateEndpoints" : "Microsoft.KeyVault/vaults/privateEndpointConnections";
  return {
    id: `ev-${++n}`,
    schema: "eventgrid",
    eventType: kind === "delete" ? "Microsoft.Resources.ResourceDeleteSuccess" : "Microsoft.Resources.ResourceWriteSuccess",
    kind,
    resourceId,
    resourceType: type,
    operationName: `${type}/${kind}`,
    caller: {},
  };
}

async function records(l: LocalArm, zone: string) {
  const out: Record<string, { ips: string[]; etag?: string; metadata?: Record<string, string> }> = {};
  for await (const r of l.arm.privateDnsFor("33333333-3333-3333-3333-333333333333").recordSets.listByType("rg-dns", zone, "A")) {
    out[r.name!] = { ips: (r.aRecords ?? []).map((a) => a.ipv4Address!), etag: r.etag, metadata: r.metadata };
  }
  return out;
}

async function deleteEndpoint(l: LocalArm, id: string) {
  await l.arm.networkFor(CONSUMER).privateEndpoints.beginDeleteAndWait("rg-app", id.split("/").pop()!, { updateIntervalInMs: 10 });
}

/** The provider's owner removes the connection: the consumer endpoint shows Disconnected. */
async function disconnect(l: LocalArm) {
  const conn = l.emulator.snapshot().resources.find((r) => r.type === "Microsoft.KeyVault/vaults/privateEndpointConnections")!;
  await l.arm.generic.deleteAndWait(conn.id, "2026-02-01");
}

const acts = (ds: Decision[]) => ds.map((d) => [d.action, d.outcome]);
const changes = changingWrites;

describe("cleanup", () => {
  it("deleting an endpoint removes exactly its records; a foreign record and other endpoints' records survive", async () => {
    const { local, autopilot } = await setup();
    const kv = await createEndpoint(local, "pe-kv", KV, "vault");
    const blob = await createEndpoint(local, "pe-blob", ST, "blob");
    await autopilot.handleEvent(ev(kv));
    await autopilot.handleEvent(ev(blob));
    local.emulator.load({
      resources: [
        {
          id: `${HUB_RG}/providers/Microsoft.Network/privateDnsZones/${KV_ZONE}/A/foreign`,
          type: "Microsoft.Network/privateDnsZones/A",
          properties: { ttl: 60, aRecords: [{ ipv4Address: "10.9.9.9" }] },
        },
      ],
    });
    const foreignBefore = JSON.stringify(local.emulator.getResource(`${HUB_RG}/providers/Microsoft.Network/privateDnsZones/${KV_ZONE}/A/foreign`));

    await deleteEndpoint(local, kv);
    const ds = await autopilot.handleEvent(ev(kv, "delete"));
    expect(ds).toEqual([
      expect.objectContaining({ action: "dns-delete", outcome: "applied", dns: expect.objectContaining({ zone: KV_ZONE, record: "kv-shared" }) }),
    ]);
    expect(Object.keys(await records(local, KV_ZONE))).toEqual(["foreign"]);
    expect(Object.keys(await records(local, BLOB_ZONE))).toEqual(["stshared"]);
    expect(JSON.stringify(local.emulator.getResource(`${HUB_RG}/providers/Microsoft.Network/privateDnsZones/${KV_ZONE}/A/foreign`))).toBe(foreignBefore);

    // The same delete event again does nothing.
    const before = changes(local);
    expect(acts(await autopilot.handleEvent(ev(kv, "delete")))).toEqual([["ignore", "skipped"]]);
    expect(changes(local)).toBe(before);
  });

  it("hands a shared name to the waiting claimant instead of deleting it", async () => {
    const { local, autopilot } = await setup();
    const first = await createEndpoint(local, "pe-kv-1", KV, "vault");
    const second = await createEndpoint(local, "pe-kv-2", KV, "vault");
    await autopilot.handleEvent(ev(first));
    await autopilot.handleEvent(ev(second));
    const secondIp = local.emulator.getResource(second)!.properties!.customDnsConfigs[0].ipAddresses[0];
    await deleteEndpoint(local, first);
    const ds = await autopilot.handleEvent(ev(first, "delete"));
    expect(ds).toEqual([
      expect.objectContaining({ action: "dns-handover", outcome: "applied", dns: expect.objectContaining({ owner: second, ips: [secondIp] }) }),
    ]);
    const rec = (await records(local, KV_ZONE))["kv-shared"]!;
    expect(rec.ips).toEqual([secondIp]);
    expect(rec.metadata).toMatchObject({ owner: second });
    expect(rec.metadata!.claimant1).toBeUndefined();
    // Then the new owner goes too: now the record is deleted.
    await deleteEndpoint(local, second);
    expect(acts(await autopilot.handleEvent(ev(second, "delete")))).toEqual([["dns-delete", "applied"]]);
    expect(await records(local, KV_ZONE)).toEqual({});
  });

  it("a claimant that goes away withdraws its claim and leaves the owner's record alone", async () => {
    const { local, autopilot } = await setup();
    const first = await createEndpoint(local, "pe-kv-1", KV, "vault");
    const second = await createEndpoint(local, "pe-kv-2", KV, "vault");
    await autopilot.handleEvent(ev(first));
    await autopilot.handleEvent(ev(second));
    const ipsBefore = (await records(local, KV_ZONE))["kv-shared"]!.ips;
    await deleteEndpoint(local, second);
    expect(acts(await autopilot.handleEvent(ev(second, "delete")))).toEqual([["dns-update", "applied"]]);
    const rec = (await records(local, KV_ZONE))["kv-shared"]!;
    expect(rec.ips).toEqual(ipsBefore);
    expect(rec.metadata).toMatchObject({ owner: first });
    expect(rec.metadata!.claimant1).toBeUndefined();
  });

  it("finds what a deleted endpoint owned even when the index is lost: one bounded rebuild from the zones' metadata", async () => {
    const { local, autopilot } = await setup();
    const kv = await createEndpoint(local, "pe-kv", KV, "vault");
    await autopilot.handleEvent(ev(kv));
    await deleteEndpoint(local, kv);
    // A fresh app instance with an empty index (e.g. `replay` on an estate).
    const fresh = autopilotFor(local, allowList(), { index: new MemoryOwnershipIndex() });
    local.emulator.clearCalls();
    const ds = await fresh.handleEvent(ev(kv, "delete"));
    expect(acts(ds)).toEqual([["dns-delete", "applied"]]);
    expect(fresh.cleaner.rebuilds).toBe(2); // the two configured zones, each read once
    expect(local.emulator.calls.filter((c) => c.method === "GET" && /\/privateDnsZones\/[^/]+\/A$/i.test(c.path))).toHaveLength(2);
    // A second miss within the cache window reads no zone again.
    await fresh.handleEvent(ev(`/subscriptions/${CONSUMER}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/never-existed`, "delete"));
    expect(fresh.cleaner.rebuilds).toBe(2);
  });

  it("a Disconnected endpoint loses its records on its next event; with the option on and the grace period past, it is deleted too", async () => {
    let now = new Date("2026-11-23T10:00:00Z");
    const cfg = allowList({
      dns: "",
      approval: "",
      cleanup: `  deleteDisconnectedEndpoints: true\n  deleteEndpointsIn: [/subscriptions/${CONSUMER}]\n  gracePeriodMinutes: 60\n`,
    });
    const { local, autopilot } = await setup(cfg, { now: () => now, marks: new MemoryMarkStore() });
    const kv = await createEndpoint(local, "pe-kv", KV, "vault");
    await autopilot.handleEvent(ev(kv));
    await disconnect(local);
    const first = await autopilot.handleEvent(ev(kv));
    expect(first.map((d) => d.action)).toEqual(["ignore", "dns-delete", "ignore"]);
    expect(first[2]!.reason).toMatch(/grace period \(60 min left\)/);
    expect(await records(local, KV_ZONE)).toEqual({});
    now = new Date("2026-11-23T11:01:00Z");
    const later = await autopilot.handleEvent(ev(kv));
    expect(later.at(-1)).toMatchObject({ action: "delete-endpoint", outcome: "applied" });
    expect(local.emulator.getResource(kv)).toBeUndefined();
  });

  it("keeps a Disconnected endpoint that carries the exclusion tag", async () => {
    let now = new Date("2026-11-23T10:00:00Z");
    const cfg = allowList({
      dns: "",
      approval: "",
      cleanup: `  deleteDisconnectedEndpoints: true\n  deleteEndpointsIn: [/subscriptions/${CONSUMER}]\n  gracePeriodMinutes: 0\n`,
    });
    const { local, autopilot } = await setup(cfg, { now: () => now });
    const kv = await createEndpoint(local, "pe-kv", KV, "vault", { "privatelink-autopilot-keep": "true" });
    await autopilot.handleEvent(ev(kv));
    await disconnect(local);
    now = new Date("2026-11-24T10:00:00Z");
    const ds = await autopilot.handleEvent(ev(kv));
    expect(ds.at(-1)!.reason).toMatch(/tagged privatelink-autopilot-keep: kept/);
    expect(local.emulator.getResource(kv)).toBeDefined();
  });

  it("deletes nothing in dry-run, upsert-only or create-only", async () => {
    for (const variant of ["dry-run", "upsert-only", "create-only"] as const) {
      const cfg = allowList({
        dns: variant === "dry-run" ? "" : `  mode: ${variant}\n`,
        approval: "",
        cleanup: `  deleteDisconnectedEndpoints: true\n  deleteEndpointsIn: [/subscriptions/${CONSUMER}]\n  gracePeriodMinutes: 0\n  deleteStaleConnections: true\n`,
      });
      const { local: l, autopilot } = await setup(cfg);
      const kv = await createEndpoint(l, "pe-kv", KV, "vault");
      await autopilot.handleEvent(ev(kv));
      const dry = variant === "dry-run" ? autopilotFor(l, cfg, { dryRun: true }) : autopilot;
      await disconnect(l);
      const before = changes(l);
      const ds = await dry.handleEvent(ev(kv));
      expect(changes(l), variant).toBe(before);
      expect(Object.keys(await records(l, KV_ZONE)), variant).toEqual(["kv-shared"]);
      const dnsStep = ds.find((d) => d.action.startsWith("dns-"))!;
      expect(dnsStep, variant).toMatchObject(
        variant === "dry-run" ? { action: "dns-delete", outcome: "planned" } : { action: "dns-skip", reason: expect.stringMatching(/never deletes/) },
      );
      expect(ds.at(-1), variant).toMatchObject(
        variant === "dry-run" ? { action: "delete-endpoint", outcome: "planned" } : { action: "ignore", reason: expect.stringMatching(/never deletes/) },
      );
      expect(l.emulator.getResource(kv), variant).toBeDefined();
      await l.close();
      local = undefined;
    }
  });

  it("deletes stale provider connections when enabled, and survives ARM's 204 for one already gone", async () => {
    const cfg = allowList({ dns: "", approval: "", cleanup: "  deleteStaleConnections: true\n" });
    const { local, autopilot } = await setup(cfg);
    const kv = await createEndpoint(local, "pe-kv", KV, "vault");
    await autopilot.handleEvent(ev(kv));
    const conn = local.emulator.snapshot().resources.find((r) => r.type === "Microsoft.KeyVault/vaults/privateEndpointConnections")!;
    await deleteEndpoint(local, kv); // the provider now shows the connection Disconnected
    expect(local.emulator.getResource(conn.id)!.properties!.privateLinkServiceConnectionState.status).toBe("Disconnected");
    const ds = await autopilot.handleEvent(ev(conn.id));
    expect(ds).toEqual([expect.objectContaining({ action: "delete-connection", resource: conn.id, outcome: "applied" })]);
    expect(local.emulator.getResource(conn.id)).toBeUndefined();
    // Off by default: reported, not deleted.
    const off = autopilotFor(local, allowList());
    local.emulator.load({ resources: [{ ...conn, properties: { ...conn.properties, privateLinkServiceConnectionState: { status: "Disconnected" } } }] });
    expect(await off.handleEvent(ev(conn.id))).toEqual([
      expect.objectContaining({ action: "ignore", reason: expect.stringMatching(/deleteStaleConnections is off/) }),
    ]);
  });

  it("does not break on ARM's 204-without-body delete answer that trips @azure/arm-keyvault 5.0.0", async () => {
    const cfg = allowList({ dns: "", approval: "", cleanup: "  deleteStaleConnections: true\n" });
    const { local, autopilot } = await setup(cfg);
    // The trap itself, as PLATFORM-FACTS describes it: the SDK throws on the 204.
    await expect(local.arm.keyVaultFor(PROVIDER).privateEndpointConnections.delete("rg-shared", "kv-shared", "gone").pollUntilDone()).rejects.toThrow(
      TypeError,
    );
    const gone = {
      id: `${KV}/privateEndpointConnections/gone`,
      name: "gone",
      targetResourceId: KV,
      targetType: "Microsoft.KeyVault/vaults",
      status: "Disconnected",
      groupIds: [],
    };
    const config = parseConfigText(cfg, "a.yaml");
    if (!config.ok) throw new Error("config");
    expect(await autopilot.cleaner.deleteStaleConnection("t", gone, config.config, false)).toMatchObject({ action: "delete-connection", outcome: "applied" });
  });

  it("revokes what it approved when the requester leaves the allow-list (revokeRemoved), and only then", async () => {
    const ownApprovals = new MemoryOwnApprovalStore(); // the app's table, shared by its instances
    const { local, autopilot } = await setup(allowList(), { ownApprovals });
    const kv = await createEndpoint(local, "pe-kv", KV, "vault");
    await autopilot.handleEvent(ev(kv));
    const conn = local.emulator.snapshot().resources.find((r) => r.type === "Microsoft.KeyVault/vaults/privateEndpointConnections")!;
    const removed = (extra: string) =>
      allowList({ dns: "", cleanup: "", approval: extra }).replace(
        `requesterSubscriptions: [${CONSUMER}]`,
        "requesterSubscriptions: [44444444-4444-4444-4444-444444444444]",
      );
    // Default: removal from the list does not touch approved connections.
    expect(acts(await autopilotFor(local, removed(""), { ownApprovals }).handleEvent(ev(conn.id)))).toEqual([
      ["ignore", "skipped"],
      ["dns-skip", "skipped"],
    ]);
    const ds = await autopilotFor(local, removed("  revokeRemoved: true\n"), { ownApprovals }).handleEvent(ev(conn.id));
    expect(acts(ds)).toEqual([
      ["revoke", "applied"],
      ["dns-delete", "applied"],
    ]);
    expect(local.emulator.getResource(conn.id)!.properties!.privateLinkServiceConnectionState.status).toBe("Rejected");
    expect(await records(local, KV_ZONE)).toEqual({});
  });
});
