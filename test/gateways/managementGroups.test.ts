// requesterManagementGroups end to end: the subscriptions below a group are read through
// ARM's descendants list (the emulator answers as ARM does), cached for the refresh interval,
// and an unreadable group matches nothing (issue 13).
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import { ManagementGroupDirectory } from "../../shared/gateways/managementGroups.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { CONSUMER, HUB_RG, PROVIDER, consumerVnet, createEndpoint, parent, vaultId } from "../helpers/world.js";

const OTHER = "44444444-4444-4444-4444-444444444444";
const allowList = (unmatched = "leave-pending") => `
approval:
  managedScopes: [/subscriptions/${PROVIDER}]
  unmatched: ${unmatched}
  rules:
    - name: corp-landing-zones
      requesterManagementGroups: [corp]
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

async function world(groups: { name: string; parent?: string; subscriptions?: string[] }[], forbidden: string[] = []) {
  local = await startLocalArm(
    {
      resources: [parent(vaultId("kv"), "Microsoft.KeyVault/vaults"), consumerVnet("rg-app")],
      managementGroups: groups,
      refusals: { forbiddenScopes: forbidden },
    },
    { throttle: false },
  );
  const pe = await createEndpoint(local, "pe-kv", vaultId("kv"));
  return { l: local, pe };
}

const descendantReads = (l: LocalArm) => l.emulator.calls.filter((c) => /managementGroups\/corp\/descendants/i.test(c.path)).length;

describe("requesterManagementGroups", () => {
  it("approves a spoke that lies below the group, at any depth, with no subscription id in the file", async () => {
    const { l, pe } = await world([{ name: "corp" }, { name: "landing-zones", parent: "corp", subscriptions: [CONSUMER] }]);
    const config = parseConfigText(allowList(), "a.yaml");
    if (!config.ok) throw new Error("allow-list invalid");
    const d = await new Autopilot({ arm: l.arm, config }).handleEndpoint("ev1", pe, config.config, false);
    expect(d[0]).toMatchObject({ action: "approve", rule: "corp-landing-zones", outcome: "applied" });
  });

  it("leaves a spoke outside the group pending", async () => {
    const { l, pe } = await world([{ name: "corp", subscriptions: [OTHER] }]);
    const autopilot = new Autopilot({ arm: l.arm, config: parseConfigText(allowList(), "a.yaml") });
    const d = await autopilot.explain(pe);
    expect(d[0]).toMatchObject({
      action: "leave-pending",
      reason: expect.stringMatching(new RegExp(`${CONSUMER} is not below requesterManagementGroups \\(corp\\)`)),
    });
  });

  it("an unreadable group is a clear reason, matches nothing, and never rejects (even with unmatched: reject)", async () => {
    const { l, pe } = await world([{ name: "corp", subscriptions: [CONSUMER] }], ["/providers/Microsoft.Management/managementGroups/corp"]);
    const autopilot = new Autopilot({ arm: l.arm, config: parseConfigText(allowList("reject"), "a.yaml") });
    const d = await autopilot.explain(pe);
    expect(d[0]).toMatchObject({
      action: "leave-pending",
      reason: expect.stringMatching(/management group corp: cannot be read: 403 AuthorizationFailed .*Management Group Reader/),
    });
  });

  it("reads a group once per refresh interval, and sees a new spoke after it", async () => {
    const { l, pe } = await world([{ name: "corp", subscriptions: [OTHER] }]);
    let now = 0;
    const groups = new ManagementGroupDirectory(l.arm, 60_000, () => now);
    const config = parseConfigText(allowList(), "a.yaml");
    const autopilot = new Autopilot({ arm: l.arm, config, groups });
    expect((await autopilot.explain(pe))[0]).toMatchObject({ action: "leave-pending" });
    expect((await autopilot.explain(pe))[0]).toMatchObject({ action: "leave-pending" });
    expect(descendantReads(l)).toBe(1);
    // The spoke is moved below corp; within the interval the cache still says no.
    l.emulator.load({ resources: [], managementGroups: [{ name: "corp", subscriptions: [OTHER, CONSUMER] }] });
    now = 59_000;
    expect((await autopilot.explain(pe))[0]).toMatchObject({ action: "leave-pending" });
    now = 61_000;
    expect((await autopilot.explain(pe))[0]).toMatchObject({ action: "approve", rule: "corp-landing-zones" });
    expect(descendantReads(l)).toBe(2);
  });
});
