// Azure Table storage clients for the app's own storage account (the one the
// Functions host uses: `AzureWebJobsStorage`).
//
// Three ways to reach it:
//   - `UseDevelopmentStorage=true`: Azurite on its default port 10002 only.
//   - a full connection string (`DefaultEndpointsProtocol=...;AccountName=...;
//     AccountKey=...[;TableEndpoint=...]`): a real account, or Azurite on any port
//     (plain http is allowed only when the connection string itself says http).
//   - managed identity (`tableClientWithCredential`), the Functions
//     "identity-based connection" for host storage. App settings, instead of
//     `AzureWebJobsStorage`:
//       AzureWebJobsStorage__accountName      = <account>   (public cloud: https://<account>.table.core.windows.net)
//       AzureWebJobsStorage__tableServiceUri  = https://<account>.table.core.windows.net  (sovereign clouds; wins over accountName)
//       AzureWebJobsStorage__credential       = managedidentity
//       AzureWebJobsStorage__clientId         = <client id>  (user-assigned identity only)
//     and give the app's identity "Storage Table Data Contributor" on the account
//     (the host itself also needs its blob/queue roles; that is the host's business).
//     `tableClientFromSettings` reads exactly these settings.
//
// The table is created on first use (`ensureTable`, idempotent: 409
// TableAlreadyExists counts as success). `tableClient` stays synchronous so it can
// be built at module load; the first operation of a TableOwnershipIndex (or an
// explicit `await ensureTable(client)` / `openTable(...)`) creates the table.
//
// Errors from @azure/data-tables: `e.statusCode` and `e.details.errorCode`; `e.code` is undefined.
import { TableClient, type TableServiceClientOptions as TableClientOptions, type TransactionAction } from "@azure/data-tables";
import type { TokenCredential } from "@azure/core-auth";
import { timeoutOptions } from "../gateways/arm/timeouts.js";

/** Client-side timeout per Table storage attempt (never beyond the invocation's budget). */
const TABLE_TIMEOUT_MS = 10_000;

/** Every table client gets the timeout policy, in front of any the caller adds. */
function withTimeout(options: TableClientOptions): TableClientOptions {
  return { ...options, additionalPolicies: [...timeoutOptions(TABLE_TIMEOUT_MS).additionalPolicies, ...(options.additionalPolicies ?? [])] };
}

/** Table names: 3-63 alphanumerics, starting with a letter ("tables" is reserved). */
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

export class StoreSettingsError extends Error {}

export function tableClient(connectionString: string, tableName: string, options: TableClientOptions = {}): TableClient {
  checkTableName(tableName);
  const cs = connectionString.trim();
  if (!cs) throw new StoreSettingsError("empty storage connection string");
  // The SDK itself allows http for UseDevelopmentStorage=true; for any other
  // connection string plain http must be allowed explicitly (Azurite on its own port).
  return TableClient.fromConnectionString(
    cs,
    tableName,
    withTimeout({ ...options, allowInsecureConnection: options.allowInsecureConnection ?? isPlainHttp(cs) }),
  );
}

/**
 * Managed identity (or any Entra credential). `accountUrl` is the table service
 * endpoint, e.g. `https://<account>.table.core.windows.net`; https only.
 */
