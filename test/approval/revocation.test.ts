// Revocation (approval.revokeRemoved) through the real SDK clients and the emulator:
// it decides on the facts approval used, revokes only what this app approved, and
// re-checks right before the write.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot, type AutopilotOptions } from "../../shared/autopilot/autopilot.js";
import type { Decision } from "../../shared/model/decision.js";
import { Sweeper } from "../../shared/autopilot/sweep.js";
import type { ResourceEvent } from "../../shared/events/index.js";
import { MemoryOwnApprovalStore } from "../../shared/store/ownApprovals.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { CONSUMER, PROVIDER, consumerVnet, createEndpoint, hubZone, parent, vaultId } from "../helpers/world.js";
import { ResourceInventory } from "../../shared/gateways/inventory.js";

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
  return {
    id: `ev-${++n}`,
    schema: "eventgrid",
    eventType: "Microsoft.Resources.ResourceWriteSuccess",
    kind: "write",
    resourceId,
    resourceType: type,
    operationName: `${type}/write`,
    caller: {},
  };
}

const connectionOf = (l: LocalArm) => l.emulator.snapshot().resources.find((r) => r.type === "Microsoft.KeyVault/vaults/privateEndpointConnections")!;
const stateOf = (l: LocalArm) => connectionOf(l).properties!.privateLinkServiceConnectionState as { status: string; description: string };
const revokes = (ds: Decision[]) => ds.filter((d) => d.action === "revoke");

/** A human approves (or re-approves) in the portal: the owner sets Approved with a description of their choosing. */
async function humanApproves(l: LocalArm, description: string) {
  const c = connectionOf(l);
  await l.arm
    .keyVaultFor(PROVIDER)
    .privateEndpointConnections.put("rg-shared", "kv-shared", c.name!, { privateLinkServiceConnectionState: { status: "Approved", description } });
}

/** The same change, landed synchronously inside the emulator (for interleaving with the app's own calls). */
function humanReapprovesNow(l: LocalArm, description: string) {
  const c = connectionOf(l);
  const state = { ...c.properties!.privateLinkServiceConnectionState, status: "Approved", description };
  l.emulator.load({ resources: [{ ...c, etag: `W/"human-${Math.random()}"`, properties: { ...c.properties, privateLinkServiceConnectionState: state } }] });
}

/** The requester leaves the allow-list; revokeRemoved is on. */
const removed = () => allowList({ requester: "44444444-4444-4444-4444-444444444444" });

describe("revocation decides on the facts approval used", () => {
  it("an event approves a Key Vault connection under a rule with groupIds; the next sweep does not revoke it", async () => {
    const l = await setup();
    const pe = await createEndpoint(l, "pe-kv", KV, { groupId: "vault" });
    const autopilot = autopilotFor(l, allowList());
    expect((await autopilot.handleEvent(ev(pe))).map((d) => [d.action, d.outcome])).toContainEqual(["approve", "applied"]);
    // Key Vault connections carry no groupIds: approval took them from the endpoint's link.
    expect(connectionOf(l).properties!.groupIds).toBeUndefined();

    const report = await new Sweeper(autopilot, new ResourceInventory(l.arm)).sweep({ subscriptions: [CONSUMER] });
    expect(revokes(report.decisions)).toEqual([]);
    expect(stateOf(l).status).toBe("Approved");
    // And the event path on the connection itself agrees.
    expect(revokes(await autopilot.handleEvent(ev(connectionOf(l).id)))).toEqual([]);
    expect(stateOf(l).status).toBe("Approved");
  });

  it("keeps the approval when the requester endpoint cannot be read; revokes once a rule surely no longer allows the link's group id", async () => {
    const l = await setup();
    const pe = await createEndpoint(l, "pe-kv", KV, { groupId: "vault" });
    const ownApprovals = new MemoryOwnApprovalStore();
    await autopilotFor(l, allowList(), { ownApprovals }).handleEvent(ev(pe));
    const conn = connectionOf(l).id;

    // The endpoint cannot be read (another tenant, a lost role): unknown means keep.
    l.emulator.injectFault({ method: "GET", pathIncludes: "/privateEndpoints/pe-kv", status: 403 });
    const kept = await autopilotFor(l, allowList(), { ownApprovals }).handleEvent(ev(conn));
    expect(kept).toEqual([expect.objectContaining({ action: "ignore", reason: expect.stringMatching(/kept.*cannot be told.*cannot be read/) })]);
    expect(stateOf(l).status).toBe("Approved");

    // Readable again, and the rule now allows only blob: sure, so revoked.
    expect(l.emulator.calls.filter((c) => c.status === 403)).toHaveLength(1); // the one fault was taken by that read
    const narrowed = allowList().replace("groupIds: [vault]", "groupIds: [blob]");
    const ds = await autopilotFor(l, narrowed, { ownApprovals }).handleEvent(ev(conn));
    expect(ds.map((d) => [d.action, d.outcome])).toContainEqual(["revoke", "applied"]);
    expect(stateOf(l).status).toBe("Rejected");
  });
});

