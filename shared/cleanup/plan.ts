// Pure: may cleanup delete this Disconnected consumer endpoint (or, on the provider
// side, a connection whose endpoint is gone)? Deleting another
// team's endpoint is the most destructive thing the app does, so every condition
// is checked here, in one place, and a delete carries why it was allowed.
//
// Deleted only when all hold: the option is on; the mode deletes; no exclusion tag;
// every connection of the endpoint targets a resource inside managedScopes (our side
// removed it, not a partner's alias or another unit's own resource); the endpoint
// lies in a consumer scope the admins listed in cleanup.deleteEndpointsIn; the
// grace period has passed. Anything else is kept, with the reason.
import { isWithinScope } from "../model/resourceId.js";
import type { AllowListConfig } from "../config/index.js";
import { modeAllows } from "../dns/modes.js";
import { managedScopeOf } from "../approval/rules.js";
import type { EndpointInfo } from "../model/endpoint.js";

export interface DeletionGrounds {
  /** The cleanup.deleteEndpointsIn scope the endpoint lies in. */
  consumerScope: string;
  /** Each Disconnected connection's target and the managed scope it lies in. */
  targets: { target: string; managedScope: string }[];
  graceMinutes: number;
  disconnectedSince: string;
}

export type EndpointDeletionPlan =
  | { action: "delete"; reason: string; grounds: DeletionGrounds }
  /** Reported, never deleted. `off`: the option is off or the endpoint is not (only) Disconnected: nothing worth a line. */
  | { action: "keep"; reason: string; off?: boolean }
  /** Eligible, but the grace period runs; `needsClock`: the caller must read or start the first-seen mark and plan again. */
  | { action: "wait"; reason: string; needsClock?: boolean };

export interface GraceClock {
  /** When the endpoint was first seen Disconnected. */
  since: Date;
  now: Date;
}

export function planEndpointDeletion(
  pe: EndpointInfo,
  config: Pick<AllowListConfig, "approval" | "cleanup" | "dns">,
  clock?: GraceClock,
): EndpointDeletionPlan {
  const c = config.cleanup;
  if (!c.deleteDisconnectedEndpoints) return { action: "keep", reason: "cleanup.deleteDisconnectedEndpoints is off", off: true };
  if (pe.links.length === 0 || !pe.links.every((l) => l.status === "Disconnected")) {
    return { action: "keep", reason: "not every connection of the endpoint is Disconnected", off: true };
  }
  if (!modeAllows(config.dns.mode, "delete")) return { action: "keep", reason: `endpoint is Disconnected, but mode ${config.dns.mode} never deletes` };
  if (Object.keys(pe.tags).some((k) => k.toLowerCase() === c.exclusionTag.toLowerCase())) {
    return { action: "keep", reason: `endpoint is Disconnected but tagged ${c.exclusionTag}: kept` };
  }
  const targets: DeletionGrounds["targets"] = [];
  for (const l of pe.links) {
    if (!l.targetResourceId) {
      return {
        action: "keep",
        reason: `endpoint is Disconnected, but its connection ${l.name ?? ""} targets alias ${l.alias ?? "(none)"}, not a resource inside managedScopes: not ours to delete`,
      };
    }
    const managedScope = managedScopeOf(config.approval, l.targetResourceId);
    if (!managedScope) {
      return {
        action: "keep",
        reason: `endpoint is Disconnected, but its connection targets ${l.targetResourceId}, outside managedScopes: not ours to delete`,
      };
    }
    targets.push({ target: l.targetResourceId, managedScope });
  }
  const consumerScope = c.deleteEndpointsIn.find((s) => isWithinScope(pe.id, s));
  if (!consumerScope) {
    const listed = c.deleteEndpointsIn.length ? c.deleteEndpointsIn.join(", ") : "none listed";
    return { action: "keep", reason: `endpoint is Disconnected, but it lies outside cleanup.deleteEndpointsIn (${listed}): reported, not deleted` };
  }
  if (!clock) return { action: "wait", reason: "grace period not yet read", needsClock: true };
  const waitMs = c.gracePeriodMinutes * 60_000 - (clock.now.getTime() - clock.since.getTime());
  if (waitMs > 0) {
    return {
      action: "wait",
      reason: `endpoint is Disconnected since ${clock.since.toISOString()}; deleted after the ${c.gracePeriodMinutes}-minute grace period (${Math.ceil(waitMs / 60_000)} min left)`,
    };
  }
  const since = clock.since.toISOString();
  const what = targets.map((t) => `${t.target} (in managed scope ${t.managedScope})`).join(", ");
  return {
    action: "delete",
    reason: `allowed because the endpoint lies in cleanup.deleteEndpointsIn scope ${consumerScope} and its connection targeted ${what}, so our side removed it; Disconnected since ${since}, past the ${c.gracePeriodMinutes}-minute grace period`,
    grounds: { consumerScope, targets, graceMinutes: c.gracePeriodMinutes, disconnectedSince: since },
  };
}

export type ConnectionDeletionPlan = { action: "delete"; reason: string } | { action: "keep"; reason: string };

/** A Disconnected connection on a managed resource (its endpoint is gone): deleted when cleanup.deleteStaleConnections is on and the mode deletes. */
export function planConnectionDeletion(config: Pick<AllowListConfig, "cleanup" | "dns">): ConnectionDeletionPlan {
  if (!config.cleanup.deleteStaleConnections) {
    return { action: "keep", reason: "connection is Disconnected (its endpoint is gone); cleanup.deleteStaleConnections is off" };
  }
  if (!modeAllows(config.dns.mode, "delete")) return { action: "keep", reason: `connection is Disconnected, but mode ${config.dns.mode} never deletes` };
  return { action: "delete", reason: "connection is Disconnected: its endpoint no longer exists" };
}
