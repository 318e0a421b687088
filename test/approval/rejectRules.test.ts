// Reject rules win over allow rules; service-managed requesters by endpoint id; the request
// message only narrows (issue 13).
import { describe, expect, it } from "vitest";
import type { AllowListConfig, ApprovalRule } from "../../shared/config/index.js";
import { evaluateApproval, type ApprovalRequest, type GroupMembership } from "../../shared/approval/rules.js";
import { approvalDescription, planApproval } from "../../shared/approval/plan.js";
import type { ConnectionInfo } from "../../shared/model/connection.js";

const PROVIDER_SUB = "00000000-0000-0000-0000-0000000000aa";
const SPOKE = "11111111-1111-1111-1111-111111111111";
const SANDBOX = "88888888-8888-8888-8888-888888888888";
const MS_SUB = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const VAULT = `/subscriptions/${PROVIDER_SUB}/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-shared`;
const SA = `/subscriptions/${PROVIDER_SUB}/resourceGroups/rg-web/providers/Microsoft.Storage/storageAccounts/stwebassets`;
const AFD_PE = `/subscriptions/${MS_SUB}/resourceGroups/eafd-Prod-westeurope/providers/Microsoft.Network/privateEndpoints/5c0ffd0f`;

function approval(rules: ApprovalRule[], over: Partial<AllowListConfig["approval"]> = {}): AllowListConfig["approval"] {
  return { managedScopes: [`/subscriptions/${PROVIDER_SUB}`], unmatched: "leave-pending", revokeRemoved: false, rules, ...over };
}

function request(over: Partial<ApprovalRequest> & { sub?: string } = {}): ApprovalRequest {
  const { sub = SPOKE, ...rest } = over;
  return {
    connectionId: `${VAULT}/privateEndpointConnections/pe.1`,
    targetResourceId: VAULT,
    targetResourceType: "Microsoft.KeyVault/vaults",
    privateEndpointId: `/subscriptions/${sub}/resourceGroups/rg-app-web/providers/Microsoft.Network/privateEndpoints/pe-web`,
    groupIds: ["vault"],
    ...rest,
  };
}

const spokes: ApprovalRule = { name: "spokes", requesterSubscriptions: [SPOKE, SANDBOX] };
const noSandbox: ApprovalRule = { name: "no-sandbox", action: "reject", requesterSubscriptions: [SANDBOX] };

describe("reject rules", () => {
  it("win over an allow rule listed before them", () => {
    const a = approval([spokes, noSandbox]);
    expect(evaluateApproval(a, request({ sub: SANDBOX }))).toMatchObject({ verdict: "deny", rule: "no-sandbox", sure: true });
    expect(evaluateApproval(a, request({ sub: SPOKE }))).toMatchObject({ verdict: "allow", rule: "spokes" });
  });

  it("reject when any requested group id is listed (allow rules need every one)", () => {
    const noBlob: ApprovalRule = { name: "no-blob", action: "reject", groupIds: ["blob"] };
    const a = approval([noBlob, spokes]);
    expect(evaluateApproval(a, request({ groupIds: ["blob", "dfs"] }))).toMatchObject({ verdict: "deny", rule: "no-blob", sure: true });
    expect(evaluateApproval(a, request({ groupIds: ["dfs"] }))).toMatchObject({ verdict: "allow", rule: "spokes" });
  });

  it("block approval, unsurely, when the group ids they look at cannot be told", () => {
    const noBlob: ApprovalRule = { name: "no-blob", action: "reject", groupIds: ["blob"] };
    const v = evaluateApproval(approval([noBlob, spokes]), request({ groupIds: [] }));
    expect(v).toMatchObject({ verdict: "deny", rule: "no-blob", sure: false });
  });

  it("plan a reject naming the rule, even when unmatched is leave-pending, and say so in the description", () => {
    const conn: ConnectionInfo = {
      id: `${VAULT}/privateEndpointConnections/pe.1`,
      name: "pe.1",
      targetResourceId: VAULT,
      targetType: "Microsoft.KeyVault/vaults",
      status: "Pending",
      description: "please",
      privateEndpointId: request({ sub: SANDBOX }).privateEndpointId,
      groupIds: ["vault"],
    };
    const plan = planApproval(approval([spokes, noSandbox]), conn);
    expect(plan).toMatchObject({ action: "reject", rule: "no-sandbox" });
    expect(approvalDescription(conn, plan)).toBe("Rejected by privatelink-autopilot (reject rule 'no-sandbox'). Request: please");
  });

  it("leave an unsure match pending: never approve, never reject, even with unmatched: reject", () => {
    const noBlob: ApprovalRule = { name: "no-blob", action: "reject", groupIds: ["blob"] };
    const conn: ConnectionInfo = {
      id: `${VAULT}/privateEndpointConnections/pe.1`,
      name: "pe.1",
      targetResourceId: VAULT,
      targetType: "Microsoft.KeyVault/vaults",
      status: "Pending",
      privateEndpointId: request().privateEndpointId,
      groupIds: [],
    };
    const plan = planApproval(approval([noBlob, spokes], { unmatched: "reject" }), conn, {
      groupIds: [],
      known: false,
      source: "unknown",
      detail: "requester endpoint cannot be read",
    });
    expect(plan).toMatchObject({ action: "leave-pending", rule: "no-blob" });
  });

  it("revoke the app's own approval once a reject rule matches it (revokeRemoved)", () => {
    const conn: ConnectionInfo = {
      id: `${VAULT}/privateEndpointConnections/pe.1`,
      name: "pe.1",
      targetResourceId: VAULT,
      targetType: "Microsoft.KeyVault/vaults",
      status: "Approved",
      description: "Approved by privatelink-autopilot (rule 'spokes')",
      privateEndpointId: request({ sub: SANDBOX }).privateEndpointId,
      groupIds: ["vault"],
    };
    const own = { connectionId: conn.id, endpointId: conn.privateEndpointId!, description: conn.description!, rule: "spokes", at: "2026-12-01T00:00:00Z" };
    expect(planApproval(approval([spokes, noSandbox], { revokeRemoved: true }), conn, undefined, own)).toMatchObject({ action: "revoke", rule: "no-sandbox" });
  });
});

