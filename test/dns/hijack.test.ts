// Issue 8, defect 1: record names come from what the platform says about the endpoint's
// own target, never from the consumer's customDnsConfigs alone. Through the real SDK
// clients and the emulator, on the event path and the sweep.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import type { Decision } from "../../shared/model/decision.js";
import { Sweeper } from "../../shared/autopilot/sweep.js";
import type { ResourceEvent } from "../../shared/events/index.js";
import type { ArmResource } from "../../sandbox/estate.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { allowList } from "../helpers/allowList.js";
import { CONSUMER, HUB, consumerVnet, createEndpoint, hubZone, parent, providerId, vaultId } from "../helpers/world.js";
import { ResourceInventory } from "../../shared/gateways/inventory.js";

const ATTACKER = "66666666-6666-6666-6666-666666666666";
const VAULT_ZONE = "privatelink.vaultcore.azure.net";
const BLOB_ZONE = "privatelink.blob.core.windows.net";
const KV = vaultId("kv-shared");
const OWN_STORAGE = `/subscriptions/${ATTACKER}/resourceGroups/rg-x/providers/Microsoft.Storage/storageAccounts/stattacker`;
const COSMOS = providerId("Microsoft.DocumentDB/databaseAccounts", "cosmos-shared");
const AMR = providerId("Microsoft.Cache/redisEnterprise", "amr-shared");

const ALLOW = allowList({ zones: [VAULT_ZONE, BLOB_ZONE, "privatelink.documents.azure.com", "privatelink.redis.azure.net"] });

let local: LocalArm | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
});

async function setup(extra: ArmResource[] = [], allow = ALLOW) {
  const attackerVnet = { ...consumerVnet("rg-x"), id: `/subscriptions/${ATTACKER}/resourceGroups/rg-x/providers/Microsoft.Network/virtualNetworks/vnet` };
  local = await startLocalArm(
    {
      resources: [
        parent(KV, "Microsoft.KeyVault/vaults"),
        parent(COSMOS, "Microsoft.DocumentDB/databaseAccounts"),
        parent(AMR, "Microsoft.Cache/redisEnterprise"),
        parent(OWN_STORAGE, "Microsoft.Storage/storageAccounts"),
        ...[VAULT_ZONE, BLOB_ZONE, "privatelink.documents.azure.com", "privatelink.redis.azure.net"].map(hubZone),
        consumerVnet("rg-app"),
        attackerVnet,
        ...extra,
      ],
    },
    { throttle: false },
  );
  const config = parseConfigText(allow, "allow-list.yaml");
  if (!config.ok) throw new Error(JSON.stringify(config.problems));
  return { local, autopilot: new Autopilot({ arm: local.arm, config }) };
}

/** The attack: an endpoint to the attacker's own storage account (auto-approved: it is theirs) that lists the corp vault's name. */
async function hostileEndpoint(l: LocalArm): Promise<string> {
  const pe = await l.arm.networkFor(ATTACKER).privateEndpoints.beginCreateOrUpdateAndWait("rg-x", "pe-evil", {
    location: "westeurope",
    subnet: { id: `/subscriptions/${ATTACKER}/resourceGroups/rg-x/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe` },
    privateLinkServiceConnections: [{ name: "own", privateLinkServiceId: OWN_STORAGE, groupIds: ["blob"] }],
    customDnsConfigs: [{ fqdn: "kv-shared.vault.azure.net", ipAddresses: ["10.66.6.6"] }],
  });
  expect(pe.customDnsConfigs!.map((c) => c.fqdn)).toEqual(["stattacker.blob.core.windows.net", "kv-shared.vault.azure.net"]);
  return pe.id!;
}

const peEvent = (id: string): ResourceEvent => ({
  id: `ev-${Math.random()}`,
  schema: "eventgrid",
  eventType: "Microsoft.Resources.ResourceWriteSuccess",
  kind: "write",
  resourceId: id,
  resourceType: "Microsoft.Network/privateEndpoints",
  operationName: "Microsoft.Network/privateEndpoints/write",
  caller: {},
});

