// Queue and Blob clients for the app's own storage account, from the same settings as
// the table (tables.ts): `AzureWebJobsStorage` as a connection string (Azurite locally),
// else the identity-based `AzureWebJobsStorage__queueServiceUri` / `__blobServiceUri` /
// `__accountName` with an Entra credential (the app's managed identity in Azure, az
// login for an admin's CLI).
import type { TokenCredential } from "@azure/core-auth";
import { BlobClient, BlobServiceClient } from "@azure/storage-blob";
import { type QueueClient, QueueServiceClient } from "@azure/storage-queue";
import { StoreSettingsError } from "./tables.js";

const PREFIX = "AzureWebJobsStorage";

type Credential = (clientId: string | undefined) => TokenCredential;

function connectionString(env: NodeJS.ProcessEnv): string | undefined {
  return env[PREFIX]?.trim() || undefined;
}

function serviceUrl(env: NodeJS.ProcessEnv, service: "queue" | "blob"): string | undefined {
  const uri = env[`${PREFIX}__${service}ServiceUri`]?.trim();
  const account = env[`${PREFIX}__accountName`]?.trim();
  return uri || (account ? `https://${account}.${service}.core.windows.net` : undefined);
}

function clientId(env: NodeJS.ProcessEnv): string | undefined {
  return env[`${PREFIX}__clientId`]?.trim() || undefined;
}

export function queueClientFromSettings(env: NodeJS.ProcessEnv, queueName: string, credential?: Credential): QueueClient {
  const cs = connectionString(env);
  if (cs) return QueueServiceClient.fromConnectionString(cs).getQueueClient(queueName);
  const url = serviceUrl(env, "queue");
  if (!url)
    throw new StoreSettingsError(`${PREFIX} is not set: give a connection string (Azurite locally) or ${PREFIX}__queueServiceUri / ${PREFIX}__accountName`);
  if (!credential) throw new StoreSettingsError(`${PREFIX}__queueServiceUri is set but no credential was supplied`);
  return new QueueServiceClient(https(url), credential(clientId(env))).getQueueClient(queueName);
}

/**
 * The blob at `url` (e.g. AUTOPILOT_ALLOW_LIST_URL). With a connection string whose blob
 * endpoint is the URL's account (Azurite), the shared key is used; otherwise the credential.
 */
export function blobClientForUrl(env: NodeJS.ProcessEnv, url: string, credential?: Credential): BlobClient {
  let parsed: BlobClient;
  try {
    parsed = new BlobClient(url);
  } catch (e) {
    throw new StoreSettingsError(`not a blob URL: ${url} (${(e as Error).message})`);
  }
  if (!parsed.containerName || !parsed.name) throw new StoreSettingsError(`not a blob URL (expected .../<container>/<blob>): ${url}`);
  const cs = connectionString(env);
  if (cs) {
    const svc = BlobServiceClient.fromConnectionString(cs);
    if (sameAccount(svc.url, url)) return svc.getContainerClient(parsed.containerName).getBlobClient(parsed.name);
  }
  if (!credential) throw new StoreSettingsError(`no credential for ${url}`);
  return new BlobClient(https(url), credential(clientId(env)));
}

function sameAccount(serviceUrl: string, blobUrl: string): boolean {
  const a = new URL(serviceUrl);
  const b = new URL(blobUrl);
  if (a.origin.toLowerCase() !== b.origin.toLowerCase()) return false;
  // Path-style (Azurite, IP hosts): the account is the first path segment.
  const account = a.pathname.split("/").filter(Boolean)[0];
  return !account || b.pathname.split("/").filter(Boolean)[0] === account;
}

function https(url: string): string {
  if (!/^https:\/\//i.test(url.trim())) throw new StoreSettingsError(`storage URL must be https (bearer tokens are refused over http): ${url}`);
  return url.trim();
}
