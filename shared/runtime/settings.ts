// App settings (environment variables), documented in local.settings.example.json.
import { readFileSync } from "node:fs";
import { DefaultAzureCredential } from "@azure/identity";
import type { TableClient } from "@azure/data-tables";
import type { BlobClient } from "@azure/storage-blob";
import type { QueueClient } from "@azure/storage-queue";
import { blobClientForUrl, queueClientFromSettings } from "../store/storageClients.js";
import { ARM_LIMITS } from "../gateways/arm/pacing.js";
import { PUBLIC_ARM_ENDPOINT, PUBLIC_ARM_SCOPE, staticTokenCredential, type ArmSettings } from "../gateways/arm/settings.js";
import { tableClientFromSettings } from "../store/tables.js";
import { CONTINUATIONS_QUEUE } from "./azureNames.js";

import { APP_TABLE } from "./azureNames.js";

export { APP_TABLE };

export interface AppSettings {
  /** AUTOPILOT_ALLOW_LIST_PATH: a local file (not needed when allowListBlob is set). */
  allowListPath?: string;
  /** AUTOPILOT_ALLOW_LIST_URL: the allow-list blob in the app's storage account; wins over the path. */
  allowListBlob?: BlobClient;
  /** How often the allow-list is checked for a new version (default: blob 60 s, file every invocation). */
  allowListRefreshMs?: number;
  /** How long a management group's subscriptions are trusted before they are read again (default 5 minutes). */
  managementGroupRefreshMs?: number;
  dryRun: boolean;
  identity: { objectId?: string; clientId?: string };
  arm: ArmSettings;
  /** The app's table (AzureWebJobsStorage); undefined: in-memory index, rebuilt from DNS metadata after each start. */
  table?: TableClient;
  /** Subscriptions the sweep lists endpoints in; empty: every subscription the identity can read. */
  subscriptions?: string[];
  /** Sweep budget in ms: it stops by then and resumes next run (below the Functions timeout). */
  sweepBudgetMs?: number;
  /** AUTOPILOT_APPROVAL_CONCURRENCY: approvals in flight at once per target (default 8). */
  approvalConcurrency?: number;
  /** AUTOPILOT_APPROVAL_WAIT_SECONDS: how long one approval is waited for before its DNS is left to a continuation (default 10 s). */
  approvalWaitMs?: number;
  /** AUTOPILOT_CONTINUE_AFTER_SECONDS: spacing of continuation checks (default 30 s; the first follows the provider's recorded approval time where known). */
  continueAfterMs?: number;
  /** The continuations queue (AzureWebJobsStorage); undefined: the next sweep continues instead. */
  continuationQueue?: QueueClient;
}

export { SWEEP_SCHEDULE } from "./azureNames.js";

export class SettingsError extends Error {}

