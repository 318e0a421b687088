// What a host trigger calls. One lazily built Runtime per process (cold start
// pays for it once); the host adapts its own logger to Logger.
import type { Decision, Logger } from "../model/decision.js";
import type { SweepReport } from "../autopilot/sweep.js";
import { logDecision } from "./handleEvent.js";
import { Runtime } from "./runtime.js";
import { readSettings } from "./settings.js";
import { DefaultAzureCredential } from "@azure/identity";
import { recordDecisions, recordSweep, startTelemetry } from "../telemetry/index.js";

let runtime: Runtime | undefined;

export function processRuntime(): Runtime {
  return (runtime ??= new Runtime(readSettings()));
}

/** Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set (once per process; a failure only costs telemetry). */
function telemetry(log: Logger): Promise<unknown> {
  return startTelemetry(process.env, (clientId) => new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {})).catch((e) => {
    log.warn(`telemetry not started: ${(e as Error).message}`);
  });
}

/** The timer: one sweep, its decisions logged like an event's. */
export async function onSweepTimer(log: Logger, rt: Runtime = processRuntime()): Promise<SweepReport> {
  await telemetry(log);
  const started = Date.now();
  const report = await rt.sweep(log);
  recordSweep(Date.now() - started, report.decisions, report.complete);
  recordDecisions(report.decisions, { trigger: "sweep", correlationId: report.runId });
  for (const d of report.decisions) logDecision(log, d);
  await rt.purge().catch((e) => log.warn(`purging old audit and ledger rows failed: ${(e as Error).message}`));
  log.info(
    `sweep ${report.runId} ${report.complete ? "complete" : report.error ? "stopped by a failure; the next run resumes" : "stopped at its deadline; the next run resumes"}: ${JSON.stringify(report.totals)}`,
  );
  // Its decisions are logged and audited: now the host may see the failure.
  if (report.error) throw new Error(`sweep ${report.runId} stopped: ${report.error}`);
  return report;
}

/** The Event Grid trigger: one delivered event; throws when a redelivery could succeed, so Event Grid retries. */
export async function onResourceEvent(event: unknown, log: Logger, rt: Runtime = processRuntime()): Promise<Decision[]> {
  await telemetry(log);
  return throwIfRetryable(await rt.handleEvent(event, log));
}

/** The queue trigger: one events-queue message (an event or a continuation); throws so the host delivers it again. */
export async function onQueueMessage(message: unknown, log: Logger, rt: Runtime = processRuntime()): Promise<Decision[]> {
  await telemetry(log);
  return throwIfRetryable(await rt.handleQueueMessage(message, log));
}

function throwIfRetryable(decisions: Decision[]): Decision[] {
  const retry = decisions.find((d) => d.retryable);
  if (retry) throw new Error(`event left for redelivery: ${retry.reason}${retry.error ? `: ${retry.error}` : ""}`);
  return decisions;
}
