// planEndpointDeletion is pure: one table of cases (mode, exclusion tag, grace, scopes), no ARM.
import { describe, expect, it } from "vitest";
import { DEFAULTS, type AllowListConfig, type DnsMode } from "../../shared/config/index.js";
import { planConnectionDeletion, planEndpointDeletion, type GraceClock } from "../../shared/cleanup/plan.js";
import type { EndpointInfo, EndpointLink } from "../../shared/model/endpoint.js";

const PROVIDER = "22222222-2222-2222-2222-222222222222";
const CONSUMER = "11111111-1111-1111-1111-111111111111";
const OTHER_BU = "55555555-5555-5555-5555-555555555555";
const KV = `/subscriptions/${PROVIDER}/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-shared`;
const BU_STORAGE = `/subscriptions/${OTHER_BU}/resourceGroups/rg-bu/providers/Microsoft.Storage/storageAccounts/stbu`;
const ALIAS = "partner-svc.d1a2b3c4-0000-1111-2222-333344445555.westeurope.azure.privatelinkservice";

interface Opts {
  on?: boolean;
  mode?: DnsMode;
  in?: string[];
  grace?: number;
}

function config(o: Opts = {}): Pick<AllowListConfig, "approval" | "cleanup" | "dns"> {
  return {
    approval: { managedScopes: [`/subscriptions/${PROVIDER}/resourceGroups/rg-shared`], unmatched: "leave-pending", revokeRemoved: false, rules: [] },
    dns: { mode: o.mode ?? "sync", ttl: 600, registerWhen: "approved", dryRun: false, zones: [], customRecords: [] },
    cleanup: {
      ...DEFAULTS.cleanup,
      deleteDisconnectedEndpoints: o.on ?? true,
      gracePeriodMinutes: o.grace ?? 60,
      deleteEndpointsIn: o.in ?? [`/subscriptions/${CONSUMER}`],
    },
  };
}

const link = (target: string, status = "Disconnected"): EndpointLink =>
  target.startsWith("/")
    ? { name: "l", targetResourceId: target, groupIds: ["vault"], status, manual: true }
    : { name: "l", alias: target, groupIds: [], status, manual: true };

