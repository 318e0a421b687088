// DNS A-records for private endpoints, end to end through the real
// @azure/arm-network and @azure/arm-privatedns clients against the emulator.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import type { Decision } from "../../shared/model/decision.js";
import type { ResourceEvent } from "../../shared/events/index.js";
import type { ArmResource, Estate } from "../../sandbox/estate.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { createEndpoint as createPe } from "../helpers/world.js";

const PROVIDER = "22222222-2222-2222-2222-222222222222";
const CONSUMER = "11111111-1111-1111-1111-111111111111";
const HUB = "33333333-3333-3333-3333-333333333333";
const HUB_RG = `/subscriptions/${HUB}/resourceGroups/rg-dns`;
const rg = `/subscriptions/${PROVIDER}/resourceGroups/rg-shared/providers`;
const T = {
  kv: `${rg}/Microsoft.KeyVault/vaults/kv-shared`,
  storage: `${rg}/Microsoft.Storage/storageAccounts/stshared`,
  amr: `${rg}/Microsoft.Cache/redisEnterprise/amr-shared`,
  cosmos: `${rg}/Microsoft.DocumentDB/databaseAccounts/cosmos-shared`,
};
const ZONES = [
  "privatelink.vaultcore.azure.net",
  "privatelink.blob.core.windows.net",
  "privatelink.redis.azure.net",
  "privatelink.documents.azure.com",
  "privatelink.zilliz.example",
];

function estate(extra: ArmResource[] = []): Estate {
  const parent = (id: string, type: string): ArmResource => ({ id, type, location: "westeurope", properties: { provisioningState: "Succeeded" } });
  return {
    resources: [
      parent(T.kv, "Microsoft.KeyVault/vaults"),
      parent(T.storage, "Microsoft.Storage/storageAccounts"),
      parent(T.amr, "Microsoft.Cache/redisEnterprise"),
      parent(T.cosmos, "Microsoft.DocumentDB/databaseAccounts"),
      ...ZONES.map((z) => ({
        id: `${HUB_RG}/providers/Microsoft.Network/privateDnsZones/${z}`,
        type: "Microsoft.Network/privateDnsZones",
        location: "global",
        properties: {},
      })),
      {
        id: `/subscriptions/${CONSUMER}/resourceGroups/rg-app-web/providers/Microsoft.Network/virtualNetworks/vnet`,
        type: "Microsoft.Network/virtualNetworks",
        location: "westeurope",
        properties: { addressSpace: { addressPrefixes: ["10.10.0.0/16"] }, subnets: [{ name: "pe", properties: { addressPrefix: "10.10.1.0/24" } }] },
      },
      ...extra,
    ],
  };
}

const allowList = (dns = "") => `
approval:
  managedScopes: [/subscriptions/${PROVIDER}]
  rules:
    - name: spokes
      requesterSubscriptions: [${CONSUMER}]
dns:
  zones:
${ZONES.filter((z) => !z.includes("documents"))
  .map((z) => `    - name: ${z}\n      resourceGroupId: ${HUB_RG}`)
  .join("\n")}
    - name: privatelink.documents.azure.com
      resourceGroupId: ${HUB_RG}
      ttl: 300
${dns}`;

let local: LocalArm | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
});

async function setup(config = allowList(), extra: ArmResource[] = [], opts: { dryRun?: boolean } = {}) {
  local = await startLocalArm(estate(extra), { throttle: false });
  const parsed = parseConfigText(config, "allow-list.yaml");
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return { local, autopilot: new Autopilot({ arm: local.arm, config: parsed, ...opts }) };
}

const createEndpoint = (l: LocalArm, name: string, target: string, groupId: string, manual = true) =>
  createPe(l, name, target, { rg: "rg-app-web", groupId, auto: !manual });

function peEvent(id: string): ResourceEvent {
  return {
    id: `ev-${id.split("/").pop()}-${Math.random()}`,
    schema: "eventgrid",
    eventType: "Microsoft.Resources.ResourceWriteSuccess",
    kind: "write",
    resourceId: id,
    resourceType: "Microsoft.Network/privateEndpoints",
    operationName: "Microsoft.Network/privateEndpoints/write",
    caller: {},
  };
}