export function tableClientWithCredential(accountUrl: string, tableName: string, credential: TokenCredential, options: TableClientOptions = {}): TableClient {
  checkTableName(tableName);
  const url = accountUrl.trim().replace(/\/+$/, "");
  if (!/^https:\/\//i.test(url)) throw new StoreSettingsError(`table service URL must be https (bearer tokens are refused over http): ${accountUrl}`);
  return new TableClient(url, tableName, credential, withTimeout(options));
}

/**
 * The app's table from the Functions host storage settings (see the header):
 * `${prefix}` as a connection string, else `${prefix}__tableServiceUri` /
 * `${prefix}__accountName` with the given credential.
 */
export function tableClientFromSettings(
  env: NodeJS.ProcessEnv,
  tableName: string,
  credential?: (clientId: string | undefined) => TokenCredential,
  prefix = "AzureWebJobsStorage",
): TableClient {
  const cs = env[prefix]?.trim();
  if (cs) return tableClient(cs, tableName);
  const uri = env[`${prefix}__tableServiceUri`]?.trim();
  const account = env[`${prefix}__accountName`]?.trim();
  if (!uri && !account) {
    throw new StoreSettingsError(
      `${prefix} is not set: give a connection string (UseDevelopmentStorage=true locally) or ${prefix}__accountName for managed identity`,
    );
  }
  if (!credential) throw new StoreSettingsError(`${prefix}__${uri ? "tableServiceUri" : "accountName"} is set but no credential was supplied`);
  const url = uri || `https://${account}.table.core.windows.net`;
  return tableClientWithCredential(url, tableName, credential(env[`${prefix}__clientId`]?.trim() || undefined));
}

const ensured = new WeakMap<TableClient, Promise<void>>();

/** Creates the client's table if missing; once per client (a failure is retried on the next call). */
export function ensureTable(client: TableClient): Promise<void> {
  let p = ensured.get(client);
  if (!p) {
    p = client.createTable().catch((e: unknown) => {
      if (tableErrorCode(e) === "TableAlreadyExists" || statusOf(e) === 409) return;
      ensured.delete(client);
      throw e;
    });
    ensured.set(client, p);
  }
  return p;
}

/** `tableClient` + `ensureTable`. */
export async function openTable(connectionString: string, tableName: string): Promise<TableClient> {
  const c = tableClient(connectionString, tableName);
  await ensureTable(c);
  return c;
}

export function statusOf(e: unknown): number | undefined {
  const s = (e as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof s === "number" ? s : undefined;
}

/** The service's error code (`ResourceNotFound`, `TableNotFound`, `TableAlreadyExists`, ...). */
export function tableErrorCode(e: unknown): string | undefined {
  const c = (e as { details?: { errorCode?: unknown } } | undefined)?.details?.errorCode;
  return typeof c === "string" ? c : undefined;
}

export function isNotFound(e: unknown): boolean {
  return statusOf(e) === 404;
}

/** Deletes one row; a row that is already gone (404) is not an error. */
export async function deleteIgnoringNotFound(table: TableClient, partitionKey: string, rowKey: string): Promise<void> {
  try {
    await table.deleteEntity(partitionKey, rowKey);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

function isPlainHttp(cs: string): boolean {
  const l = cs.toLowerCase();
  return (
    l.includes("usedevelopmentstorage=true") || /(^|;)\s*defaultendpointsprotocol\s*=\s*http\s*(;|$)/.test(l) || /(^|;)\s*tableendpoint\s*=\s*http:\/\//.test(l)
  );
}

function checkTableName(name: string) {
  if (!TABLE_NAME.test(name) || name.toLowerCase() === "tables") {
    throw new StoreSettingsError(`invalid table name ${JSON.stringify(name)}: 3-63 letters and digits, starting with a letter`);
  }
}

/** A Table transaction holds at most 100 operations of one partition, and 4 MiB; we stay under 2 MiB. */
export const MAX_BATCH_OPS = 100;
export const MAX_BATCH_BYTES = 2 * 1024 * 1024;

/** Groups actions by partition and cuts them into transactions the service accepts, order kept within a partition. */
export function transactionBatches(actions: TransactionAction[]): TransactionAction[][] {
  const byPk = new Map<string, TransactionAction[]>();
  for (const a of actions) {
    let list = byPk.get(a[1].partitionKey);
    if (!list) byPk.set(a[1].partitionKey, (list = []));
    list.push(a);
  }
  const out: TransactionAction[][] = [];
  for (const list of byPk.values()) {
    let cur: TransactionAction[] = [];
    let bytes = 0;
    for (const a of list) {
      // JSON body plus the per-operation MIME headers and URL.
      const size = Buffer.byteLength(JSON.stringify(a[1]), "utf8") + 1024;
      if (cur.length && (cur.length >= MAX_BATCH_OPS || bytes + size > MAX_BATCH_BYTES)) {
        out.push(cur);
        cur = [];
        bytes = 0;
      }
      cur.push(a);
      bytes += size;
    }
    if (cur.length) out.push(cur);
  }
  return out;
}

/** Runs `run` over `items`, at most `n` at a time. */
export async function pool<T>(items: T[], n: number, run: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

/**
 * Deletes rows (any partitions) in transactions, `concurrency` at a time; a row already gone
 * is not an error. One missing row fails its whole transaction, so that batch is redone row by
 * row. Transactions delete unconditionally (the SDK sends If-Match *).
 */
export async function deleteRowsIgnoringNotFound(table: TableClient, rows: { partitionKey: string; rowKey: string }[], concurrency: number): Promise<void> {
  const deletes: TransactionAction[] = rows.map((r) => ["delete", { partitionKey: r.partitionKey, rowKey: r.rowKey }]);
  await pool(transactionBatches(deletes), concurrency, async (b) => {
    try {
      if (b.length > 1) return void (await table.submitTransaction(b));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    for (const [, ent] of b) await deleteIgnoringNotFound(table, ent.partitionKey, ent.rowKey);
  });
}
