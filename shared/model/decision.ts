// The vocabulary every path (Function, replay, explain, sandbox) reports in.
import { errorMessage } from "../util/errorMessage.js";

export type ApprovalAction = "approve" | "reject" | "leave-pending" | "revoke";
export type DnsAction = "dns-create" | "dns-update" | "dns-delete" | "dns-handover" | "dns-conflict" | "dns-skip";
export type CleanupAction = "delete-endpoint" | "delete-connection";
export type Action = ApprovalAction | DnsAction | CleanupAction | "ignore" | "error";

/** What a DNS decision is about. */
export interface DnsDetail {
  zone?: string;
  record?: string;
  ips?: string[];
  ttl?: number;
  /** Endpoint id that owns (or would own) the record. */
  owner?: string;
  /** The current owner, when another endpoint holds the name. */
  heldBy?: string;
}

/** applied: written to ARM; planned: dry-run or explain; skipped: nothing to write; failed: the write failed. */
export type Outcome = "applied" | "planned" | "skipped" | "failed";

export interface Decision {
  /** Event id, or e.g. `explain` / `sweep:<run>` for other triggers. */
  event: string;
  action: Action;
  /** What is acted on: for approvals, the provider-side private endpoint connection id. */
  resource: string;
  reason: string;
  rule?: string;
  dns?: DnsDetail;
  outcome: Outcome;
  error?: string;
  /** A failure that a redelivery of the same event may fix (throttling, a failed write, a broken allow-list). */
  retryable?: boolean;
}

/** What was decided about what, and why: a decision before its outcome. */
export type Decided = Omit<Decision, "outcome" | "error" | "retryable">;

/**
 * The one way to build a decision: what was decided, and how it ended. `error` is the
 * service's answer to a failed step; `retryable` says a redelivery may fix it.
 */
export function decision(d: Decided, outcome: Outcome, more: { error?: string; retryable?: boolean } = {}): Decision {
  return {
    ...d,
    outcome,
    ...(more.error !== undefined ? { error: more.error } : {}),
    ...(more.retryable !== undefined ? { retryable: more.retryable } : {}),
  };
}

/** Nothing to do, and why. */
export function ignored(event: string, resource: string, reason: string, more: Partial<Decided> = {}): Decision {
  return decision({ event, action: "ignore", resource, reason, ...more }, "skipped");
}

/** A step failed after others were done: the redelivery (or the next sweep) continues from ARM's state. */
export function retryLater(event: string, resource: string, e: unknown): Decision {
  return decision({ event, action: "error", resource, reason: "reading or writing ARM failed; left for a redelivery" }, "failed", {
    error: errorMessage(e),
    retryable: true,
  });
}

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
