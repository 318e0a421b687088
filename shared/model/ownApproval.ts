// An approval this app made, as it recorded it (shared/store/ownApprovals.ts keeps them):
// revocation (approval.revokeRemoved) acts only on connections still exactly so.
import { idKey } from "./resourceId.js";

export interface OwnApproval {
  /** Provider-side connection id. */
  connectionId: string;
  /** The requester endpoint approved. */
  endpointId: string;
  /** The description the connection carried after this app's approval. */
  description: string;
  rule: string;
  /** ISO time of the approval. */
  at: string;
}

/** Whether the connection, as read now, is still exactly as this app approved it. */
export function isOwnApproval(
  own: OwnApproval | undefined,
  conn: { id: string; status?: string; description?: string; privateEndpointId?: string },
): own is OwnApproval {
  return (
    !!own &&
    conn.status === "Approved" &&
    idKey(own.connectionId) === idKey(conn.id) &&
    !!conn.privateEndpointId &&
    idKey(own.endpointId) === idKey(conn.privateEndpointId) &&
    (conn.description ?? "") === own.description
  );
}
