// The custom roles cover every ARM call the app makes: drive approvals, DNS, the sweep and
// both kinds of cleanup over one provider resource of each registry type in the emulator,
// map every call the app made to the ARM action that authorises it, and look it up in the
// roles the Bicep deploys (infra/roles.json, evaluated).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import { Sweeper } from "../../shared/autopilot/sweep.js";
import { parseResourceId } from "../../shared/model/resourceId.js";
import { PROVIDER_TYPES } from "../../shared/model/providerTypes.js";
import type { CallLogEntry } from "../../sandbox/emulator/types.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { allowList, CLEAN_UP_CONSUMER } from "../helpers/allowList.js";
import { consumerVnet, CONSUMER, createEndpoint, hubZone, parent, PROVIDER, providerId } from "../helpers/world.js";
import { Evaluator, loadTemplate, resourcesOf } from "./armTemplate.js";
import { ResourceInventory } from "../../shared/gateways/inventory.js";

const GROUP_IDS: Record<string, string> = {
  "Microsoft.KeyVault/vaults": "vault",
  "Microsoft.Network/privateLinkServices": "",
  "Microsoft.Cache/redisEnterprise": "redisEnterprise",
  "Microsoft.Cache/redis": "redisCache",
  "Microsoft.Storage/storageAccounts": "blob",
  "Microsoft.Sql/servers": "sqlServer",
  "Microsoft.DocumentDB/databaseAccounts": "Sql",
};
const targets = PROVIDER_TYPES.map((p, i) => ({ type: p.type, id: providerId(p.type, `t${i}`) }));

const ALLOW = allowList({ cleanup: CLEAN_UP_CONSUMER });

/** The action ARM checks for a call: `<namespace>/<type>[/<child type>...]/<read|write|delete>`, or `<...>/<name>/action` for POST. */
export function actionOf(c: Pick<CallLogEntry, "method" | "path">): string | undefined {
  const path = c.path.split("?")[0]!;
  const at = path.toLowerCase().lastIndexOf("/providers/");
  if (at < 0) return undefined; // /subscriptions, /subscriptions/{id}: listing what one can see needs no action
  const segs = path
    .slice(at + "/providers/".length)
    .split("/")
    .filter(Boolean);
  // namespace, type, name, child type, child name, ...: the type path is every odd segment after the namespace.
  const typeSegs = [segs[0]!, ...segs.slice(1).filter((_, i) => i % 2 === 0)];
  if (c.method === "POST") return `${typeSegs.join("/")}/${segs.at(-1)}/action`;
  const verb = c.method === "GET" || c.method === "HEAD" ? "read" : c.method === "DELETE" ? "delete" : "write";
  // A list (odd number of segments after the namespace) and a get need the same read action.
  if (segs.length % 2 === 0 && verb !== "read") throw new Error(`write to a collection: ${c.method} ${path}`);
  return `${typeSegs.join("/")}/${verb}`;
}

let local: LocalArm;
const appCalls: CallLogEntry[] = [];
/** Runs one step of the app and keeps only the calls it made. */
async function asApp<T>(f: () => Promise<T>): Promise<T> {
  local.emulator.clearCalls();
  try {
    return await f();
  } finally {
    appCalls.push(...local.emulator.calls);
    local.emulator.clearCalls();
  }
}

beforeAll(async () => {
  local = await startLocalArm(
    { resources: [...targets.map((t) => parent(t.id, t.type)), hubZone("privatelink.vaultcore.azure.net"), consumerVnet("rg-app")] },
    { throttle: false },
  );
  for (const [i, t] of targets.entries()) await createEndpoint(local, `pe-${i}`, t.id, { groupId: GROUP_IDS[t.type] });
  const config = parseConfigText(ALLOW, "allow-list.yaml");
  expect(config.ok).toBe(true);
  const autopilot = new Autopilot({ arm: local.arm, config, identity: { objectId: "app" } });
  const sweeper = new Sweeper(autopilot, new ResourceInventory(local.arm));

  // 1. Approvals and DNS: the sweep lists every registry type and every endpoint.
  const first = await asApp(() => sweeper.sweep({ subscriptions: [PROVIDER, CONSUMER] }));
  expect(first.decisions.filter((d) => d.action === "approve" && d.outcome === "applied")).toHaveLength(targets.length);

  // 2. A team deletes the Key Vault endpoint: its record is released, its connection (now Disconnected) deleted.
  const pe0 = `/subscriptions/${CONSUMER}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/pe-0`;
  await local.arm.networkFor(CONSUMER).privateEndpoints.beginDeleteAndWait("rg-app", "pe-0", { updateIntervalInMs: 10 });
  await asApp(() =>
    autopilot.handleEvent({
      id: "d",
      schema: "eventgrid",
      eventType: "Microsoft.Resources.ResourceDeleteSuccess",
      kind: "delete",
      resourceId: pe0,
      resourceType: "Microsoft.Network/privateEndpoints",
      operationName: "Microsoft.Network/privateEndpoints/delete",
      caller: {},
    }),
  );
  await asApp(() => sweeper.sweep({ subscriptions: [PROVIDER, CONSUMER] }));

  // 3. Every provider drops its connection: the endpoints turn Disconnected and are deleted.
  for (const t of targets.slice(1)) {
    const conns = local.emulator.snapshot().resources.filter((r) => r.id.toLowerCase().startsWith(`${t.id}/privateEndpointConnections/`.toLowerCase()));
    for (const c of conns) await local.arm.generic.deleteAndWait(c.id, PROVIDER_TYPES.find((p) => p.type === t.type)!.apiVersion);
  }
  await asApp(() => sweeper.sweep({ subscriptions: [PROVIDER, CONSUMER] }));
  await asApp(() => sweeper.sweep({ subscriptions: [PROVIDER, CONSUMER] }));
}, 120_000);

