// The approval decision: pure, no I/O. Given the allow-list's `approval` section and one
// private endpoint connection, says whether a rule allows it and why (or why not).

import { isWithinScope, parseResourceId, sameType, tryParseResourceId } from "../model/resourceId.js";
import type { AllowListConfig, ApprovalRule } from "../config/types.js";
import { firstMatchingGlob } from "../util/glob.js";

export { globToRegExp, matchesGlob, firstMatchingGlob } from "../util/glob.js";

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
  /**
   * The requester's message (a Pending connection's description); undefined when it
   * cannot be told (after approval the description is no longer the requester's).
   * Consumer-written: it only ever narrows a rule.
   */
  requestMessage?: string;
}

/** Which subscriptions lie below a management group, as read from ARM (shared/gateways/managementGroups.ts fills it). */
export interface GroupMembership {
  /** Lower-cased subscription ids below `group`; `{ error }` when it could not be read; undefined when never read. */
  subscriptionsOf(group: string): ReadonlySet<string> | { error: string } | undefined;
}

const NO_GROUPS: GroupMembership = { subscriptionsOf: () => undefined };

export interface RuleMiss {
  rule: string;
  /** The rule key that did not match, e.g. "requesterSubscriptions". */
  failedOn: string;
  detail: string;
  /** The rule may match, but a fact it needs is unknown (a message after approval, an unreadable management group). */
  unknown?: boolean;
}

export type ApprovalVerdict =
  | { verdict: "out-of-scope"; reason: string }
  | { verdict: "allow"; rule: string; reason: string }
  /** A reject rule matched (`sure`), or may match on facts that cannot be told (not `sure`): never approved. */
  | { verdict: "deny"; rule: string; reason: string; sure: boolean }
  | { verdict: "no-match"; reason: string; misses: RuleMiss[] };

interface Requester {
  subscriptionId: string;
  resourceGroup: string;
  endpointId: string;
  message?: string;
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

const isReject = (rule: ApprovalRule) => rule.action === "reject";

/** The requester's subscription against requesterSubscriptions ∪ requesterManagementGroups. */
function subscriptionMiss(rule: ApprovalRule, q: Requester, groups: GroupMembership): RuleMiss | undefined {
  const subs = rule.requesterSubscriptions;
  const mgs = rule.requesterManagementGroups;
  if (!subs && !mgs) return undefined;
  const key = q.subscriptionId.toLowerCase();
  if (subs?.some((s) => s.toLowerCase() === key)) return undefined;
  const unreadable: string[] = [];
  for (const g of mgs ?? []) {
    const below = groups.subscriptionsOf(g);
    if (below === undefined) unreadable.push(`${g}: not read`);
    else if ("error" in below) unreadable.push(`${g}: ${below.error}`);
    else if (below.has(key)) return undefined;
  }
  const said = [
    subs ? `requesterSubscriptions does not contain ${q.subscriptionId}` : "",
    mgs ? `${q.subscriptionId} is not below requesterManagementGroups (${list(mgs)})` : "",
  ]
    .filter(Boolean)
    .join(" and ");
  if (unreadable.length > 0) {
    // An unreadable group matches nothing; a reject rule that might match it blocks approval (unknown).
    return {
      rule: rule.name,
      failedOn: "requesterManagementGroups",
      detail: `${said}, as far as can be told: management group ${unreadable.join("; ")}`,
      unknown: true,
    };
  }
  return { rule: rule.name, failedOn: mgs && !subs ? "requesterManagementGroups" : "requesterSubscriptions", detail: said };
}

/**
 * Why `rule` does not match the request, or undefined when it does. Allow rules need
 * every requested group id listed; reject rules match when any requested one is.
 */
function miss(rule: ApprovalRule, q: Requester, groups: GroupMembership): RuleMiss | undefined {
  const m = (failedOn: keyof ApprovalRule, detail: string, unknown = false): RuleMiss => ({
    rule: rule.name,
    failedOn,
    detail,
    ...(unknown ? { unknown } : {}),
  });

  const bySubscription = subscriptionMiss(rule, q, groups);
  if (bySubscription) return bySubscription;
  if (rule.requesterEndpointIds && !firstMatchingGlob(q.endpointId, rule.requesterEndpointIds)) {
    return m("requesterEndpointIds", `requesterEndpointIds (${list(rule.requesterEndpointIds)}) does not match ${q.endpointId}`);
  }
  if (rule.requesterResourceGroups && !firstMatchingGlob(q.resourceGroup, rule.requesterResourceGroups)) {
    return m("requesterResourceGroups", `requesterResourceGroups (${list(rule.requesterResourceGroups)}) does not match resource group ${q.resourceGroup}`);
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
      return m(
        "groupIds",
        `the connection does not say which group id it requests, and the rule only ${isReject(rule) ? "rejects" : "allows"} ${list(rule.groupIds)}`,
      );
    }
    const listed = new Set(rule.groupIds.map((g) => g.toLowerCase()));
    if (isReject(rule)) {
      if (!q.groupIds.some((g) => listed.has(g.toLowerCase()))) return m("groupIds", `groupIds (${list(rule.groupIds)}) contains none of ${list(q.groupIds)}`);
    } else {
      const refused = q.groupIds.find((g) => !listed.has(g.toLowerCase()));
      if (refused !== undefined) return m("groupIds", `groupIds (${list(rule.groupIds)}) does not allow ${refused}`);
    }
  }
  // Last, so an unknown message is the only thing between the rule and a match.
  if (rule.requestMessages) {
    if (q.message === undefined)
      return m(
        "requestMessages",
        `the request message cannot be told any more (only a Pending connection carries it), and the rule needs one of ${list(rule.requestMessages)}`,
        true,
      );
    if (!firstMatchingGlob(q.message, rule.requestMessages)) {
      return m(
        "requestMessages",
        `requestMessages (${list(rule.requestMessages)}) does not match the request message ${JSON.stringify(q.message.slice(0, 200))}`,
      );
    }
  }
  return undefined;
}

