import { describe, expect, it } from "vitest";
import type { AllowListConfig, ApprovalRule } from "../../shared/config/index.js";
import { evaluateApproval, type ApprovalRequest } from "../../shared/approval/rules.js";

const PROVIDER_SUB = "00000000-0000-0000-0000-0000000000aa";
const SUB_A = "11111111-1111-1111-1111-111111111111";
const SUB_B = "22222222-2222-2222-2222-222222222222";
const VAULT = `/subscriptions/${PROVIDER_SUB}/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-shared`;
const STORAGE = `/subscriptions/${PROVIDER_SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stdata`;

function approval(rules: ApprovalRule[], managedScopes = [`/subscriptions/${PROVIDER_SUB}`]): AllowListConfig["approval"] {
  return { managedScopes, unmatched: "leave-pending", revokeRemoved: false, rules };
}

function request(over: Partial<ApprovalRequest> & { sub?: string; rg?: string } = {}): ApprovalRequest {
  const { sub = SUB_A, rg = "rg-app-web", ...rest } = over;
  const target = rest.targetResourceId ?? VAULT;
  return {
    connectionId: `${target}/privateEndpointConnections/pe-web.1234`,
    targetResourceId: target,
    targetResourceType: "Microsoft.KeyVault/vaults",
    privateEndpointId: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/privateEndpoints/pe-web`,
    groupIds: ["vault"],
    ...rest,
  };
}

const corpSpokes: ApprovalRule = {
  name: "corp-spokes",
  requesterSubscriptions: [SUB_A],
  requesterResourceGroups: ["rg-app-*"],
  targetResourceTypes: ["Microsoft.KeyVault/vaults"],
  targetResourceIds: [`/subscriptions/${PROVIDER_SUB}/resourceGroups/rg-shared/*`],
  groupIds: ["vault"],
};

describe("evaluateApproval", () => {
  it("allows a request that meets every criterion, naming the rule in plain English", () => {
    expect(evaluateApproval(approval([corpSpokes]), request())).toEqual({
      verdict: "allow",
      rule: "corp-spokes",
      reason: `rule 'corp-spokes' allows subscription ${SUB_A} resource group rg-app-web for Microsoft.KeyVault/vaults/vault (target kv-shared)`,
    });
  });

  it("misses on subscription", () => {
    const v = evaluateApproval(approval([corpSpokes]), request({ sub: SUB_B }));
    expect(v).toEqual({
      verdict: "no-match",
      reason: `no rule allows subscription ${SUB_B} resource group rg-app-web for Microsoft.KeyVault/vaults/vault (target kv-shared): rule 'corp-spokes': requesterSubscriptions does not contain ${SUB_B}`,
      misses: [{ rule: "corp-spokes", failedOn: "requesterSubscriptions", detail: `requesterSubscriptions does not contain ${SUB_B}` }],
    });
  });

  it("matches resource groups by glob", () => {
    const a = approval([corpSpokes]);
    expect(evaluateApproval(a, request({ rg: "rg-app-payments" })).verdict).toBe("allow");
    const v = evaluateApproval(a, request({ rg: "rg-data" }));
    expect(v.verdict).toBe("no-match");
    if (v.verdict === "no-match") {
      expect(v.misses).toEqual([
        { rule: "corp-spokes", failedOn: "requesterResourceGroups", detail: "requesterResourceGroups (rg-app-*) does not match resource group rg-data" },
      ]);
    }
    const q = approval([{ ...corpSpokes, requesterResourceGroups: ["rg-app-?"] }]);
    expect(evaluateApproval(q, request({ rg: "rg-app-1" })).verdict).toBe("allow");
    expect(evaluateApproval(q, request({ rg: "rg-app-12" })).verdict).toBe("no-match");
  });

  it("misses on target resource type", () => {
    const v = evaluateApproval(
      approval([{ name: "kv-only", requesterSubscriptions: [SUB_A], targetResourceTypes: ["Microsoft.KeyVault/vaults"] }]),
      request({ targetResourceId: STORAGE, targetResourceType: "Microsoft.Storage/storageAccounts", groupIds: ["blob"] }),
    );
    expect(v).toMatchObject({
      verdict: "no-match",
      misses: [
        {
          rule: "kv-only",
          failedOn: "targetResourceTypes",
          detail: "targetResourceTypes (Microsoft.KeyVault/vaults) does not contain Microsoft.Storage/storageAccounts",
        },
      ],
    });
  });

  it("takes the type from the target id when the request does not say", () => {
    const rule: ApprovalRule = { name: "kv-only", requesterSubscriptions: [SUB_A], targetResourceTypes: ["Microsoft.KeyVault/vaults"] };
    expect(evaluateApproval(approval([rule]), request({ targetResourceType: "" })).verdict).toBe("allow");
    expect(evaluateApproval(approval([rule]), request({ targetResourceId: STORAGE, targetResourceType: "" })).verdict).toBe("no-match");
  });

  it("matches target ids by glob, with * spanning /", () => {
    const rule: ApprovalRule = {
      name: "shared-rg",
      requesterSubscriptions: [SUB_A],
      targetResourceIds: [`/subscriptions/${PROVIDER_SUB}/resourceGroups/rg-shared/*`],
    };
    expect(evaluateApproval(approval([rule]), request()).verdict).toBe("allow");
    const v = evaluateApproval(approval([rule]), request({ targetResourceId: STORAGE, targetResourceType: "Microsoft.Storage/storageAccounts" }));
    expect(v).toMatchObject({ verdict: "no-match", misses: [{ failedOn: "targetResourceIds" }] });
    if (v.verdict === "no-match") expect(v.misses[0]!.detail).toContain(`does not match ${STORAGE}`);
    // The first * spans "<sub>/resourceGroups/rg-shared": any vault named kv-* anywhere.
    const byName: ApprovalRule = {
      name: "kv-name",
      requesterSubscriptions: [SUB_A],
      targetResourceIds: ["/subscriptions/*/providers/Microsoft.KeyVault/vaults/kv-*"],
    };
    expect(evaluateApproval(approval([byName]), request()).verdict).toBe("allow");
    const otherName: ApprovalRule = { ...byName, targetResourceIds: ["/subscriptions/*/providers/Microsoft.KeyVault/vaults/app-*"] };
    expect(evaluateApproval(approval([otherName]), request()).verdict).toBe("no-match");
    const otherRg: ApprovalRule = { ...byName, targetResourceIds: ["/subscriptions/*/resourceGroups/rg-other/*"] };
    expect(evaluateApproval(approval([otherRg]), request()).verdict).toBe("no-match");
    // Anchored: a pattern for the vault does not match a longer id below it.
    const exact: ApprovalRule = { ...byName, targetResourceIds: [VAULT.slice(0, -2)] };
    expect(evaluateApproval(approval([exact]), request()).verdict).toBe("no-match");
    const trailing: ApprovalRule = { ...byName, targetResourceIds: [VAULT] };
    expect(evaluateApproval(approval([trailing]), request({ targetResourceId: VAULT + "/" })).verdict).toBe("allow");
  });

  it("requires every requested group id to be allowed", () => {
    const rule: ApprovalRule = { name: "blob-dfs", requesterSubscriptions: [SUB_A], groupIds: ["blob", "dfs"] };
    const storage = { targetResourceId: STORAGE, targetResourceType: "Microsoft.Storage/storageAccounts" };
    expect(evaluateApproval(approval([rule]), request({ ...storage, groupIds: ["blob"] })).verdict).toBe("allow");
    expect(evaluateApproval(approval([rule]), request({ ...storage, groupIds: ["blob", "dfs"] })).verdict).toBe("allow");
    expect(evaluateApproval(approval([rule]), request({ ...storage, groupIds: ["blob", "file"] }))).toMatchObject({
      verdict: "no-match",
      misses: [{ rule: "blob-dfs", failedOn: "groupIds", detail: "groupIds (blob, dfs) does not allow file" }],
    });
  });

  it("does not approve unknown group ids when the rule restricts them, but does when it does not", () => {
    const restricted: ApprovalRule = { name: "vault-only", requesterSubscriptions: [SUB_A], groupIds: ["vault"] };
    const v = evaluateApproval(approval([restricted]), request({ groupIds: [] }));
    expect(v).toMatchObject({ verdict: "no-match", misses: [{ failedOn: "groupIds" }] });
    const open: ApprovalRule = { name: "any-group", requesterSubscriptions: [SUB_A] };
    expect(evaluateApproval(approval([open]), request({ groupIds: [] }))).toMatchObject({
      verdict: "allow",
      reason: `rule 'any-group' allows subscription ${SUB_A} resource group rg-app-web for Microsoft.KeyVault/vaults (target kv-shared)`,
    });
  });

  it("is case-insensitive everywhere", () => {
    const upper = request({
      connectionId: `${VAULT.toUpperCase()}/PRIVATEENDPOINTCONNECTIONS/PE`,
      targetResourceId: VAULT.toUpperCase().replace("/RESOURCEGROUPS/", "/resourcegroups/"),
      targetResourceType: "MICROSOFT.KEYVAULT/VAULTS",
      privateEndpointId: `/SUBSCRIPTIONS/${SUB_A.toUpperCase()}/RESOURCEGROUPS/RG-APP-WEB/PROVIDERS/MICROSOFT.NETWORK/PRIVATEENDPOINTS/PE`,
      groupIds: ["VAULT"],
    });
    const rule: ApprovalRule = {
      ...corpSpokes,
      requesterSubscriptions: [SUB_A.replace(/1/g, "1")],
      requesterResourceGroups: ["Rg-App-*"],
      targetResourceTypes: ["microsoft.keyvault/Vaults"],
      targetResourceIds: [`/Subscriptions/${PROVIDER_SUB}/ResourceGroups/RG-Shared/*`],
      groupIds: ["Vault"],
    };
    const scopes = [`/subscriptions/${PROVIDER_SUB.toUpperCase()}`.replace("subscriptions", "Subscriptions")];
    expect(evaluateApproval(approval([rule], scopes), upper)).toMatchObject({ verdict: "allow", rule: "corp-spokes" });
    const guidRule: ApprovalRule = { name: "guid-case", requesterSubscriptions: ["ABCDEF00-1111-1111-1111-111111111111"] };
    expect(evaluateApproval(approval([guidRule]), request({ sub: "abcdef00-1111-1111-1111-111111111111" })).verdict).toBe("allow");
  });

  it("is out of scope when the connection is outside every managed scope (segment-wise)", () => {
    const a = approval([corpSpokes], [`/subscriptions/${PROVIDER_SUB}/resourceGroups/rg-shared`]);
    expect(evaluateApproval(a, request()).verdict).toBe("allow");
    const other = `/subscriptions/${PROVIDER_SUB}/resourceGroups/rg-shared2/providers/Microsoft.KeyVault/vaults/kv`;
    const v = evaluateApproval(a, request({ targetResourceId: other, connectionId: `${other}/privateEndpointConnections/pe` }));
    expect(v).toEqual({
      verdict: "out-of-scope",
      reason: `connection ${other}/privateEndpointConnections/pe is not inside any managed scope (/subscriptions/${PROVIDER_SUB}/resourceGroups/rg-shared)`,
    });
    expect(evaluateApproval(a, request({ connectionId: "" })).verdict).toBe("out-of-scope");
  });

  it("checks the scope before the requester: out-of-scope wins even with a bad endpoint id", () => {
    const a = approval([corpSpokes], ["/subscriptions/99999999-9999-9999-9999-999999999999"]);
    expect(evaluateApproval(a, request({ privateEndpointId: "garbage" })).verdict).toBe("out-of-scope");
  });

  it("lets the first matching rule win, in file order", () => {
    const broad: ApprovalRule = { name: "broad", requesterSubscriptions: [SUB_A] };
    const narrow: ApprovalRule = { ...corpSpokes, name: "narrow" };
    expect(evaluateApproval(approval([narrow, broad]), request())).toMatchObject({ verdict: "allow", rule: "narrow" });
    expect(evaluateApproval(approval([broad, narrow]), request())).toMatchObject({ verdict: "allow", rule: "broad" });
    const miss: ApprovalRule = { name: "other-sub", requesterSubscriptions: [SUB_B] };
    expect(evaluateApproval(approval([miss, narrow, broad]), request())).toMatchObject({ verdict: "allow", rule: "narrow" });
  });

  it("lists why every rule missed", () => {
    const rules: ApprovalRule[] = [
      { name: "other-sub", requesterSubscriptions: [SUB_B] },
      { name: "data-rg", requesterSubscriptions: [SUB_A], requesterResourceGroups: ["rg-data*"] },
    ];
    const v = evaluateApproval(approval(rules), request());
    expect(v.verdict).toBe("no-match");
    if (v.verdict !== "no-match") return;
    expect(v.misses.map((m) => [m.rule, m.failedOn])).toEqual([
      ["other-sub", "requesterSubscriptions"],
      ["data-rg", "requesterResourceGroups"],
    ]);
    expect(v.reason).toContain(`rule 'other-sub': requesterSubscriptions does not contain ${SUB_A}`);
    expect(v.reason).toContain("rule 'data-rg': requesterResourceGroups (rg-data*) does not match resource group rg-app-web");
  });

  it("says so when there are no rules", () => {
    const v = evaluateApproval(approval([]), request());
    expect(v).toMatchObject({ verdict: "no-match", misses: [] });
    expect(v.reason).toContain("the allow-list has no rules");
  });

  it("does not match when the private endpoint id cannot be parsed", () => {
    for (const bad of ["", "not-an-id", "/subscriptions/", "/subscriptions/x/resourceGroups"]) {
      const v = evaluateApproval(approval([{ name: "broad", requesterSubscriptions: [SUB_A] }]), request({ privateEndpointId: bad }));
      expect(v).toMatchObject({ verdict: "no-match", misses: [] });
      expect(v.reason).toMatch(/^cannot tell who is asking: invalid resource id/);
    }
    const noRg = evaluateApproval(approval([{ name: "broad", requesterSubscriptions: [SUB_A] }]), request({ privateEndpointId: `/subscriptions/${SUB_A}` }));
    expect(noRg).toMatchObject({ verdict: "no-match", misses: [] });
    expect(noRg.reason).toContain("has no resource group");
  });
});
