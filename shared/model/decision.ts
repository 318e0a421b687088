// The vocabulary every path (Function, replay, explain, sandbox) reports in.

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

export interface Decision {
  /** Event id, or e.g. `explain` / `sweep:<run>` for other triggers. */
  event: string;
  action: Action;
  /** What is acted on: for approvals, the provider-side private endpoint connection id. */
  resource: string;
  reason: string;
  rule?: string;
  dns?: DnsDetail;
  /** applied: written to ARM; planned: dry-run or explain; skipped: nothing to write; failed: the write failed. */
  outcome: "applied" | "planned" | "skipped" | "failed";
  error?: string;
  /** A failure that a redelivery of the same event may fix (throttling, a failed write, a broken allow-list). */
  retryable?: boolean;
}

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
