// A connection that waits for a human, as `pending` and the report show it (pure; listed by
// shared/autopilot/pending.ts).

export interface PendingRequest {
  connection: string;
  target: string;
  targetType: string;
  /** The requester's private endpoint id, its subscription and resource group. */
  requester?: string;
  requesterSubscription?: string;
  requesterResourceGroup?: string;
  /** The request message (consumer-written). */
  message?: string;
  /** When the app first recorded it waiting (its audit trail), if known. */
  firstSeen?: string;
  ageSeconds?: number;
  /** What the app does with it now: leave-pending (a human decides) or approve/reject once the app gets to it. */
  plan: string;
  /** The rule that came closest: the one that matched the most criteria, in the order they are checked. */
  closestRule?: string;
  /** What that rule (or the allow-list) missed. */
  why: string;
}