async function records(l: LocalArm, zone: string) {
  const out: Record<string, { ips: string[]; ttl?: number; etag?: string; metadata?: Record<string, string> }> = {};
  for await (const r of l.arm.privateDnsFor(HUB).recordSets.listByType("rg-dns", zone, "A")) {
    out[r.name!] = { ips: (r.aRecords ?? []).map((a) => a.ipv4Address!), ttl: r.ttl, etag: r.etag, metadata: r.metadata };
  }
  return out;
}

const dnsOf = (ds: Decision[]) => ds.filter((d) => d.action.startsWith("dns-")).map((d) => [d.action, d.dns?.zone, d.dns?.record, d.outcome]);
const endpointIp = async (l: LocalArm, name: string) =>
  (await l.arm.networkFor(CONSUMER).privateEndpoints.get("rg-app-web", name)).customDnsConfigs![0]!.ipAddresses![0]!;

describe("DNS records for approved endpoints", () => {
  it("writes exactly the right records for Key Vault, Storage, Managed Redis and Cosmos DB", async () => {
    const { local, autopilot } = await setup();
    const cases = [
      ["pe-kv", T.kv, "vault", "privatelink.vaultcore.azure.net", ["kv-shared"], 600],
      ["pe-blob", T.storage, "blob", "privatelink.blob.core.windows.net", ["stshared"], 600],
      ["pe-amr", T.amr, "redisEnterprise", "privatelink.redis.azure.net", ["amr-shared.westeurope"], 600],
      ["pe-cosmos", T.cosmos, "Sql", "privatelink.documents.azure.com", ["cosmos-shared", "cosmos-shared-westeurope"], 300],
    ] as const;
    for (const [name, target, group, zone, names, ttl] of cases) {
      const id = await createEndpoint(local, name, target, group);
      const ds = await autopilot.handleEvent(peEvent(id));
      expect(ds[0]).toMatchObject({ action: "approve", outcome: "applied" });
      expect(dnsOf(ds)).toEqual(names.map((n) => ["dns-create", zone, n, "applied"]));
      const recs = await records(local, zone);
      expect(Object.keys(recs).sort()).toEqual([...names].sort());
      const pe = await local.arm.networkFor(CONSUMER).privateEndpoints.get("rg-app-web", name);
      for (const n of names) {
        const fqdnIps = pe.customDnsConfigs!.filter((c) => c.fqdn!.startsWith(`${n}.`)).flatMap((c) => c.ipAddresses!);
        expect(recs[n]).toMatchObject({ ips: fqdnIps, ttl });
        expect(recs[n]!.metadata).toMatchObject({ managedBy: "privatelink-autopilot", owner: id });
      }
    }
  });

  it("writes nothing for a pending endpoint until it is approved", async () => {
    const cfg = allowList().replace(`requesterSubscriptions: [${CONSUMER}]`, "requesterSubscriptions: [44444444-4444-4444-4444-444444444444]");
    const { local, autopilot } = await setup(cfg);
    const id = await createEndpoint(local, "pe-kv", T.kv, "vault");
    const ds = await autopilot.handleEvent(peEvent(id));
    expect(ds.map((d) => d.action)).toEqual(["leave-pending", "dns-skip"]);
    expect(ds[1]!.reason).toMatch(/Pending: records are written once it is Approved/);
    expect(await records(local, "privatelink.vaultcore.azure.net")).toEqual({});
    // A human approves it; the provider-side event now brings the records.
    const conn = local.emulator.snapshot().resources.find((r) => r.type === "Microsoft.KeyVault/vaults/privateEndpointConnections")!;
    await local.arm.keyVaultFor(PROVIDER).privateEndpointConnections.put("rg-shared", "kv-shared", conn.name!, {
      privateLinkServiceConnectionState: { status: "Approved", description: "by hand" },
    });
    // ARM sends ResourceWriteSuccess for a long-running write once it has succeeded (while
    // Key Vault still says Updating, the records would be left to a continuation).
    for (let i = 0; i < 200 && local.emulator.getResource(conn.id)?.properties?.provisioningState !== "Succeeded"; i++)
      await new Promise((r) => setTimeout(r, 10));
    const after = await autopilot.handleEvent({
      ...peEvent(conn.id),
      resourceId: conn.id,
      resourceType: "Microsoft.KeyVault/vaults/privateEndpointConnections",
    });
    expect(dnsOf(after)).toEqual([["dns-create", "privatelink.vaultcore.azure.net", "kv-shared", "applied"]]);
  });

  it("registers auto-approved endpoints (no approval needed) too", async () => {
    const { local, autopilot } = await setup();
    const id = await createEndpoint(local, "pe-auto", T.kv, "vault", false);
    const ds = await autopilot.handleEvent(peEvent(id));
    expect(ds.map((d) => d.action)).toEqual(["ignore", "dns-create"]);
  });

  it("never touches a record set without our marker, byte for byte, and reports it", async () => {
    const foreignId = `${HUB_RG}/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net/A/kv-shared`;
    const foreign: ArmResource = {
      id: foreignId,
      name: "kv-shared",
      type: "Microsoft.Network/privateDnsZones/A",
      etag: "hand-made-etag",
      properties: { ttl: 3600, aRecords: [{ ipv4Address: "10.0.0.99" }], metadata: { owner: "platform team" } },
    };
    const { local, autopilot } = await setup(allowList(), [foreign]);
    const before = JSON.stringify(local.emulator.getResource(foreignId));
    const id = await createEndpoint(local, "pe-kv", T.kv, "vault");
    const ds = await autopilot.handleEvent(peEvent(id));
    expect(ds.find((d) => d.action === "dns-conflict")).toMatchObject({ reason: expect.stringMatching(/foreign, left untouched/), outcome: "skipped" });
    expect(JSON.stringify(local.emulator.getResource(foreignId))).toBe(before);
  });

  it("keeps one owner per name and records a second endpoint as a waiting claimant", async () => {
    const { local, autopilot } = await setup();
    const first = await createEndpoint(local, "pe-kv-1", T.kv, "vault");
    await autopilot.handleEvent(peEvent(first));
    const second = await createEndpoint(local, "pe-kv-2", T.kv, "vault");
    const ds = await autopilot.handleEvent(peEvent(second));
    expect(ds.find((d) => d.action === "dns-conflict")).toMatchObject({ outcome: "applied", dns: { heldBy: first, owner: second } });
    const rec = (await records(local, "privatelink.vaultcore.azure.net"))["kv-shared"]!;
    expect(rec.ips).toEqual([await endpointIp(local, "pe-kv-1")]);
    expect(rec.metadata).toMatchObject({ owner: first, claimant1: second });
    // Asked again, the claimant is not added twice and nothing is written.
    const again = await autopilot.handleEvent(peEvent(second));
    expect(again.find((d) => d.action === "dns-conflict")).toMatchObject({ outcome: "skipped", reason: expect.stringMatching(/already recorded/) });
    expect((await records(local, "privatelink.vaultcore.azure.net"))["kv-shared"]!.etag).toBe(
      (await records(local, "privatelink.vaultcore.azure.net"))["kv-shared"]!.etag,
    );
  });

  it("replaying the same events changes nothing (no ETag changes); a new record costs no Private DNS read", async () => {
    const { local, autopilot } = await setup();
    const id = await createEndpoint(local, "pe-kv", T.kv, "vault");
    local.emulator.clearCalls();
    await autopilot.handleEvent(peEvent(id));
    expect(local.emulator.calls.filter((c) => c.method === "GET" && c.path.includes("/privateDnsZones/"))).toHaveLength(0);
    const etag = (await records(local, "privatelink.vaultcore.azure.net"))["kv-shared"]!.etag;
    const again = await autopilot.handleEvent(peEvent(id));
    expect(dnsOf(again)).toEqual([["dns-skip", "privatelink.vaultcore.azure.net", "kv-shared", "skipped"]]);
    expect((await records(local, "privatelink.vaultcore.azure.net"))["kv-shared"]!.etag).toBe(etag);
  });

  it("updates a record it owns when the endpoint's IP changes, unless the mode forbids it", async () => {
    for (const [mode, expected] of [
      ["sync", "dns-update"],
      ["upsert-only", "dns-update"],
      ["create-only", "dns-skip"],
    ] as const) {
      const { local: l, autopilot } = await setup(allowList().replace("dns:\n", `dns:\n  mode: ${mode}\n`));
      const id = await createEndpoint(l, "pe-kv", T.kv, "vault");
      await autopilot.handleEvent(peEvent(id));
      const pe = l.emulator.getResource(id)!;
      pe.properties!.customDnsConfigs[0].ipAddresses = ["10.10.1.200"];
      l.emulator.load({ resources: [pe] });
      const ds = await autopilot.handleEvent(peEvent(id));
      expect(dnsOf(ds)[0]![0], mode).toBe(expected);
      const ips = (await records(l, "privatelink.vaultcore.azure.net"))["kv-shared"]!.ips;
      expect(ips, mode).toEqual(expected === "dns-update" ? ["10.10.1.200"] : [expect.not.stringMatching(/^10\.10\.1\.200$/)]);
      await l.close();
      local = undefined;
    }
  });

  it("dry-run reports the plan and writes nothing", async () => {
    const { local, autopilot } = await setup(allowList(), [], { dryRun: true });
    const id = await createEndpoint(local, "pe-kv", T.kv, "vault");
    local.emulator.clearCalls();
    const ds = await autopilot.handleEvent(peEvent(id));
    expect(ds.map((d) => [d.action, d.outcome])).toEqual([
      ["approve", "planned"],
      ["dns-create", "planned"],
    ]);
    expect(local.emulator.calls.filter((c) => c.method !== "GET")).toHaveLength(0);
  });

  it("skips (and says so) a zone that is not listed in dns.zones", async () => {
    const cfg = allowList().replace(`    - name: privatelink.vaultcore.azure.net\n      resourceGroupId: ${HUB_RG}\n`, "");
    const { local, autopilot } = await setup(cfg);
    const id = await createEndpoint(local, "pe-kv", T.kv, "vault");
    const ds = await autopilot.handleEvent(peEvent(id));
    expect(ds.find((d) => d.action === "dns-skip")!.reason).toMatch(/zone privatelink.vaultcore.azure.net is not listed in dns.zones/);
    expect(local.emulator.calls.filter((c) => c.method === "PUT" && c.path.includes("privateDnsZones"))).toHaveLength(0);
  });

  it("falls back to the NIC's FQDNs, and asks for a redelivery while the endpoint has no IP", async () => {
    const { local, autopilot } = await setup();
    const id = await createEndpoint(local, "pe-kv", T.kv, "vault");
    const pe = local.emulator.getResource(id)!;
    pe.properties!.customDnsConfigs = [];
    local.emulator.load({ resources: [pe] });
    const ds = await autopilot.handleEvent(peEvent(id));
    expect(dnsOf(ds)).toEqual([["dns-create", "privatelink.vaultcore.azure.net", "kv-shared", "applied"]]);

    const nicId = pe.properties!.networkInterfaces[0].id;
    const nic = local.emulator.getResource(nicId)!;
    delete nic.properties!.ipConfigurations[0].properties.privateIPAddress;
    const id2 = await createEndpoint(local, "pe-kv-2", T.kv, "vault");
    const pe2 = local.emulator.getResource(id2)!;
    pe2.properties!.customDnsConfigs = [{ fqdn: "kv-shared.vault.azure.net", ipAddresses: [] }];
    local.emulator.load({ resources: [pe2] });
    // One channel for "retry later": a retryable decision, not a throw past what was already decided.
    expect((await autopilot.handleEvent(peEvent(id2))).filter((d) => d.retryable).map((d) => d.reason)).toEqual([
      expect.stringMatching(/no private IP yet.*redelivers/),
    ]);
  });

  it("names records for services reached by alias with a custom rule", async () => {
    const cfg = allowList(`  customRecords:
    - name: zilliz
      match: { aliases: ["*.azure.privatelinkservice"] }
      zone: privatelink.zilliz.example
      recordName: "{clusterId}-privatelink"
      clusterIds: [in01-aaaa, in01-bbbb]
`);
    const { local, autopilot } = await setup(cfg);
    const id = await createEndpoint(local, "pe-zilliz", "zilliz-westeurope.7f3c9b2e-1a4d-4c2e-9b8a-0d1e2f3a4b5c.westeurope.azure.privatelinkservice", "");
    const ds = await autopilot.handleEvent(peEvent(id));
    // The third party approves on its side; our part is DNS, once Approved.
    expect(ds.map((d) => d.action)).toContain("ignore");
    const pe = local.emulator.getResource(id)!;
    pe.properties!.manualPrivateLinkServiceConnections[0].properties.privateLinkServiceConnectionState = { status: "Approved" };
    local.emulator.load({ resources: [pe] });
    const after = await autopilot.handleEvent(peEvent(id));
    expect(dnsOf(after)).toEqual([
      ["dns-create", "privatelink.zilliz.example", "in01-aaaa-privatelink", "applied"],
      ["dns-create", "privatelink.zilliz.example", "in01-bbbb-privatelink", "applied"],
    ]);
  });
});
