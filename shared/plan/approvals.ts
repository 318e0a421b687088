// Pure: what should happen to one provider-side connection, given the allow-list.
// No I/O here, so `explain`, dry-run and tests read the same answer the apply step uses.
import { evaluateApproval, type ApprovalRequest } from "../policy/approvalRules.js";
import type { AllowListConfig } from "../config/index.js";
import type { ConnectionInfo } from "../providers/connections.js";

export interface ApprovalPlan {
  action: "approve" | "reject" | "leave-pending" | "revoke" | "ignore";
  reason: string;
  rule?: string;
}

export const APP_NAME = "privatelink-autopilot";

const APPROVED_MARK = `Approved by ${APP_NAME}`;

export function planApproval(approval: AllowListConfig["approval"], conn: ConnectionInfo, groupIds: string[] = conn.groupIds): ApprovalPlan {
  if (conn.status === "Approved" && approval.revokeRemoved && conn.description?.startsWith(APPROVED_MARK) && conn.privateEndpointId) {
    // Only what this app approved is revoked; approvals made by people are theirs.
    const v = evaluateApproval(approval, { connectionId: conn.id, targetResourceId: conn.targetResourceId, targetResourceType: conn.targetType, privateEndpointId: conn.privateEndpointId, groupIds });
    if (v.verdict === "no-match") return { action: "revoke", reason: `approved earlier by ${APP_NAME}, but no rule allows it any more (approval.revokeRemoved): ${v.reason}` };
  }
  if (conn.status !== "Pending") {
    return { action: "ignore", reason: `connection is ${conn.status ?? "in no state"}, not Pending` };
  }
  if (!conn.privateEndpointId) {
    return { action: approval.unmatched === "reject" ? "reject" : "leave-pending", reason: "connection names no private endpoint, so its requester is unknown" };
  }
  const req: ApprovalRequest = {
    connectionId: conn.id,
    targetResourceId: conn.targetResourceId,
    targetResourceType: conn.targetType,
    privateEndpointId: conn.privateEndpointId,
    groupIds,
  };
  const v = evaluateApproval(approval, req);
  if (v.verdict === "out-of-scope") return { action: "ignore", reason: v.reason };
  if (v.verdict === "allow") return { action: "approve", reason: v.reason, rule: v.rule };
  return { action: approval.unmatched === "reject" ? "reject" : "leave-pending", reason: v.reason };
}

/** Keeps the requester's message and names the rule, so the portal shows why. */
export function approvalDescription(conn: ConnectionInfo, plan: ApprovalPlan): string {
  if (plan.action === "revoke") return `Revoked by ${APP_NAME}: no allow-list rule allows this requester any more`;
  const who = plan.action === "approve" ? `${APPROVED_MARK} (rule '${plan.rule}')` : `Rejected by ${APP_NAME}: no allow-list rule matches`;
  const message = conn.description?.trim();
  return message ? `${who}. Request: ${message}` : who;
}