export function readSettings(env: NodeJS.ProcessEnv = process.env): AppSettings {
  const allowListUrl = env.AUTOPILOT_ALLOW_LIST_URL?.trim();
  const allowListPath = env.AUTOPILOT_ALLOW_LIST_PATH?.trim() || undefined;
  if (!allowListPath && !allowListUrl) {
    throw new SettingsError(
      "neither AUTOPILOT_ALLOW_LIST_URL nor AUTOPILOT_ALLOW_LIST_PATH is set: the app needs an allow-list and approves nothing without one",
    );
  }
  const refresh = env.AUTOPILOT_ALLOW_LIST_REFRESH_SECONDS?.trim();
  if (refresh && !(Number(refresh) >= 0)) throw new SettingsError(`AUTOPILOT_ALLOW_LIST_REFRESH_SECONDS must be a number of seconds, not '${refresh}'`);
  const mgRefresh = env.AUTOPILOT_MANAGEMENT_GROUP_REFRESH_SECONDS?.trim();
  if (mgRefresh && !(Number(mgRefresh) >= 0))
    throw new SettingsError(`AUTOPILOT_MANAGEMENT_GROUP_REFRESH_SECONDS must be a number of seconds, not '${mgRefresh}'`);
  const storageCredential = (clientId: string | undefined) => new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
  const endpoint = env.AZURE_ARM_ENDPOINT || PUBLIC_ARM_ENDPOINT;
  const caFile = env.AUTOPILOT_ARM_CA_FILE;
  return {
    allowListPath,
    allowListBlob: allowListUrl ? blobClientForUrl(env, allowListUrl, storageCredential) : undefined,
    allowListRefreshMs: refresh ? Number(refresh) * 1000 : undefined,
    ...(mgRefresh ? { managementGroupRefreshMs: Number(mgRefresh) * 1000 } : {}),
    dryRun: isTrue(env.AUTOPILOT_DRY_RUN),
    identity: { objectId: env.AUTOPILOT_PRINCIPAL_ID || undefined, clientId: env.AZURE_CLIENT_ID || undefined },
    arm: {
      endpoint,
      scope: env.AZURE_ARM_SCOPE || PUBLIC_ARM_SCOPE,
      // The static token exists for the local emulator only; real Azure uses the
      // credential chain (managed identity in Azure, az login / env vars locally).
      credential: env.AUTOPILOT_ARM_STATIC_TOKEN
        ? staticTokenCredential(env.AUTOPILOT_ARM_STATIC_TOKEN)
        : new DefaultAzureCredential(env.AZURE_CLIENT_ID ? { managedIdentityClientId: env.AZURE_CLIENT_ID } : {}),
      ca: caFile ? readFileSync(caFile, "utf8") : undefined,
      pollIntervalMs: env.AUTOPILOT_POLL_INTERVAL_MS ? Number(env.AUTOPILOT_POLL_INTERVAL_MS) : undefined,
      // The sweep lists through Resource Graph, and through ARM lists whenever that does not answer.
      resourceGraph: true,
      // The SDK's retries (429s after Retry-After, 5xx, dropped connections); default 3.
      maxRetries: count(env, "AUTOPILOT_ARM_MAX_RETRIES"),
      // Calls wait for ARM's per-subscription tokens instead of spending retries (off: AUTOPILOT_ARM_PACING=off).
      pacing: env.AUTOPILOT_ARM_PACING?.trim().toLowerCase() === "off" ? undefined : { ...ARM_LIMITS },
    },
    subscriptions: env.AUTOPILOT_SUBSCRIPTIONS?.split(",")
      .map((x) => x.trim())
      .filter(Boolean),
    sweepBudgetMs: env.AUTOPILOT_SWEEP_BUDGET_SECONDS ? Number(env.AUTOPILOT_SWEEP_BUDGET_SECONDS) * 1000 : undefined,
    approvalConcurrency: positiveInt(env, "AUTOPILOT_APPROVAL_CONCURRENCY"),
    approvalWaitMs: seconds(env, "AUTOPILOT_APPROVAL_WAIT_SECONDS"),
    continueAfterMs: seconds(env, "AUTOPILOT_CONTINUE_AFTER_SECONDS"),
    continuationQueue: continuationQueue(env, storageCredential),
    table: hasStorage(env)
      ? tableClientFromSettings(env, APP_TABLE, (clientId) => new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {}))
      : undefined,
  };
}

function positiveInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name]?.trim();
  if (!v) return undefined;
  if (!/^[1-9][0-9]{0,3}$/.test(v)) throw new SettingsError(`${name} must be a whole number from 1 to 9999, not '${v}'`);
  return Number(v);
}

function seconds(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name]?.trim();
  if (!v) return undefined;
  if (!(Number(v) >= 0) || Number(v) > 7 * 86_400) throw new SettingsError(`${name} must be a number of seconds (0 to 604800), not '${v}'`);
  return Number(v) * 1000;
}

/** The continuations queue; undefined when the storage settings name no queue service (the next sweep continues instead). */
function continuationQueue(env: NodeJS.ProcessEnv, credential: (clientId: string | undefined) => DefaultAzureCredential): QueueClient | undefined {
  if (!(env.AzureWebJobsStorage?.trim() || env.AzureWebJobsStorage__accountName?.trim() || env.AzureWebJobsStorage__queueServiceUri?.trim())) return undefined;
  try {
    return queueClientFromSettings(env, CONTINUATIONS_QUEUE, credential);
  } catch {
    return undefined; // e.g. a connection string with a blob endpoint only
  }
}

function hasStorage(env: NodeJS.ProcessEnv): boolean {
  return !!(env.AzureWebJobsStorage?.trim() || env.AzureWebJobsStorage__accountName?.trim() || env.AzureWebJobsStorage__tableServiceUri?.trim());
}

function count(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name]?.trim();
  if (!v) return undefined;
  if (!/^\d+$/.test(v)) throw new SettingsError(`${name} must be a whole number, not '${v.slice(0, 50)}'`);
  return Number(v);
}

function isTrue(v: string | undefined): boolean {
  return v !== undefined && ["1", "true", "yes"].includes(v.toLowerCase());
}
