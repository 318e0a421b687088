// The vocabulary every path (Function, replay, explain, sandbox) reports in.
// Later issues add DNS and cleanup actions to `Action`.

export type Action = "approve" | "reject" | "leave-pending" | "ignore" | "error";

export interface Decision {
  /** Event id, or e.g. `explain` / `sweep:<run>` for other triggers. */
  event: string;
  action: Action;
  /** What is acted on: for approvals, the provider-side private endpoint connection id. */
  resource: string;
  reason: string;
  rule?: string;
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
