// App settings (environment variables), documented in local.settings.example.json.
import { readFileSync } from "node:fs";
import { DefaultAzureCredential } from "@azure/identity";
import { PUBLIC_ARM_ENDPOINT, PUBLIC_ARM_SCOPE, staticTokenCredential, type ArmSettings } from "../arm/settings.js";

export interface AppSettings {
  allowListPath: string;
  dryRun: boolean;
  identity: { objectId?: string; clientId?: string };
  arm: ArmSettings;
}

export class SettingsError extends Error {}

export function readSettings(env: NodeJS.ProcessEnv = process.env): AppSettings {
  const allowListPath = env.AUTOPILOT_ALLOW_LIST_PATH;
  if (!allowListPath) throw new SettingsError("AUTOPILOT_ALLOW_LIST_PATH is not set: the app needs an allow-list file and approves nothing without one");
  const endpoint = env.AZURE_ARM_ENDPOINT || PUBLIC_ARM_ENDPOINT;
  const caFile = env.AUTOPILOT_ARM_CA_FILE;
  return {
    allowListPath,
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
    },
  };
}

function isTrue(v: string | undefined): boolean {
  return v !== undefined && ["1", "true", "yes"].includes(v.toLowerCase());
}
