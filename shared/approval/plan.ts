// Pure: what should happen to one provider-side connection, given the allow-list.
// No I/O here, so `explain`, dry-run and tests read the same answer the apply step uses.
import { evaluateApproval, type ApprovalRequest, type ApprovalVerdict, type GroupMembership } from "./rules.js";
import type { AllowListConfig } from "../config/index.js";
import type { RequestFacts } from "./requestFacts.js";
import type { ConnectionInfo } from "../model/connection.js";
import { isOwnApproval, type OwnApproval } from "../model/ownApproval.js";

export interface ApprovalPlan {
  action: "approve" | "reject" | "leave-pending" | "revoke" | "ignore";
  reason: string;
  rule?: string;
}

export const APP_NAME = "privatelink-autopilot";

const APPROVED_MARK = `Approved by ${APP_NAME}`;

/** Facts used when the caller has nothing but the connection. */
const fromConnection = (conn: ConnectionInfo): RequestFacts => ({ groupIds: conn.groupIds, known: true, source: "connection" });

/** A no-match that better facts could turn into a match: a rule missed only on something nobody could read. */
function unsure(v: ApprovalVerdict, facts: RequestFacts): boolean {
  if (v.verdict === "deny") return !v.sure;
  return v.verdict === "no-match" && v.misses.some((m) => m.unknown || (!facts.known && m.failedOn === "groupIds"));
}

/**
 * `own` is the app's record of its approval of this connection, if any: only such a
 * connection, still as the app approved it, is ever revoked.
 */
export function planApproval(
  approval: AllowListConfig["approval"],
  conn: ConnectionInfo,
  facts: RequestFacts = fromConnection(conn),
  own?: OwnApproval,
  groups?: GroupMembership,
): ApprovalPlan {
  const req = (privateEndpointId: string): ApprovalRequest => ({
    connectionId: conn.id,
    targetResourceId: conn.targetResourceId,
    targetResourceType: conn.targetType,
    privateEndpointId,
    groupIds: facts.groupIds,
    // A Pending connection's description is the requester's message; afterwards it is not known.
    ...(conn.status === "Pending" ? { requestMessage: conn.description ?? "" } : {}),
  });
  if (approval.revokeRemoved && isOwnApproval(own, conn)) {
    // Only what this app approved is revoked; approvals made by people are theirs.
    // Revoked only when sure: on the same facts approval used, and unknown means keep.
    const v = evaluateApproval(approval, req(own.endpointId), groups);
    if (unsure(v, facts))
      return { action: "ignore", reason: `approved by ${APP_NAME}; kept, because whether a rule still allows it cannot be told: ${facts.detail ?? v.reason}` };
    if (v.verdict === "deny")
      return {
        action: "revoke",
        rule: v.rule,
        reason: `approved earlier by ${APP_NAME}, but a reject rule now matches it (approval.revokeRemoved): ${v.reason}`,
      };
    if (v.verdict === "no-match")
      return { action: "revoke", reason: `approved earlier by ${APP_NAME}, but no rule allows it any more (approval.revokeRemoved): ${v.reason}` };
  }
  if (conn.status !== "Pending") {
    return { action: "ignore", reason: `connection is ${conn.status ?? "in no state"}, not Pending` };
  }
  if (!conn.privateEndpointId) {
    return {
      action: approval.unmatched === "reject" ? "reject" : "leave-pending",
      reason: "connection names no private endpoint, so its requester is unknown",
    };
  }
  const v = evaluateApproval(approval, req(conn.privateEndpointId), groups);
  if (v.verdict === "out-of-scope") return { action: "ignore", reason: v.reason };
  if (v.verdict === "allow") return { action: "approve", reason: v.reason, rule: v.rule };
  // Rejecting is destructive: like revoking, only when sure.
  if (unsure(v, facts)) {
    const why = facts.known ? "a fact a rule needs cannot be told" : `the group ids cannot be told: ${facts.detail}`;
    return { action: "leave-pending", reason: `${v.reason}; left pending, because ${why}`, ...(v.verdict === "deny" ? { rule: v.rule } : {}) };
  }
  if (v.verdict === "deny") return { action: "reject", reason: v.reason, rule: v.rule };
  return { action: approval.unmatched === "reject" ? "reject" : "leave-pending", reason: v.reason };
}

/** Keeps the requester's message and names the rule, so the portal shows why. */
export function approvalDescription(conn: ConnectionInfo, plan: ApprovalPlan): string {
  if (plan.action === "revoke") return `Revoked by ${APP_NAME}: no allow-list rule allows this requester any more`;
  const who =
    plan.action === "approve"
      ? `${APPROVED_MARK} (rule '${plan.rule}')`
      : plan.rule
        ? `Rejected by ${APP_NAME} (reject rule '${plan.rule}')`
        : `Rejected by ${APP_NAME}: no allow-list rule matches`;
  const message = conn.description?.trim();
  return message ? `${who}. Request: ${message}` : who;
}
