// Which facts decide a connection, for approval and revocation alike: the group ids
// it requests. The connection's own when the provider reports them (platform-set),
// else those of the requester endpoint's link to this target (Key Vault, for one,
// reports none on the connection). Both paths must use this one answer, or an
// approval made on one set of facts is revoked on another.
import { sameId } from "../model/resourceId.js";
import type { AllowListConfig } from "../config/index.js";
import type { ConnectionInfo } from "../model/connection.js";
import type { EndpointInfo } from "../model/endpoint.js";

export interface RequestFacts {
  groupIds: string[];
  /** false: the group ids could not be established; a verdict that depends on them is not sure. */
  known: boolean;
  /** Where the group ids came from, for reasons and logs. */
  source: "connection" | "endpoint-link" | "not-needed" | "unknown";
  /** Why they are unknown. */
  detail?: string;
}

/** The requester endpoint as the caller could read it. */
export type RequesterRead = EndpointInfo | { unreadable: string } | undefined;

const hasGroupIds = (c: ConnectionInfo) => c.groupIds.some((g) => typeof g === "string" && g !== "");

/** Whether the verdict can depend on group ids the connection does not carry (then the endpoint must be read). */
export function needsRequesterLink(approval: AllowListConfig["approval"], conn: ConnectionInfo): boolean {
  return !hasGroupIds(conn) && !!conn.privateEndpointId && approval.rules.some((r) => r.groupIds?.length);
}

/** Facts from the connection alone: known when it carries group ids or no rule looks at them. */
export function connectionFacts(approval: AllowListConfig["approval"], conn: ConnectionInfo): RequestFacts | undefined {
  if (hasGroupIds(conn)) return { groupIds: conn.groupIds, known: true, source: "connection" };
  if (!needsRequesterLink(approval, conn)) return { groupIds: [], known: true, source: "not-needed" };
  return undefined;
}

/** The decisive facts, given the requester endpoint as read (only consulted when the connection has no group ids). */
export function requestFacts(approval: AllowListConfig["approval"], conn: ConnectionInfo, requester: RequesterRead): RequestFacts {
  const own = connectionFacts(approval, conn);
  if (own) return own;
  const unknown = (detail: string): RequestFacts => ({ groupIds: [], known: false, source: "unknown", detail });
  if (!requester) return unknown(`requester endpoint ${conn.privateEndpointId} not found`);
  if ("unreadable" in requester) return unknown(`requester endpoint cannot be read (${requester.unreadable})`);
  const links = requester.links.filter((l) => sameId(l.targetResourceId, conn.targetResourceId));
  const groupIds = [...new Set(links.flatMap((l) => l.groupIds).filter((g) => typeof g === "string" && g !== ""))];
  if (groupIds.length === 0) return unknown(`requester endpoint has no link to ${conn.targetResourceId} that names group ids`);
  return { groupIds, known: true, source: "endpoint-link" };
}
