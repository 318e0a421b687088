// CLI commands on the app's own storage account: re-drive the poison queue, publish the
// allow-list. Storage comes from the app's settings (AzureWebJobsStorage as a connection
// string, or AzureWebJobsStorage__queueServiceUri / __blobServiceUri / __accountName
// with DefaultAzureCredential, e.g. after `az login`).
import { parseArgs } from "node:util";
import { DefaultAzureCredential } from "@azure/identity";
import { EVENTS_POISON_QUEUE, EVENTS_QUEUE } from "../shared/runtime/azureNames.js";
import { redrivePoison } from "../shared/store/poisonQueue.js";
import { queueClientFromSettings } from "../shared/store/storageClients.js";
import { UsageError, type CliIo } from "./io.js";

export const STORAGE_USAGE = `privatelink-autopilot redrive-poison [--max <n>] [--dry-run]
      (moves ${EVENTS_POISON_QUEUE} back to ${EVENTS_QUEUE}; storage from AzureWebJobsStorage or AzureWebJobsStorage__queueServiceUri)`;

const credential = (clientId: string | undefined) => new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});

export async function runRedrive(args: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parse(args, { max: { type: "string" }, "dry-run": { type: "boolean" } });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const max = values.max === undefined ? undefined : Number(values.max);
  if (max !== undefined && !(Number.isInteger(max) && max > 0)) throw new UsageError(`--max must be a positive whole number, not '${values.max}'`);
  const poison = queueClientFromSettings(env, EVENTS_POISON_QUEUE, credential);
  const target = queueClientFromSettings(env, EVENTS_QUEUE, credential);
  const r = await redrivePoison(poison, target, { max, dryRun: !!values["dry-run"] });
  if (values["dry-run"]) io.out(`${r.ids.length} message(s) waiting in ${EVENTS_POISON_QUEUE} (first 32 at most); nothing moved`);
  else io.out(`moved ${r.moved} message(s) from ${EVENTS_POISON_QUEUE} to ${EVENTS_QUEUE}`);
  return 0;
}

function parse<T extends Record<string, { type: "string" | "boolean" }>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
