// Client-side timeouts for every ARM and Table storage call (issue 8, defect 7).
// One pipeline policy, added to every SDK client the app builds, gives each
// attempt a timeout no longer than what is left of the invocation's budget. A
// timed-out attempt becomes a RestError with code ETIMEDOUT, which the SDK's own
// retry policy retries like a dropped connection; when the budget is spent the
// call fails at once (not retried by the SDK), and the app reports it as a
// retryable failure so Event Grid redelivers the event.
import { AsyncLocalStorage } from "node:async_hooks";
import { RestError, type PipelinePolicy } from "@azure/core-rest-pipeline";

/** Per attempt, when the settings say nothing: ARM answers in well under this, or a long-running operation is polled. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The error code of a call refused because the invocation's budget is spent. */
export const BUDGET_EXHAUSTED = "BudgetExhausted";

const budget = new AsyncLocalStorage<{ deadline: number }>();

/**
 * Whether a write's answer may have been lost: some attempt got no answer at all (a
 * dropped connection, a timeout) or a 5xx, so ARM may have applied it although the
 * call failed. A 4xx or 429 answer is authoritative: not applied (WriteGate).
 */
const answers = new AsyncLocalStorage<{ uncertain: boolean }>();

/** Runs `work`, reporting whether any ARM attempt inside it went unanswered (or answered 5xx). */
export async function watchAnswers<T>(work: () => Promise<T>): Promise<{ value: T } | { error: unknown; uncertain: boolean }> {
  const seen = { uncertain: false };
  try {
    return { value: await answers.run(seen, work) };
  } catch (error) {
    return { error, uncertain: seen.uncertain };
  }
}

/**
 * Runs `work` with a deadline `ms` from now: every SDK call made inside it (however
 * deep) gets at most the time left. Nested budgets only ever shorten it.
 */
export function withBudget<T>(ms: number, work: () => Promise<T>): Promise<T> {
  const outer = budget.getStore()?.deadline ?? Infinity;
  return budget.run({ deadline: Math.min(outer, Date.now() + ms) }, work);
}

/** Milliseconds left in the current invocation's budget (Infinity outside one). */
export function budgetLeftMs(): number {
  const d = budget.getStore()?.deadline;
  return d === undefined ? Infinity : d - Date.now();
}

/** The pipeline policy (position perRetry: one timeout per attempt). */
export function timeoutPolicy(perAttemptMs = DEFAULT_REQUEST_TIMEOUT_MS): PipelinePolicy {
  return {
    name: "privatelinkAutopilotTimeout",
    async sendRequest(request, next) {
      const left = budgetLeftMs();
      if (left <= 0) {
        throw new RestError(`${request.method} ${safePath(request.url)}: not sent, the invocation's time budget is spent`, { code: BUDGET_EXHAUSTED, request });
      }
      const ms = Math.max(1, Math.min(perAttemptMs, left));
      if (!request.timeout || request.timeout > ms) request.timeout = ms;
      try {
        const res = await next(request);
        if (res.status >= 500) answers.getStore() && (answers.getStore()!.uncertain = true);
        return res;
      } catch (e) {
        const seen = answers.getStore();
        if (seen) seen.uncertain = true;
        // The HTTP client reports its own timeout as an AbortError; the caller's abort signal is not ours to retry.
        if ((e as Error)?.name === "AbortError" && !request.abortSignal?.aborted) {
          throw new RestError(`${request.method} ${safePath(request.url)}: no answer within ${request.timeout} ms`, { code: "ETIMEDOUT", request });
        }
        throw e;
      }
    },
  };
}

/** The options that add the policy to an SDK client. */
export function timeoutOptions(perAttemptMs?: number) {
  return { additionalPolicies: [{ policy: timeoutPolicy(perAttemptMs), position: "perRetry" as const }] };
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname.slice(0, 300);
  } catch {
    return "(url)";
  }
}
