// How long one approval is waited for inside an invocation, and when the continuation that
// writes its DNS first looks again. A wait holds a slot of the Functions host while the
// provider works (Key Vault 47 s against a 10 s wait), so at most `maxWaiting` invocations of
// this process wait at once; the others hand their DNS to a continuation at once (a burst
// of 1,000 with every one waiting: ratio 5.49, bench/RESULTS.md). The continuation's first
// check is timed to the provider's recorded approval time, so one check normally does it.
import { firstCheckMs, recordedApprovalMs } from "../model/approvalTimes.js";

export interface ApprovalWaitSettings {
  /** Longest wait for one approval (AUTOPILOT_APPROVAL_WAIT_SECONDS). */
  waitMs: number;
  /** Approvals waited for at once in this process; the others are not waited for. */
  maxWaiting: number;
  /** Spacing of continuation checks after the first (AUTOPILOT_CONTINUE_AFTER_SECONDS). */
  continueAfterMs: number;
  /** The provider's recorded approval time for a connection (shared/model/approvalTimes.ts; scaled in benchmarks). */
  expectedMs?: (connectionId: string) => number | undefined;
}

export interface ApprovalWait {
  /** How long this approval may be waited for (0: not at all). */
  ms: number;
  end(): void;
}

/** No wait: the approval's DNS goes to a continuation at once. */
export const NO_WAIT: ApprovalWait = { ms: 0, end: () => {} };

export class ApprovalWaits {
  private waiting = 0;
  constructor(private readonly s: ApprovalWaitSettings) {}

  /** Takes a wait for the approval of `connectionId`: none once `maxWaiting` wait already; call end() once the write returned. */
  begin(): ApprovalWait {
    if (this.s.waitMs <= 0 || this.waiting >= this.s.maxWaiting) return NO_WAIT;
    this.waiting++;
    let ended = false;
    return {
      ms: this.s.waitMs,
      end: () => {
        if (!ended) this.waiting--;
        ended = true;
      },
    };
  }

  /**
   * Delay of continuation check `attempt` (1 = the first) of an approval still running after
   * `waitedMs` of waiting: the first lands just after the provider's recorded time (Key
   * Vault 47 s: 52 s after the write) where one is known; every other check comes
   * `continueAfterMs` after the one before.
   */
  checkDelayMs(connectionId: string, attempt: number, waitedMs: number): number {
    const expected = (this.s.expectedMs ?? recordedApprovalMs)(connectionId);
    if (attempt === 1 && expected !== undefined) return Math.max(0, firstCheckMs(expected) - waitedMs);
    return this.s.continueAfterMs;
  }

  /** Invocations of this process waiting for an approval now. */
  get inFlight(): number {
    return this.waiting;
  }
}