afterAll(async () => {
  await local?.close();
});

describe("custom roles cover every call the app makes", () => {
  const roles = new Evaluator(loadTemplate(new URL("../../infra/roles.json", import.meta.url).pathname));
  const granted = new Set(
    resourcesOf(roles.t)
      .filter((r) => r.type === "Microsoft.Authorization/roleDefinitions")
      .flatMap((r) => roles.instances(r))
      .flatMap((r) => (r.properties as any).permissions[0].actions as string[])
      .map((a) => a.toLowerCase()),
  );

  it("maps calls to actions as ARM names them", () => {
    expect(actionOf({ method: "GET", path: "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v/privateEndpointConnections/c" })).toBe(
      "Microsoft.KeyVault/vaults/privateEndpointConnections/read",
    );
    expect(actionOf({ method: "GET", path: "/subscriptions/s/providers/Microsoft.Network/privateEndpoints" })).toBe("Microsoft.Network/privateEndpoints/read");
    expect(actionOf({ method: "PUT", path: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/privateDnsZones/z/A/r" })).toBe(
      "Microsoft.Network/privateDnsZones/A/write",
    );
    expect(actionOf({ method: "GET", path: "/subscriptions" })).toBeUndefined();
  });

  it("exercised every registry type's connections, DNS records, endpoint reads and both cleanups", () => {
    const actions = new Set(
      appCalls
        .map(actionOf)
        .filter(Boolean)
        .map((a) => a!.toLowerCase()),
    );
    for (const p of PROVIDER_TYPES) {
      expect(actions, p.type).toContain(`${p.type}/privateEndpointConnections/write`.toLowerCase());
      expect(actions, p.type).toContain(`${p.type}/read`.toLowerCase());
    }
    for (const a of [
      "Microsoft.Network/privateDnsZones/A/write",
      "Microsoft.Network/privateDnsZones/A/delete",
      "Microsoft.Network/privateEndpoints/read",
      "Microsoft.Network/networkInterfaces/read",
      "Microsoft.Network/privateEndpoints/delete",
      "Microsoft.KeyVault/vaults/privateEndpointConnections/delete",
    ]) {
      expect(actions, a).toContain(a.toLowerCase());
    }
  });

  it("every resource call the app made is granted by one of the custom roles", () => {
    // Operation-status polls are left out: the emulator answers every provider on one path shape
    // (locations/{l}/operationStatuses), while the registry names each provider's real one.
    const resourceCalls = appCalls.filter((c) => c.kind !== "operation" && c.status < 500);
    expect(resourceCalls.length).toBeGreaterThan(30);
    const missing = [...new Set(resourceCalls.map(actionOf).filter((a): a is string => !!a && !granted.has(a.toLowerCase())))];
    expect(missing).toEqual([]);
  });

  it("the app never called a type outside the registry, the endpoints, their NICs and the DNS zones", () => {
    const known = [
      ...PROVIDER_TYPES.map((p) => parseResourceId(providerId(p.type, "x")).type!),
      "Microsoft.Network/privateEndpoints",
      "Microsoft.Network/networkInterfaces",
      "Microsoft.Network/privateDnsZones",
    ].map((t) => t.toLowerCase());
    for (const a of appCalls
      .filter((c) => c.kind !== "operation")
      .map(actionOf)
      .filter((a): a is string => !!a)) {
      expect(
        known.some((t) => a.toLowerCase().startsWith(`${t}/`)),
        a,
      ).toBe(true);
    }
  });
});