async function records(l: LocalArm, zone: string) {
  const out: Record<string, { ips: string[]; metadata?: Record<string, string> }> = {};
  for await (const r of l.arm.privateDnsFor(HUB).recordSets.listByType("rg-dns", zone, "A"))
    out[r.name!] = { ips: (r.aRecords ?? []).map((a) => a.ipv4Address!), metadata: r.metadata };
  return out;
}

const mentions = (ds: Decision[], id: string) =>
  ds.filter((d) => d.action !== "dns-skip" && d.action.startsWith("dns-") && (d.dns?.owner === id || d.resource === id));
const nicReads = (l: LocalArm) => l.emulator.calls.filter((c) => c.method === "GET" && /\/networkInterfaces\//i.test(c.path)).length;

describe("a consumer cannot name records after someone else's target (defect 1)", () => {
  it("event: the vault's name listed by an endpoint to its own storage account is skipped with the reason; its own blob name is kept", async () => {
    const { local, autopilot } = await setup();
    const evil = await hostileEndpoint(local);
    const ds = await autopilot.handleEvent(peEvent(evil));
    expect(await records(local, VAULT_ZONE)).toEqual({});
    const skip = ds.find((d) => d.action === "dns-skip" && d.dns?.record === "kv-shared");
    expect(skip).toMatchObject({
      outcome: "skipped",
      dns: { zone: VAULT_ZONE },
      reason: expect.stringMatching(/kv-shared\.vault\.azure\.net .*not a name of the endpoint's target stattacker/),
    });
    // What the platform set for its own account stays registered, as for any approved endpoint in a watched subscription.
    expect(Object.keys(await records(local, BLOB_ZONE))).toEqual(["stattacker"]);
  });

  it("event: with the vault's real record in place, the hostile endpoint does not become its claimant", async () => {
    const { local, autopilot } = await setup();
    const legit = await createEndpoint(local, "pe-kv", KV);
    await autopilot.handleEvent(peEvent(legit));
    const before = await records(local, VAULT_ZONE);
    expect(before["kv-shared"]!.metadata).toMatchObject({ owner: legit });
    const evil = await hostileEndpoint(local);
    const ds = await autopilot.handleEvent(peEvent(evil));
    expect(mentions(ds, evil).filter((d) => d.dns?.zone === VAULT_ZONE)).toEqual([]);
    expect(await records(local, VAULT_ZONE)).toEqual(before);
    expect(JSON.stringify(before)).not.toContain(evil);
  });

  it("sweep: neither creates the record nor records a claimant, twice over", async () => {
    const { local, autopilot } = await setup();
    const legit = await createEndpoint(local, "pe-kv", KV);
    await autopilot.handleEvent(peEvent(legit));
    const evil = await hostileEndpoint(local);
    const sweeper = new Sweeper(autopilot, new ResourceInventory(local.arm));
    for (const run of [1, 2]) {
      const report = await sweeper.sweep();
      expect(report.complete, `sweep ${run}`).toBe(true);
      expect(
        mentions(report.decisions, evil).filter((d) => d.dns?.zone === VAULT_ZONE),
        `sweep ${run}`,
      ).toEqual([]);
      const vault = await records(local, VAULT_ZONE);
      expect(Object.keys(vault)).toEqual(["kv-shared"]);
      expect(vault["kv-shared"]!.metadata).toMatchObject({ owner: legit });
      expect(JSON.stringify(vault)).not.toContain(evil);
      expect(report.decisions.some((d) => d.action === "dns-skip" && d.resource === evil && d.dns?.record === "kv-shared")).toBe(true);
    }
  });

  it("sweep without the legitimate owner: the name stays free", async () => {
    const { local, autopilot } = await setup();
    await hostileEndpoint(local);
    await new Sweeper(autopilot, new ResourceInventory(local.arm)).sweep();
    expect(await records(local, VAULT_ZONE)).toEqual({});
  });

  it("a Key Vault endpoint whose customDnsConfigs name its own vault costs no NIC read", async () => {
    const { local, autopilot } = await setup();
    const id = await createEndpoint(local, "pe-kv", KV);
    local.emulator.clearCalls();
    const ds = await autopilot.handleEvent(peEvent(id));
    expect(ds.filter((d) => d.action === "dns-create").map((d) => [d.dns?.zone, d.dns?.record, d.outcome])).toEqual([[VAULT_ZONE, "kv-shared", "applied"]]);
    expect(nicReads(local)).toBe(0);
  });

  it("names the service extends with a region (Cosmos DB, Managed Redis) come from the NIC, one read, same records", async () => {
    const { local, autopilot } = await setup();
    for (const [name, target, group, zone, expected] of [
      ["pe-cosmos", COSMOS, "Sql", "privatelink.documents.azure.com", ["cosmos-shared", "cosmos-shared-westeurope"]],
      ["pe-amr", AMR, "redisEnterprise", "privatelink.redis.azure.net", ["amr-shared.westeurope"]],
    ] as const) {
      const id = await createEndpoint(local, name, target, { groupId: group });
      local.emulator.clearCalls();
      const ds = await autopilot.handleEvent(peEvent(id));
      expect(
        ds.filter((d) => d.action === "dns-create").map((d) => d.dns?.record),
        name,
      ).toEqual([...expected]);
      expect(Object.keys(await records(local, zone)).sort(), name).toEqual([...expected]);
      expect(nicReads(local), name).toBe(1);
    }
  });

  it("a consumer-written name for the right zone but another resource is refused even when the NIC is read", async () => {
    const { local, autopilot } = await setup();
    const pe = await local.arm.networkFor(CONSUMER).privateEndpoints.beginCreateOrUpdateAndWait("rg-app", "pe-cosmos", {
      location: "westeurope",
      subnet: { id: `/subscriptions/${CONSUMER}/resourceGroups/rg-app/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe` },
      privateLinkServiceConnections: [{ name: "l", privateLinkServiceId: COSMOS, groupIds: ["Sql"] }],
      customDnsConfigs: [{ fqdn: "cosmos-other.documents.azure.com", ipAddresses: ["10.10.1.99"] }],
    });
    const ds = await autopilot.handleEvent(peEvent(pe.id!));
    expect(Object.keys(await records(local, "privatelink.documents.azure.com")).sort()).toEqual(["cosmos-shared", "cosmos-shared-westeurope"]);
    expect(ds.find((d) => d.action === "dns-skip" && d.dns?.record === "cosmos-other")?.reason).toMatch(/network interface does not carry it/);
  });
});

describe("dns.registerFor narrows which endpoints get records", () => {
  const narrowed = (scope: string) => ALLOW.replace("dns:\n", `dns:\n  registerFor: [${scope}]\n`);

  it("an approved endpoint outside every listed scope gets no record, and says why; inside, it does", async () => {
    const { local, autopilot } = await setup([], narrowed(`/subscriptions/${CONSUMER}/resourceGroups/rg-other`));
    const id = await createEndpoint(local, "pe-kv", KV);
    const ds = await autopilot.handleEvent(peEvent(id));
    expect(ds[0]).toMatchObject({ action: "approve", outcome: "applied" });
    expect(ds.filter((d) => d.action.startsWith("dns-")).map((d) => [d.action, d.reason])).toEqual([
      ["dns-skip", expect.stringMatching(/outside dns.registerFor/)],
    ]);
    expect(await records(local, VAULT_ZONE)).toEqual({});
    await local.close();

    const inside = await setup([], narrowed(`/subscriptions/${CONSUMER}/resourceGroups/rg-app`));
    const id2 = await createEndpoint(inside.local, "pe-kv", KV);
    await inside.autopilot.handleEvent(peEvent(id2));
    expect(Object.keys(await records(inside.local, VAULT_ZONE))).toEqual(["kv-shared"]);
  });

  it("the sweep honours it too", async () => {
    const { local, autopilot } = await setup([], narrowed(`/subscriptions/${CONSUMER}`));
    await hostileEndpoint(local);
    const report = await new Sweeper(autopilot, new ResourceInventory(local.arm)).sweep();
    expect(report.decisions.some((d) => d.action === "dns-skip" && /outside dns.registerFor/.test(d.reason))).toBe(true);
    expect(await records(local, BLOB_ZONE)).toEqual({});
  });
});
