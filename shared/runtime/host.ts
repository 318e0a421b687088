// What a host trigger calls. One lazily built Runtime per process (cold start
// pays for it once); the host adapts its own logger to Logger.
import type { Decision, Logger } from "../core/decision.js";
import { handleRawEvent } from "./handleEvent.js";
import { Runtime } from "./runtime.js";
import { readSettings } from "./settings.js";

let runtime: Runtime | undefined;

export function processRuntime(): Runtime {
  return (runtime ??= new Runtime(readSettings()));
}

/** Handles one delivered event; throws when a redelivery could succeed, so Event Grid retries. */
export async function onResourceEvent(event: unknown, log: Logger, rt: Runtime = processRuntime()): Promise<Decision[]> {
  const decisions = await handleRawEvent(event, await rt.autopilot(log), log);
  const retry = decisions.find((d) => d.retryable);
  if (retry) throw new Error(`event left for redelivery: ${retry.reason}${retry.error ? `: ${retry.error}` : ""}`);
  return decisions;
}
