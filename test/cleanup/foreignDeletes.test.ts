// Issue 8, defect 2: cleanup.deleteDisconnectedEndpoints deletes only endpoints the
// app manages: a Disconnected connection to a resource inside managedScopes, from an
// endpoint in a scope listed in cleanup.deleteEndpointsIn. Everything else is reported.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import { Sweeper } from "../../shared/autopilot/sweep.js";
import type { ArmResource, Estate } from "../../sandbox/estate.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { allowList } from "../helpers/allowList.js";
import { ResourceInventory } from "../../shared/gateways/inventory.js";

const PROVIDER = "22222222-2222-2222-2222-222222222222";
const CONSUMER = "11111111-1111-1111-1111-111111111111";
const OTHER_BU = "55555555-5555-5555-5555-555555555555";
const KV = `/subscriptions/${PROVIDER}/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-shared`;
const BU_STORAGE = `/subscriptions/${OTHER_BU}/resourceGroups/rg-bu/providers/Microsoft.Storage/storageAccounts/stbu`;
const PARTNER_ALIAS = "partner-svc.d1a2b3c4-0000-1111-2222-333344445555.westeurope.azure.privatelinkservice";
const PE = (sub: string, rg: string, name: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/privateEndpoints/${name}`;

const OURS = PE(CONSUMER, "rg-app", "pe-ours");
const TO_PARTNER = PE(CONSUMER, "rg-app", "pe-partner");
const BU_OWN = PE(OTHER_BU, "rg-bu", "pe-bu-storage");
const BU_TO_US = PE(OTHER_BU, "rg-bu", "pe-bu-kv");

function disconnectedEndpoint(id: string, target: string, groupId: string): ArmResource {
  return {
    id,
    type: "Microsoft.Network/privateEndpoints",
    location: "westeurope",
    properties: {
      provisioningState: "Succeeded",
      manualPrivateLinkServiceConnections: [
        {
          name: "l",
          properties: {
            privateLinkServiceId: target,
            groupIds: groupId ? [groupId] : [],
            privateLinkServiceConnectionState: { status: "Disconnected", description: "removed", actionsRequired: "None" },
          },
        },
      ],
      networkInterfaces: [],
    },
  };
}

function estate(): Estate {
  const parent = (id: string, type: string): ArmResource => ({ id, type, location: "westeurope", properties: {} });
  return {
    resources: [
      parent(KV, "Microsoft.KeyVault/vaults"),
      parent(BU_STORAGE, "Microsoft.Storage/storageAccounts"),
      // Ours: its vault connection was removed on the provider side (inside managedScopes).
      disconnectedEndpoint(OURS, KV, "vault"),
      // A partner's Private Link Service, reached by alias: the partner removed it.
      disconnectedEndpoint(TO_PARTNER, PARTNER_ALIAS, ""),
      // Another business unit, pointing at its own storage account.
      disconnectedEndpoint(BU_OWN, BU_STORAGE, "blob"),
      // Another business unit, pointing at our vault, but its subscription is not listed for deletion.
      disconnectedEndpoint(BU_TO_US, KV, "vault"),
    ],
  };
}

const cleanupIn = (deleteEndpointsIn: string[]) =>
  allowList({
    requesters: [CONSUMER, OTHER_BU],
    zones: [],
    cleanup: { deleteDisconnectedEndpoints: true, gracePeriodMinutes: 0, ...(deleteEndpointsIn.length ? { deleteEndpointsIn } : {}) },
  });

let local: LocalArm | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
});

async function sweep(text: string) {
  local = await startLocalArm(estate(), { throttle: false });
  const config = parseConfigText(text, "allow-list.yaml");
  if (!config.ok) throw new Error(JSON.stringify(config.problems));
  const autopilot = new Autopilot({ arm: local.arm, config });
  const report = await new Sweeper(autopilot, new ResourceInventory(local.arm)).sweep({ subscriptions: [CONSUMER, OTHER_BU] });
  const exists = (id: string) => local!.emulator.getResource(id) !== undefined;
  const about = (id: string) => report.decisions.filter((d) => d.resource === id);
  return { report, exists, about };
}

describe("cleanup deletes only endpoints it manages", () => {
  it("a sweep does not delete a Disconnected endpoint to a partner's alias, nor another unit's endpoint to its own storage account", async () => {
    const { exists, about } = await sweep(cleanupIn([`/subscriptions/${CONSUMER}`, `/subscriptions/${OTHER_BU}/resourceGroups/rg-bu`]));
    expect(exists(TO_PARTNER)).toBe(true);
    expect(exists(BU_OWN)).toBe(true);
    // Reported, with the reason, never deleted.
    expect(about(TO_PARTNER)).toEqual([
      expect.objectContaining({ action: "ignore", outcome: "skipped", reason: expect.stringMatching(/alias partner-svc.*not ours to delete/) }),
    ]);
    expect(about(BU_OWN)).toEqual([
      expect.objectContaining({ action: "ignore", outcome: "skipped", reason: expect.stringMatching(/stbu, outside managedScopes/) }),
    ]);
    // What is ours is deleted, and the audit row says why it was allowed.
    expect(exists(OURS)).toBe(false);
    expect(about(OURS)).toEqual([
      expect.objectContaining({
        action: "delete-endpoint",
        outcome: "applied",
        reason: expect.stringMatching(
          new RegExp(
            `allowed because the endpoint lies in cleanup.deleteEndpointsIn scope /subscriptions/${CONSUMER} and its connection targeted ${KV} \\(in managed scope /subscriptions/${PROVIDER}\\).*0-minute grace`,
          ),
        ),
      }),
    ]);
  });

  it("an endpoint to a managed target, outside the consumer scopes listed for deletion, is reported, not deleted", async () => {
    const { exists, about } = await sweep(cleanupIn([`/subscriptions/${CONSUMER}`]));
    expect(exists(BU_TO_US)).toBe(true);
    expect(about(BU_TO_US)).toEqual([
      expect.objectContaining({
        action: "ignore",
        reason: expect.stringMatching(/outside cleanup.deleteEndpointsIn \(\/subscriptions\/1111.*\): reported, not deleted/),
      }),
    ]);
    expect(exists(OURS)).toBe(false);
  });

  it("with deleteDisconnectedEndpoints on but no consumer scope listed, nothing is deleted", async () => {
    const { report, exists } = await sweep(cleanupIn([]));
    for (const id of [OURS, TO_PARTNER, BU_OWN, BU_TO_US]) expect(exists(id), id).toBe(true);
    expect(report.decisions.filter((d) => d.action === "delete-endpoint")).toEqual([]);
  });
});