describe("service-managed requesters and request messages", () => {
  const frontDoor: ApprovalRule = {
    name: "front-door-web",
    requesterEndpointIds: [`/subscriptions/${MS_SUB}/resourceGroups/eafd-Prod-*/providers/Microsoft.Network/privateEndpoints/*`],
    requestMessages: ["afd-web-prod*"],
    targetResourceIds: [SA],
  };
  const afd = (over: Partial<ApprovalRequest> = {}) =>
    request({
      connectionId: `${SA}/privateEndpointConnections/c1`,
      targetResourceId: SA,
      targetResourceType: "",
      privateEndpointId: AFD_PE,
      groupIds: [],
      requestMessage: "afd-web-prod: origin",
      ...over,
    });

  it("matches the requester endpoint id by glob, and the message", () => {
    expect(evaluateApproval(approval([frontDoor]), afd())).toMatchObject({ verdict: "allow", rule: "front-door-web" });
  });

  it("does not match a look-alike endpoint in another subscription, whatever it calls its group and message", () => {
    const v = evaluateApproval(approval([frontDoor]), afd({ privateEndpointId: AFD_PE.replace(MS_SUB, "99999999-9999-9999-9999-999999999999") }));
    expect(v).toMatchObject({ verdict: "no-match", misses: [{ rule: "front-door-web", failedOn: "requesterEndpointIds" }] });
  });

  it("narrows by the message: another message does not match", () => {
    const v = evaluateApproval(approval([frontDoor]), afd({ requestMessage: "someone else's profile" }));
    expect(v).toMatchObject({ verdict: "no-match", misses: [{ failedOn: "requestMessages" }] });
  });

  it("keeps an own approval whose message can no longer be told (never revokes on it)", () => {
    const conn: ConnectionInfo = {
      id: `${SA}/privateEndpointConnections/c1`,
      name: "c1",
      targetResourceId: SA,
      targetType: "Microsoft.Storage/storageAccounts",
      status: "Approved",
      description: "Approved by privatelink-autopilot (rule 'front-door-web'). Request: afd-web-prod: origin",
      privateEndpointId: AFD_PE,
      groupIds: [],
    };
    const own = { connectionId: conn.id, endpointId: AFD_PE, description: conn.description!, rule: "front-door-web", at: "2026-12-01T00:00:00Z" };
    expect(planApproval(approval([frontDoor], { revokeRemoved: true }), conn, undefined, own).action).toBe("ignore");
    // Without the message criterion the same approval is judged, and kept because the rule allows it.
    const { requestMessages: _, ...byId } = frontDoor;
    expect(planApproval(approval([byId], { revokeRemoved: true }), conn, undefined, own).action).toBe("ignore");
    // And revoked when no rule names it any more.
    expect(planApproval(approval([spokes], { revokeRemoved: true }), conn, undefined, own).action).toBe("revoke");
  });
});

describe("requester management groups", () => {
  const corp: ApprovalRule = { name: "corp", requesterManagementGroups: ["corp"] };
  const groups = (m: Record<string, string[] | { error: string }>): GroupMembership => ({
    subscriptionsOf: (g) => {
      const v = m[g.toLowerCase()];
      return v === undefined ? undefined : Array.isArray(v) ? new Set(v.map((s) => s.toLowerCase())) : v;
    },
  });

  it("matches a subscription below the group, and not one outside it", () => {
    const dir = groups({ corp: [SPOKE] });
    expect(evaluateApproval(approval([corp]), request({ sub: SPOKE }), dir)).toMatchObject({ verdict: "allow", rule: "corp" });
    expect(evaluateApproval(approval([corp]), request({ sub: SANDBOX }), dir)).toMatchObject({
      verdict: "no-match",
      misses: [{ failedOn: "requesterManagementGroups" }],
    });
  });

  it("an unreadable group matches nothing, says why, and never leads to a reject", () => {
    const dir = groups({ corp: { error: "403 AuthorizationFailed" } });
    const v = evaluateApproval(approval([corp]), request({ sub: SPOKE }), dir);
    expect(v).toMatchObject({ verdict: "no-match", misses: [{ failedOn: "requesterManagementGroups", unknown: true }] });
    expect(v.verdict === "no-match" && v.reason).toMatch(/403 AuthorizationFailed/);
    const conn: ConnectionInfo = {
      id: `${VAULT}/privateEndpointConnections/pe.1`,
      name: "pe.1",
      targetResourceId: VAULT,
      targetType: "Microsoft.KeyVault/vaults",
      status: "Pending",
      privateEndpointId: request().privateEndpointId,
      groupIds: ["vault"],
    };
    expect(planApproval(approval([corp], { unmatched: "reject" }), conn, undefined, undefined, dir).action).toBe("leave-pending");
  });

  it("a requesterSubscriptions entry still matches beside an unreadable group", () => {
    const rule: ApprovalRule = { name: "both", requesterSubscriptions: [SPOKE], requesterManagementGroups: ["corp"] };
    expect(evaluateApproval(approval([rule]), request({ sub: SPOKE }), groups({ corp: { error: "x" } }))).toMatchObject({ verdict: "allow" });
  });
});