function endpoint(links: EndpointLink[], o: { sub?: string; rg?: string; tags?: Record<string, string> } = {}): EndpointInfo {
  const sub = o.sub ?? CONSUMER;
  const rg = o.rg ?? "rg-app";
  return {
    id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/privateEndpoints/pe`,
    name: "pe",
    subscriptionId: sub,
    resourceGroup: rg,
    links,
    customDnsConfigs: [],
    networkInterfaceIds: [],
    tags: o.tags ?? {},
  };
}

const T0 = new Date("2026-12-01T00:00:00Z");
const after = (min: number): GraceClock => ({ since: T0, now: new Date(T0.getTime() + min * 60_000) });

describe("planEndpointDeletion", () => {
  it.each<[string, EndpointInfo, Opts, GraceClock | undefined, string, RegExp]>([
    [
      "deletes ours: managed target, listed consumer scope, grace past",
      endpoint([link(KV)]),
      {},
      after(61),
      "delete",
      /allowed because the endpoint lies in cleanup.deleteEndpointsIn scope \/subscriptions\/1111.*targeted .*kv-shared \(in managed scope .*rg-shared\).*60-minute grace/,
    ],
    [
      "a listed resource-group scope counts too",
      endpoint([link(KV)]),
      { in: [`/subscriptions/${CONSUMER}/resourceGroups/RG-APP`] },
      after(61),
      "delete",
      /scope \/subscriptions\/1111.*\/resourceGroups\/RG-APP/,
    ],
    ["grace 0 deletes at once", endpoint([link(KV)]), { grace: 0 }, after(0), "delete", /past the 0-minute grace/],
    ["the option off: nothing", endpoint([link(KV)]), { on: false }, after(999), "keep", /deleteDisconnectedEndpoints is off/],
    ["Rejected, not Disconnected: nothing", endpoint([link(KV, "Rejected")]), {}, after(999), "keep", /not every connection/],
    [
      "one link still Approved: nothing",
      endpoint([link(KV), link(KV.replace("kv-shared", "kv-2"), "Approved")]),
      {},
      after(999),
      "keep",
      /not every connection/,
    ],
    ["upsert-only never deletes", endpoint([link(KV)]), { mode: "upsert-only" }, after(999), "keep", /mode upsert-only never deletes/],
    ["create-only never deletes", endpoint([link(KV)]), { mode: "create-only" }, after(999), "keep", /mode create-only never deletes/],
    [
      "the exclusion tag keeps it (any case)",
      endpoint([link(KV)], { tags: { "PrivateLink-Autopilot-Keep": "" } }),
      {},
      after(999),
      "keep",
      /tagged privatelink-autopilot-keep: kept/,
    ],
    ["a partner's Private Link alias is not ours", endpoint([link(ALIAS)]), {}, after(999), "keep", /targets alias partner-svc.*not ours to delete/],
    [
      "another unit's own storage account is not ours",
      endpoint([link(BU_STORAGE)], { sub: OTHER_BU }),
      { in: [`/subscriptions/${CONSUMER}`, `/subscriptions/${OTHER_BU}`] },
      after(999),
      "keep",
      /targets .*stbu, outside managedScopes/,
    ],
    [
      "a managed target in a sibling resource group outside the scope is not ours",
      endpoint([link(KV.replace("rg-shared", "rg-shared-2"))]),
      {},
      after(999),
      "keep",
      /outside managedScopes/,
    ],
    ["one link to a managed target and one to an alias: kept", endpoint([link(KV), link(ALIAS)]), {}, after(999), "keep", /alias/],
    [
      "outside cleanup.deleteEndpointsIn: reported, not deleted",
      endpoint([link(KV)], { sub: OTHER_BU }),
      {},
      after(999),
      "keep",
      /outside cleanup.deleteEndpointsIn \(\/subscriptions\/1111.*\): reported, not deleted/,
    ],
    [
      "a resource group of the same name in another subscription is outside",
      endpoint([link(KV)], { sub: OTHER_BU }),
      { in: [`/subscriptions/${CONSUMER}/resourceGroups/rg-app`] },
      after(999),
      "keep",
      /outside cleanup.deleteEndpointsIn/,
    ],
    ["nothing listed: nothing deleted", endpoint([link(KV)]), { in: [] }, after(999), "keep", /outside cleanup.deleteEndpointsIn \(none listed\)/],
    ["grace running: wait, with the minutes left", endpoint([link(KV)]), {}, after(15), "wait", /45 min left/],
    ["eligible, no clock yet: ask for it", endpoint([link(KV)]), {}, undefined, "wait", /grace period not yet read/],
  ])("%s", (_, pe, o, clock, action, reason) => {
    const plan = planEndpointDeletion(pe, config(o), clock);
    expect(plan.action).toBe(action);
    expect(plan.reason).toMatch(reason);
  });

  it("a delete carries its grounds for the audit row", () => {
    const plan = planEndpointDeletion(endpoint([link(KV)]), config(), after(61));
    expect(plan).toMatchObject({
      action: "delete",
      grounds: {
        consumerScope: `/subscriptions/${CONSUMER}`,
        targets: [{ target: KV, managedScope: `/subscriptions/${PROVIDER}/resourceGroups/rg-shared` }],
        graceMinutes: 60,
        disconnectedSince: T0.toISOString(),
      },
    });
  });

  it("asks for the clock only when everything else allows the delete (no first-seen marks for endpoints it will never delete)", () => {
    expect(planEndpointDeletion(endpoint([link(ALIAS)]), config())).toMatchObject({ action: "keep" });
    expect(planEndpointDeletion(endpoint([link(KV)]), config())).toMatchObject({ action: "wait", needsClock: true });
  });
});

describe("planConnectionDeletion", () => {
  const cases: { name: string; on: boolean; mode: DnsMode; action: "delete" | "keep"; reason: RegExp }[] = [
    { name: "option off", on: false, mode: "sync", action: "keep", reason: /deleteStaleConnections is off/ },
    { name: "mode never deletes", on: true, mode: "upsert-only", action: "keep", reason: /mode upsert-only never deletes/ },
    { name: "create-only never deletes", on: true, mode: "create-only", action: "keep", reason: /mode create-only never deletes/ },
    { name: "on, sync", on: true, mode: "sync", action: "delete", reason: /its endpoint no longer exists/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const base = config({ mode: c.mode });
      const plan = planConnectionDeletion({ ...base, cleanup: { ...base.cleanup, deleteStaleConnections: c.on } });
      expect(plan.action).toBe(c.action);
      expect(plan.reason).toMatch(c.reason);
    });
  }
});
