// The approval decision: pure, no I/O. Given the allow-list's `approval` section and one
// private endpoint connection, says whether a rule allows it and why (or why not).

import { isWithinScope, parseResourceId, sameType, tryParseResourceId } from "../arm/resourceId.js";
import type { AllowListConfig, ApprovalRule } from "../config/types.js";
import { firstMatchingGlob } from "./glob.js";

export { globToRegExp, matchesGlob, firstMatchingGlob } from "./glob.js";

export interface ApprovalRequest {
  /** Provider-side private endpoint connection id. */
  connectionId: string;
  /** The provider resource (parent of the connection). */
  targetResourceId: string;
  /** e.g. Microsoft.KeyVault/vaults; when empty, taken from targetResourceId. */
  targetResourceType: string;
  /** The requester's endpoint id (properties.privateEndpoint.id). */
  privateEndpointId: string;
  /** Sub-resources requested; may be empty when unknown. */
  groupIds: string[];
}

export interface RuleMiss {
  rule: string;
  /** The rule key that did not match, e.g. "requesterSubscriptions". */
  failedOn: string;
  detail: string;
}

export type ApprovalVerdict =
  | { verdict: "out-of-scope"; reason: string }
  | { verdict: "allow"; rule: string; reason: string }
  | { verdict: "no-match"; reason: string; misses: RuleMiss[] };

interface Requester {
  subscriptionId: string;
  resourceGroup: string;
  targetId: string;
  targetType: string;
  targetName: string;
  groupIds: string[];
}

function describe(q: Requester): string {
  const what = q.targetType ? q.targetType + (q.groupIds.length > 0 ? `/${q.groupIds.join(",")}` : "") : "an unknown resource type";
  return `subscription ${q.subscriptionId} resource group ${q.resourceGroup} for ${what} (target ${q.targetName})`;
}

const list = (xs: readonly string[]) => xs.join(", ");

/** Why `rule` does not allow the request, or undefined when it does. */
function miss(rule: ApprovalRule, q: Requester): RuleMiss | undefined {
  const m = (failedOn: keyof ApprovalRule, detail: string): RuleMiss => ({ rule: rule.name, failedOn, detail });

  const subKey = q.subscriptionId.toLowerCase();
  if (!rule.requesterSubscriptions.some((s) => s.toLowerCase() === subKey)) {
    return m("requesterSubscriptions", `requesterSubscriptions does not contain ${q.subscriptionId}`);
  }
  if (rule.requesterResourceGroups && !firstMatchingGlob(q.resourceGroup, rule.requesterResourceGroups)) {
    return m(
      "requesterResourceGroups",
      `requesterResourceGroups (${list(rule.requesterResourceGroups)}) does not match resource group ${q.resourceGroup}`,
    );
  }
  if (rule.targetResourceTypes) {
    if (!q.targetType) return m("targetResourceTypes", "the target's resource type is unknown");
    if (!rule.targetResourceTypes.some((t) => sameType(t, q.targetType))) {
      return m("targetResourceTypes", `targetResourceTypes (${list(rule.targetResourceTypes)}) does not contain ${q.targetType}`);
    }
  }
  if (rule.targetResourceIds && !firstMatchingGlob(q.targetId, rule.targetResourceIds)) {
    return m("targetResourceIds", `targetResourceIds (${list(rule.targetResourceIds)}) does not match ${q.targetId}`);
  }
  if (rule.groupIds) {
    if (q.groupIds.length === 0) {
      return m("groupIds", `the connection does not say which group id it requests, and the rule only allows ${list(rule.groupIds)}`);
    }
    const allowed = new Set(rule.groupIds.map((g) => g.toLowerCase()));
    const refused = q.groupIds.find((g) => !allowed.has(g.toLowerCase()));
    if (refused !== undefined) return m("groupIds", `groupIds (${list(rule.groupIds)}) does not allow ${refused}`);
  }
  return undefined;
}

export function evaluateApproval(approval: AllowListConfig["approval"], req: ApprovalRequest): ApprovalVerdict {
  const connectionId = typeof req.connectionId === "string" ? req.connectionId : "";
  if (!approval.managedScopes.some((s) => connectionId !== "" && isWithinScope(connectionId, s))) {
    return {
      verdict: "out-of-scope",
      reason: `connection ${connectionId || "(no id)"} is not inside any managed scope (${list(approval.managedScopes)})`,
    };
  }

  let endpoint;
  try {
    endpoint = parseResourceId(req.privateEndpointId);
  } catch (err) {
    return {
      verdict: "no-match",
      reason: `cannot tell who is asking: ${(err as Error).message}; no rule can match`,
      misses: [],
    };
  }
  if (endpoint.resourceGroup === undefined) {
    return {
      verdict: "no-match",
      reason: `cannot tell who is asking: private endpoint id ${JSON.stringify(req.privateEndpointId)} has no resource group; no rule can match`,
      misses: [],
    };
  }

  const targetId = (req.targetResourceId ?? "").replace(/\/+$/, "");
  const parsedTarget = tryParseResourceId(targetId);
  const q: Requester = {
    subscriptionId: endpoint.subscriptionId,
    resourceGroup: endpoint.resourceGroup,
    targetId,
    targetType: req.targetResourceType || parsedTarget?.type || "",
    targetName: parsedTarget?.name ?? (targetId || "unknown"),
    groupIds: (req.groupIds ?? []).filter((g) => typeof g === "string" && g !== ""),
  };

  const misses: RuleMiss[] = [];
  for (const rule of approval.rules) {
    const why = miss(rule, q);
    if (!why) return { verdict: "allow", rule: rule.name, reason: `rule '${rule.name}' allows ${describe(q)}` };
    misses.push(why);
  }

  const reason =
    approval.rules.length === 0
      ? `the allow-list has no rules, so nothing allows ${describe(q)}`
      : `no rule allows ${describe(q)}: ${misses.map((x) => `rule '${x.rule}': ${x.detail}`).join("; ")}`;
  return { verdict: "no-match", reason, misses };
}