/** The managed scope (approval.managedScopes) the resource lies in; undefined: the app never acts on it. */
export function managedScopeOf(approval: Pick<AllowListConfig["approval"], "managedScopes">, id: string): string | undefined {
  return id ? approval.managedScopes.find((s) => isWithinScope(id, s)) : undefined;
}

export function isManaged(approval: Pick<AllowListConfig["approval"], "managedScopes">, id: string): boolean {
  return managedScopeOf(approval, id) !== undefined;
}

/**
 * Reject rules first, in file order: the first that matches denies; one that may match
 * on facts that cannot be told (no group ids, an unreadable management group, a message
 * no longer known) denies unsurely, which blocks approval but rejects nothing. Then the
 * allow rules, in file order: the first that matches allows.
 */
export function evaluateApproval(approval: AllowListConfig["approval"], req: ApprovalRequest, groups: GroupMembership = NO_GROUPS): ApprovalVerdict {
  const connectionId = typeof req.connectionId === "string" ? req.connectionId : "";
  if (!isManaged(approval, connectionId)) {
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
    endpointId: req.privateEndpointId.replace(/\/+$/, ""),
    ...(typeof req.requestMessage === "string" ? { message: req.requestMessage } : {}),
    targetId,
    targetType: req.targetResourceType || parsedTarget?.type || "",
    targetName: parsedTarget?.name ?? (targetId || "unknown"),
    groupIds: (req.groupIds ?? []).filter((g) => typeof g === "string" && g !== ""),
  };

  const misses: RuleMiss[] = [];
  for (const rule of approval.rules.filter(isReject)) {
    const why = miss(rule, q, groups);
    if (!why) return { verdict: "deny", rule: rule.name, sure: true, reason: `reject rule '${rule.name}' matches ${describe(q)}` };
    const unsure = why.unknown || (why.failedOn === "groupIds" && q.groupIds.length === 0);
    if (unsure) return { verdict: "deny", rule: rule.name, sure: false, reason: `reject rule '${rule.name}' may match ${describe(q)}: ${why.detail}` };
    misses.push(why);
  }
  const allowRules = approval.rules.filter((r) => !isReject(r));
  for (const rule of allowRules) {
    const why = miss(rule, q, groups);
    if (!why) return { verdict: "allow", rule: rule.name, reason: `rule '${rule.name}' allows ${describe(q)}` };
    misses.push(why);
  }

  const reason =
    allowRules.length === 0
      ? `the allow-list has no ${approval.rules.length > 0 ? "allow " : ""}rules, so nothing allows ${describe(q)}`
      : `no rule allows ${describe(q)}: ${misses.map((x) => `rule '${x.rule}': ${x.detail}`).join("; ")}`;
  return { verdict: "no-match", reason, misses };
}
