// Revocation (approval.revokeRemoved) through the real SDK clients and the emulator:
// it decides on the facts approval used, revokes only what this app approved, and
// re-checks right before the write.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot, type AutopilotOptions } from "../../shared/core/autopilot.js";
import type { Decision } from "../../shared/core/decision.js";
import { Sweeper } from "../../shared/core/sweep.js";
import type { ResourceEvent } from "../../shared/events/index.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { CONSUMER, PROVIDER, consumerVnet, createEndpoint, hubZone, parent, vaultId } from "../helpers/world.js";

const KV = vaultId("kv-shared");
const KV_ZONE = "privatelink.vaultcore.azure.net";

/** Like the shipped demo rule: Key Vault, group id vault. */
const allowList = (opts: { revokeRemoved?: boolean; requester?: string } = {}) => `
approval:
  managedScopes: [/subscriptions/${PROVIDER}]
  revokeRemoved: ${opts.revokeRemoved ?? true}
  rules:
    - name: corp-spokes
      requesterSubscriptions: [${opts.requester ?? CONSUMER}]
      targetResourceTypes: [Microsoft.KeyVault/vaults]
      groupIds: [vault]
`;

let local: LocalArm | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
});

async function setup() {
  local = await startLocalArm({ resources: [parent(KV, "Microsoft.KeyVault/vaults"), hubZone(KV_ZONE), consumerVnet("rg-app")] }, { throttle: false });
  return local;
}

function autopilotFor(l: LocalArm, text: string, opts: Partial<AutopilotOptions> = {}) {
  const config = parseConfigText(text, "allow-list.yaml");
  if (!config.ok) throw new Error(JSON.stringify(config.problems));
  return new Autopilot({ arm: l.arm, config, ...opts });
}

let n = 0;
function ev(resourceId: string): ResourceEvent {
  const type = resourceId.includes("/privateEndpoints/") ? "Microsoft.Network/privateEndpoints" : "Microsoft.KeyVault/vaults/privateEndpointConnections";
  return { id: `ev-${++n}`, schema: "eventgrid", eventType: "Microsoft.Resources.ResourceWriteSuccess", kind: "write", resourceId, resourceType: type, operationName: `${type}/write`, caller: {} };
}

const connectionOf = (l: LocalArm) => l.emulator.snapshot().resources.find((r) => r.type === "Microsoft.KeyVault/vaults/privateEndpointConnections")!;
const stateOf = (l: LocalArm) => connectionOf(l).properties!.privateLinkServiceConnectionState as { status: string; description: string };
const revokes = (ds: Decision[]) => ds.filter((d) => d.action === "revoke");

describe("revocation decides on the facts approval used", () => {
  it("an event approves a Key Vault connection under a rule with groupIds; the next sweep does not revoke it", async () => {
    const l = await setup();
    const pe = await createEndpoint(l, "pe-kv", KV, { groupId: "vault" });
    const autopilot = autopilotFor(l, allowList());
    expect((await autopilot.handleEvent(ev(pe))).map((d) => [d.action, d.outcome])).toContainEqual(["approve", "applied"]);
    // Key Vault connections carry no groupIds: approval took them from the endpoint's link.
    expect(connectionOf(l).properties!.groupIds).toBeUndefined();

    const report = await new Sweeper(autopilot, l.arm).sweep({ subscriptions: [CONSUMER] });
    expect(revokes(report.decisions)).toEqual([]);
    expect(stateOf(l).status).toBe("Approved");
    // And the event path on the connection itself agrees.
    expect(revokes(await autopilot.handleEvent(ev(connectionOf(l).id)))).toEqual([]);
    expect(stateOf(l).status).toBe("Approved");
  });

  it("keeps the approval when the requester endpoint cannot be read; revokes once a rule surely no longer allows the link's group id", async () => {
    const l = await setup();
    const pe = await createEndpoint(l, "pe-kv", KV, { groupId: "vault" });
    await autopilotFor(l, allowList()).handleEvent(ev(pe));
    const conn = connectionOf(l).id;

    // The endpoint cannot be read (another tenant, a lost role): unknown means keep.
    l.emulator.injectFault({ method: "GET", pathIncludes: "/privateEndpoints/pe-kv", status: 403 });
    const kept = await autopilotFor(l, allowList()).handleEvent(ev(conn));
    expect(kept).toEqual([expect.objectContaining({ action: "ignore", reason: expect.stringMatching(/kept.*cannot be told.*cannot be read/) })]);
    expect(stateOf(l).status).toBe("Approved");

    // Readable again, and the rule now allows only blob: sure, so revoked.
    expect(l.emulator.calls.filter((c) => c.status === 403)).toHaveLength(1); // the one fault was taken by that read
    const narrowed = allowList().replace("groupIds: [vault]", "groupIds: [blob]");
    const ds = await autopilotFor(l, narrowed).handleEvent(ev(conn));
    expect(ds.map((d) => [d.action, d.outcome])).toContainEqual(["revoke", "applied"]);
    expect(stateOf(l).status).toBe("Rejected");
  });
});
