// The admin's daily question: which connections wait for a human, since when, who asks,
// and which rule came closest (and what it missed). Read-only: the same listing the sweep
// uses, the same facts and policy the approval uses; nothing is written.
import { parseResourceId, tryParseResourceId } from "../model/resourceId.js";
import type { AllowListConfig } from "../config/index.js";
import { evaluateApproval, type RuleMiss } from "../approval/rules.js";
import { connectionFacts, requestFacts, type RequesterRead } from "../approval/requestFacts.js";
import { planApproval } from "../approval/plan.js";
import type { ConnectionsGateway } from "../gateways/connections.js";
import type { EndpointsGateway } from "../gateways/endpoints.js";
import type { ManagementGroupDirectory } from "../gateways/managementGroups.js";
import type { ConnectionInfo } from "../model/connection.js";
import type { PendingRequest } from "../model/pendingRequest.js";

export type { PendingRequest };

/** Criteria in the order a rule checks them: a miss further down means more matched. */
const ORDER = [
  "requesterSubscriptions",
  "requesterManagementGroups",
  "requesterEndpointIds",
  "requesterResourceGroups",
  "targetResourceTypes",
  "targetResourceIds",
  "groupIds",
  "requestMessages",
];

export function closestMiss(misses: readonly RuleMiss[]): RuleMiss | undefined {
  let best: RuleMiss | undefined;
  for (const m of misses) if (!best || ORDER.indexOf(m.failedOn) > ORDER.indexOf(best.failedOn)) best = m;
  return best;
}

export interface PendingOptions {
  now?: Date;
  /** When the app first saw this connection waiting (the audit trail's oldest leave-pending row). */
  firstSeen?: (connectionId: string) => Promise<Date | undefined>;
}

/**
 * The reads `pending` makes: a target's connections, a requester's endpoint, the
 * subscriptions below management groups. An Autopilot (its dry-run view: nothing is
 * written) offers them; so does any set of gateways.
 */
export interface PendingReads {
  connections: Pick<ConnectionsGateway, "listConnections">;
  endpoints: Pick<EndpointsGateway, "getEndpoint">;
  groups: Pick<ManagementGroupDirectory, "load" | "subscriptionsOf">;
}

/** Every Pending connection on the given targets (the sweep's managed listing), oldest first. */
export async function listPending(
  reads: PendingReads,
  targets: readonly string[],
  config: AllowListConfig,
  opts: PendingOptions = {},
): Promise<PendingRequest[]> {
  const now = opts.now ?? new Date();
  await reads.groups.load(config.approval);
  const out: PendingRequest[] = [];
  for (const target of targets) {
    for (const c of await reads.connections.listConnections(target)) {
      if (c.status !== "Pending") continue;
      out.push(await describePending(reads, c, config, now, opts.firstSeen));
    }
  }
  const age = (p: PendingRequest) => p.ageSeconds ?? -1;
  return out.sort((a, b) => age(b) - age(a) || a.connection.localeCompare(b.connection));
}

async function describePending(
  reads: PendingReads,
  c: ConnectionInfo,
  config: AllowListConfig,
  now: Date,
  firstSeen?: PendingOptions["firstSeen"],
): Promise<PendingRequest> {
  let facts = connectionFacts(config.approval, c);
  if (!facts) {
    let pe: RequesterRead;
    try {
      pe = await reads.endpoints.getEndpoint(c.privateEndpointId!);
    } catch (e) {
      pe = { unreadable: (e as Error).message };
    }
    facts = requestFacts(config.approval, c, pe);
  }
  const plan = planApproval(config.approval, c, facts, undefined, reads.groups);
  const requester = tryParseResourceId(c.privateEndpointId ?? "");
  const base: PendingRequest = {
    connection: c.id,
    target: c.targetResourceId,
    targetType: c.targetType || parseResourceId(c.targetResourceId).type || "",
    ...(c.privateEndpointId ? { requester: c.privateEndpointId } : {}),
    ...(requester
      ? { requesterSubscription: requester.subscriptionId, ...(requester.resourceGroup ? { requesterResourceGroup: requester.resourceGroup } : {}) }
      : {}),
    ...(c.description ? { message: c.description } : {}),
    plan: plan.action,
    why: plan.reason,
  };
  const seen = await firstSeen?.(c.id).catch(() => undefined);
  if (seen) Object.assign(base, { firstSeen: seen.toISOString(), ageSeconds: Math.max(0, Math.round((now.getTime() - seen.getTime()) / 1000)) });
  if (plan.rule) return { ...base, closestRule: plan.rule };
  if (!c.privateEndpointId) return base;
  const v = evaluateApproval(
    config.approval,
    {
      connectionId: c.id,
      targetResourceId: c.targetResourceId,
      targetResourceType: c.targetType,
      privateEndpointId: c.privateEndpointId,
      groupIds: facts.groupIds,
      requestMessage: c.description ?? "",
    },
    reads.groups,
  );
  if (v.verdict !== "no-match") return base;
  const closest = closestMiss(v.misses);
  return closest ? { ...base, closestRule: closest.rule, why: `rule '${closest.rule}': ${closest.detail}` } : base;
}
