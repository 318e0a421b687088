// CLI commands on the app's own storage account: re-drive the poison queue, publish the
// allow-list. Storage comes from the app's settings (AzureWebJobsStorage as a connection
// string, or AzureWebJobsStorage__queueServiceUri / __blobServiceUri / __accountName
// with DefaultAzureCredential, e.g. after `az login`).
import { parseArgs } from "node:util";
import { DefaultAzureCredential } from "@azure/identity";
import { CONTINUATIONS_POISON_QUEUE, CONTINUATIONS_QUEUE, EVENTS_POISON_QUEUE, EVENTS_QUEUE } from "../shared/runtime/azureNames.js";
import { redrivePoison } from "../shared/store/poisonQueue.js";
import { blobClientForUrl, queueClientFromSettings } from "../shared/store/storageClients.js";
import { formatProblem, parseConfigText } from "../shared/config/index.js";
import { listAllowListFiles, loadConfigFile } from "../shared/config/sources/files.js";
import { stringify } from "yaml";
import { allowListVersion } from "../shared/config/sources/allowListCache.js";
import { MAX_ALLOW_LIST_BYTES } from "../shared/config/sources/blobSource.js";
import { readFile, stat } from "node:fs/promises";
import { ContainerClient, type BlobClient } from "@azure/storage-blob";
import { UsageError, type CliIo } from "./io.js";

/** The app's queues a poison queue can be re-driven into (`--queue`). */
const QUEUES = { events: EVENTS_QUEUE, continuations: CONTINUATIONS_QUEUE } as const;
const POISON = { events: EVENTS_POISON_QUEUE, continuations: CONTINUATIONS_POISON_QUEUE } as const;

export { STORAGE_USAGE } from "./usage.js";

const credential = (clientId: string | undefined) => new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});

export async function runRedrive(args: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parse(args, { queue: { type: "string" }, max: { type: "string" }, "dry-run": { type: "boolean" } });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const which = values.queue ?? "events";
  if (which !== "events" && which !== "continuations") throw new UsageError(`--queue must be events or continuations, not '${which}'`);
  const [from, to] = [POISON[which], QUEUES[which]];
  const max = values.max === undefined ? undefined : Number(values.max);
  if (max !== undefined && !(Number.isInteger(max) && max > 0)) throw new UsageError(`--max must be a positive whole number, not '${values.max}'`);
  const poison = queueClientFromSettings(env, from, credential);
  const target = queueClientFromSettings(env, to, credential);
  const r = await redrivePoison(poison, target, { max, dryRun: !!values["dry-run"] });
  if (values["dry-run"]) io.out(`${r.ids.length} message(s) waiting in ${from} (first 32 at most); nothing moved`);
  else io.out(`moved ${r.moved} message(s) from ${from} to ${to}`);
  return 0;
}

export async function runPublish(args: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parse(args, { url: { type: "string" } });
  if (positionals.length !== 1) throw new UsageError("expected exactly one <allow-list.yaml | folder>");
  const file = positionals[0]!;
  const url = values.url || env.AUTOPILOT_ALLOW_LIST_URL?.trim();
  if (!url) throw new UsageError("no target: give --url or set AUTOPILOT_ALLOW_LIST_URL");
  let text: string;
  try {
    text = (await stat(file)).isDirectory() ? await mergedFolder(file, io) : await readFile(file, "utf8");
  } catch (e) {
    if (e instanceof FolderInvalid) return 1;
    throw new Error(`cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  if (Buffer.byteLength(text) > MAX_ALLOW_LIST_BYTES)
    throw new Error(`${file} is larger than ${MAX_ALLOW_LIST_BYTES} bytes; the app refuses such an allow-list`);
  // The app validates again on read (and keeps the last good version); refusing here keeps a bad one out of the blob at all.
  const result = parseConfigText(text, file);
  if (!result.ok) {
    for (const p of result.problems) io.out(formatProblem(p));
    io.err(`not published: ${file} is invalid (${result.problems.length} problem(s))`);
    return 1;
  }
  const blob = blobClientForUrl(env, url, credential);
  const upload = () =>
    blob.getBlockBlobClient().upload(text, Buffer.byteLength(text), { blobHTTPHeaders: { blobContentType: "application/yaml; charset=utf-8" } });
  try {
    await upload();
  } catch (e) {
    // infra/ creates the container in Azure; locally (Azurite) it may not exist yet.
    if ((e as { details?: { errorCode?: string } }).details?.errorCode !== "ContainerNotFound") throw e;
    await containerOf(blob).createIfNotExists();
    await upload();
  }
  io.out(`published ${file} to ${blob.url} as version ${allowListVersion(text)}`);
  return 0;
}

class FolderInvalid extends Error {}

/** A folder of allow-list files becomes one blob: the merged allow-list, every default written out. */
async function mergedFolder(dir: string, io: CliIo): Promise<string> {
  const r = await loadConfigFile(dir);
  if (!r.ok) {
    for (const p of r.problems) io.out(formatProblem(p));
    io.err(`not published: ${dir} is invalid (${r.problems.length} problem(s))`);
    throw new FolderInvalid();
  }
  const files = (await listAllowListFiles(dir)).join(", ");
  return `# Merged by privatelink-autopilot publish-allow-list from the folder's files: ${files}.\n# Edit those files and publish the folder again, not this blob.\n${stringify(r.config)}`;
}

/** The blob's container, with the blob's own credential. */
function containerOf(blob: BlobClient): ContainerClient {
  const u = new URL(blob.url);
  const suffix = `/${blob.name.split("/").map(encodeURIComponent).join("/")}`;
  if (u.pathname.endsWith(suffix)) u.pathname = u.pathname.slice(0, -suffix.length);
  return new ContainerClient(u.toString(), blob.credential);
}

function parse<T extends Record<string, { type: "string" | "boolean" }>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
