// Telemetry is on only when APPLICATIONINSIGHTS_CONNECTION_STRING is set. The exporter
// (azureMonitor.ts) is loaded on demand: in the deployment bundle it is a separate file
// (build.mjs defines AUTOPILOT_TELEMETRY_MODULE), so without telemetry it is never read.
import type { TokenCredential } from "@azure/core-auth";

export { recordDecisions, recordSweep, METRICS } from "./signals.js";

declare const AUTOPILOT_TELEMETRY_BUNDLE: string | undefined;

let started: Promise<boolean> | undefined;

/**
 * Starts the Azure Monitor exporter once per process (later calls share the first).
 * APPLICATIONINSIGHTS_AUTHENTICATION_STRING `Authorization=AAD` (with `ClientId=` for a
 * user-assigned identity) makes ingestion use Entra auth through `credential`.
 */
export function startTelemetry(env: NodeJS.ProcessEnv, credential: (clientId: string | undefined) => TokenCredential): Promise<boolean> {
  return (started ??= start(env, credential));
}

async function start(env: NodeJS.ProcessEnv, credential: (clientId: string | undefined) => TokenCredential): Promise<boolean> {
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();
  if (!connectionString) return false;
  const auth = parseAuth(env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING);
  // In the bundle, build.mjs defines the separate file's name (an external the bundler leaves alone).
  const spec = typeof AUTOPILOT_TELEMETRY_BUNDLE === "string" ? AUTOPILOT_TELEMETRY_BUNDLE : "./azureMonitor.js";
  const mod = (await import(spec)) as typeof import("./azureMonitor.js");
  mod.startAzureMonitor({ connectionString, ...(auth.aad ? { credential: credential(auth.clientId) } : {}) });
  return true;
}

function parseAuth(s: string | undefined): { aad: boolean; clientId?: string } {
  const parts = Object.fromEntries(
    (s ?? "")
      .split(";")
      .map((p) => p.split("=").map((x) => x.trim()))
      .filter((kv) => kv.length === 2 && kv[0])
      .map(([k, v]) => [k!.toLowerCase(), v!]),
  );
  return { aad: (parts.authorization ?? "").toUpperCase() === "AAD", clientId: parts.clientid || undefined };
}