describe("only approvals this app made are revoked", () => {
  it("a requester that writes 'Approved by privatelink-autopilot...' into its request message, approved by a human, is never revoked", async () => {
    const l = await setup();
    const forged = "Approved by privatelink-autopilot (rule 'corp-spokes')";
    await createEndpoint(l, "pe-kv", KV, { groupId: "vault", requestMessage: forged });
    // Nobody allow-listed the requester: the app leaves it pending, a human approves and keeps the message.
    const own = new MemoryOwnApprovalStore();
    const autopilot = autopilotFor(l, removed(), { ownApprovals: own });
    await autopilot.handleEvent(ev(connectionOf(l).id));
    expect(stateOf(l).status).toBe("Pending");
    await humanApproves(l, forged);
    expect(stateOf(l)).toMatchObject({ status: "Approved", description: forged });

    l.emulator.clearCalls();
    const report = await new Sweeper(autopilot, new ResourceInventory(l.arm)).sweep({ subscriptions: [CONSUMER] });
    expect(revokes(report.decisions)).toEqual([]);
    // Not the app's approval: nothing to judge, so its requester endpoint is not even read.
    expect(l.emulator.calls.filter((c) => c.method === "GET" && c.path.includes("/privateEndpoints/pe-kv"))).toEqual([]);
    expect(revokes(await autopilot.handleEvent(ev(connectionOf(l).id)))).toEqual([]);
    expect(stateOf(l)).toMatchObject({ status: "Approved", description: forged });
  });

  it("an approval this app made is revoked once the requester leaves the allow-list; a human re-approval afterwards is left alone", async () => {
    const l = await setup();
    const pe = await createEndpoint(l, "pe-kv", KV, { groupId: "vault" });
    const own = new MemoryOwnApprovalStore();
    await autopilotFor(l, allowList(), { ownApprovals: own }).handleEvent(ev(pe));
    expect(await own.get(connectionOf(l).id)).toMatchObject({ endpointId: pe, rule: "corp-spokes", description: stateOf(l).description });

    const narrowed = autopilotFor(l, removed(), { ownApprovals: own });
    expect(revokes(await narrowed.handleEvent(ev(connectionOf(l).id)))).toEqual([expect.objectContaining({ outcome: "applied" })]);
    expect(stateOf(l).status).toBe("Rejected");
    expect(await own.get(connectionOf(l).id)).toBeUndefined();

    // A human decides otherwise: theirs from now on.
    await humanApproves(l, "Approved by alice: exception until March");
    const report = await new Sweeper(narrowed, new ResourceInventory(l.arm)).sweep({ subscriptions: [CONSUMER] });
    expect(revokes(report.decisions)).toEqual([]);
    expect(stateOf(l).status).toBe("Approved");
  });

  it("a human re-approval landing between the sweep's list and its revoke write is not revoked", async () => {
    const l = await setup();
    const pe = await createEndpoint(l, "pe-kv", KV, { groupId: "vault" });
    const own = new MemoryOwnApprovalStore();
    await autopilotFor(l, allowList(), { ownApprovals: own }).handleEvent(ev(pe));
    const connId = connectionOf(l).id;
    const narrowed = autopilotFor(l, removed(), { ownApprovals: own });

    // The sweep lists the vault's connections (still as the app approved them: the vault
    // list carries them, or a list of its own); right after that list, before the app's
    // fresh read, a human re-approves.
    l.emulator.clearCalls();
    let listed = false;
    const stop = l.emulator.beforeCall(({ method, path }) => {
      if (method !== "GET") return;
      if (/\/privateEndpointConnections$/i.test(path) || /\/providers\/Microsoft\.KeyVault\/vaults$/i.test(path)) listed = true;
      else if (listed && path.toLowerCase() === connId.toLowerCase()) {
        humanReapprovesNow(l, "Re-approved by alice");
        stop();
      }
    });
    const report = await new Sweeper(narrowed, new ResourceInventory(l.arm)).sweep({ subscriptions: [CONSUMER] });
    stop();
    expect(listed).toBe(true);
    expect(report.decisions.find((d) => d.resource === connId)).toMatchObject({
      action: "ignore",
      reason: expect.stringMatching(/changed since it was listed.*not revoked/),
    });
    expect(revokes(report.decisions)).toEqual([]);
    expect(stateOf(l)).toMatchObject({ status: "Approved", description: "Re-approved by alice" });
    expect(l.emulator.calls.filter((c) => c.method === "PUT" && c.path.toLowerCase() === connId.toLowerCase())).toEqual([]);
  });
});
