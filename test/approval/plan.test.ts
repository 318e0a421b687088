// planApproval and requestFacts are pure: one table of cases, no ARM.
import { describe, expect, it } from "vitest";
import type { AllowListConfig } from "../../shared/config/index.js";
import { planApproval } from "../../shared/approval/plan.js";
import { requestFacts, type RequesterRead } from "../../shared/approval/requestFacts.js";
import type { ConnectionInfo } from "../../shared/model/connection.js";
import type { EndpointInfo } from "../../shared/model/endpoint.js";
import type { OwnApproval } from "../../shared/model/ownApproval.js";

const PROVIDER = "22222222-2222-2222-2222-222222222222";
const CONSUMER = "11111111-1111-1111-1111-111111111111";
const KV = `/subscriptions/${PROVIDER}/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-shared`;
const PE = `/subscriptions/${CONSUMER}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/pe-kv`;

function approval(over: Partial<AllowListConfig["approval"]> = {}, groupIds: string[] | null = ["vault"], subs = [CONSUMER]): AllowListConfig["approval"] {
  return {
    managedScopes: [`/subscriptions/${PROVIDER}`],
    unmatched: "leave-pending",
    revokeRemoved: true,
    rules: [{ name: "corp-spokes", requesterSubscriptions: subs, targetResourceTypes: ["Microsoft.KeyVault/vaults"], ...(groupIds ? { groupIds } : {}) }],
    ...over,
  };
}

function conn(status: string, over: Partial<ConnectionInfo> = {}): ConnectionInfo {
  return {
    id: `${KV}/privateEndpointConnections/pe-kv.1`,
    name: "pe-kv.1",
    targetResourceId: KV,
    targetType: "Microsoft.KeyVault/vaults",
    status,
    description: status === "Approved" ? "Approved by privatelink-autopilot (rule 'corp-spokes'). Request: please" : "please",
    privateEndpointId: PE,
    groupIds: [],
    ...over,
  };
}

function endpoint(groupIds: string[], target = KV): EndpointInfo {
  return {
    id: PE,
    name: "pe-kv",
    subscriptionId: CONSUMER,
    resourceGroup: "rg-app",
    links: [{ name: "l", targetResourceId: target, groupIds, status: "Approved", manual: true }],
    customDnsConfigs: [],
    networkInterfaceIds: [],
    tags: {},
  };
}

/** The app's record of having approved `c` as it is now. */
const ownRecord = (c: ConnectionInfo): OwnApproval => ({
  connectionId: c.id,
  endpointId: c.privateEndpointId!,
  description: c.description ?? "",
  rule: "corp-spokes",
  at: "2026-12-01T00:00:00Z",
});

const unreadable: RequesterRead = { unreadable: "403 AuthorizationFailed" };

describe("requestFacts: connection group ids, else the requester endpoint's link", () => {
  it.each<[string, ConnectionInfo, RequesterRead, { groupIds: string[]; known: boolean; source: string }]>([
    [
      "the connection's own group ids win",
      conn("Pending", { groupIds: ["blob"] }),
      endpoint(["vault"]),
      { groupIds: ["blob"], known: true, source: "connection" },
    ],
    ["none on the connection: the link to this target", conn("Pending"), endpoint(["vault"]), { groupIds: ["vault"], known: true, source: "endpoint-link" }],
    [
      "a link to another target does not count",
      conn("Pending"),
      endpoint(["vault"], KV.replace("kv-shared", "kv-other")),
      { groupIds: [], known: false, source: "unknown" },
    ],
    ["endpoint unreadable: unknown", conn("Pending"), unreadable, { groupIds: [], known: false, source: "unknown" }],
    ["endpoint gone: unknown", conn("Pending"), undefined, { groupIds: [], known: false, source: "unknown" }],
  ])("%s", (_, c, pe, want) => {
    expect(requestFacts(approval(), c, pe)).toMatchObject(want);
  });

  it("does not need the endpoint when no rule looks at group ids", () => {
    expect(requestFacts(approval({}, null), conn("Pending"), unreadable)).toMatchObject({ known: true, source: "not-needed" });
  });
});

describe("planApproval: approval and revocation on the same facts; destructive only when sure", () => {
  const other = "44444444-4444-4444-4444-444444444444";
  it.each<[string, AllowListConfig["approval"], ConnectionInfo, RequesterRead, string]>([
    ["approves on the link's group ids", approval(), conn("Pending"), endpoint(["vault"]), "approve"],
    ["does not approve on unknown group ids", approval(), conn("Pending"), unreadable, "leave-pending"],
    ["unmatched: reject does not reject on unknown group ids", approval({ unmatched: "reject" }), conn("Pending"), unreadable, "leave-pending"],
    [
      "unmatched: reject rejects a requester no rule names, whatever the group ids",
      approval({ unmatched: "reject" }, ["vault"], [other]),
      conn("Pending"),
      unreadable,
      "reject",
    ],
    ["unmatched: reject rejects a group id no rule allows", approval({ unmatched: "reject" }), conn("Pending"), endpoint(["other"]), "reject"],
    ["keeps its approval while the link's group id is still allowed", approval(), conn("Approved"), endpoint(["vault"]), "ignore"],
    ["keeps its approval when the endpoint cannot be read (unknown means keep)", approval(), conn("Approved"), unreadable, "ignore"],
    ["revokes when the rule no longer allows the link's group id", approval({}, ["blob"]), conn("Approved"), endpoint(["vault"]), "revoke"],
    ["revokes when no rule names the requester, even with group ids unknown", approval({}, ["vault"], [other]), conn("Approved"), unreadable, "revoke"],
    ["never revokes with revokeRemoved off", approval({ revokeRemoved: false }, ["vault"], [other]), conn("Approved"), endpoint(["vault"]), "ignore"],
  ])("%s", (_, a, c, pe, action) => {
    const plan = planApproval(a, c, requestFacts(a, c, pe), c.status === "Approved" ? ownRecord(c) : undefined);
    expect(plan.action).toBe(action);
    if (action === "ignore" && c.status === "Approved" && a.revokeRemoved && pe && "unreadable" in pe) expect(plan.reason).toMatch(/cannot be told.*403/);
  });
});

describe("planApproval: only the app's own approvals are revoked", () => {
  const gone = approval({}, ["vault"], ["44444444-4444-4444-4444-444444444444"]);
  const facts = { groupIds: ["vault"], known: true, source: "endpoint-link" as const };
  it("revokes an approval the app recorded, still as it made it", () => {
    expect(planApproval(gone, conn("Approved"), facts, ownRecord(conn("Approved"))).action).toBe("revoke");
  });
  it.each<[string, ConnectionInfo, OwnApproval | undefined]>([
    ["a description that merely says 'Approved by privatelink-autopilot' (the requester can write it)", conn("Approved"), undefined],
    ["a record, but a human has approved again since (other description)", conn("Approved", { description: "Approved by alice" }), ownRecord(conn("Approved"))],
    ["a record for another requester endpoint", conn("Approved"), { ...ownRecord(conn("Approved")), endpointId: PE.replace("pe-kv", "pe-other") }],
  ])("keeps %s", (_, c, own) => {
    expect(planApproval(gone, c, facts, own).action).toBe("ignore");
  });
});
