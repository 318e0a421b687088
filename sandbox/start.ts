// `npm start`: the app for real on the embedded sandbox (ARM emulator + a local
// Event Grid webhook), playing a short scenario, then serving until Ctrl-C.
// With AZURE_SUBSCRIPTION_ID set (and no --sandbox), the same webhook runs the
// core against real Azure through DefaultAzureCredential instead.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { AzureKeyCredential, EventGridPublisherClient } from "@azure/eventgrid";
import type { Decision, Logger } from "../shared/model/decision.js";
import type { Estate } from "./estate.js";
import { onQueueMessage, onResourceEvent } from "../shared/runtime/host.js";
import { Runtime } from "../shared/runtime/runtime.js";
import { readSettings, SettingsError } from "../shared/runtime/settings.js";
import { StoreSettingsError } from "../shared/store/tables.js";
import { startLocalArm, type LocalArm } from "./localArm.js";
import { DEVSTORE_ACCOUNT, startAzurite, type AzuriteAccount, type AzuriteTables } from "./azurite.js";
import { APP_TABLE } from "../shared/runtime/settings.js";
import { tableClient } from "../shared/store/tables.js";
import { startWebhook, type Webhook } from "./webhook.js";
import { DEMO, describeDecision, playDemo } from "./demo/scenario.js";
import { QueueServiceClient, type QueueClient } from "@azure/storage-queue";
import { EVENTS_POISON_QUEUE, EVENTS_QUEUE } from "../shared/runtime/azureNames.js";
import { eventGridEvent } from "./eventFactory.js";
import { startQueueListener, type QueueListener } from "./queueListener.js";
import { formatTable } from "../cli/audit.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const say = (line: string) => console.log(`[sandbox] ${line}`);

export interface Sandbox {
  local?: LocalArm;
  /** Azurite's tables and queue (sandbox only): one this sandbox started, or the account it was given. */
  azurite?: AzuriteAccount;
  webhook: Webhook;
  /** The events queue in Azurite (sandbox only) and the stand-in for the host's queue trigger reading it. */
  queue?: { client: QueueClient; listener: QueueListener };
  key: string;
  decisions: Decision[];
  runtime: Runtime;
  log: Logger;
  close(): Promise<void>;
}

export async function startSandbox(
  opts: {
    live?: boolean;
    port?: number;
    quiet?: boolean;
    allowListPath?: string;
    /** An Azurite account (tables and queue) to use instead of starting an Azurite: tests share one. */
    azurite?: AzuriteAccount;
  } = {},
): Promise<Sandbox> {
  const note = opts.quiet ? () => {} : say;
  const key = process.env.AUTOPILOT_WEBHOOK_KEY || randomBytes(24).toString("base64url");
  // The scenario narrates decisions itself; the core's own lines show with AUTOPILOT_LOG_LEVEL=debug.
  const verbose = process.env.AUTOPILOT_LOG_LEVEL === "debug";
  const log: Logger = {
    debug: (m) => verbose && note(`  debug: ${m}`),
    info: (m) => verbose && note(`  core: ${m}`),
    warn: (m) => note(`  warning: ${m}`),
    error: (m) => note(`  error: ${m}`),
  };
  let local: LocalArm | undefined;
  let azurite: AzuriteAccount | undefined;
  let started: AzuriteTables | undefined;
  let runtime: Runtime;
  if (opts.live) {
    runtime = new Runtime(readSettings());
    note(`live mode: ARM at ${runtime.settings.arm.endpoint}, allow-list ${runtime.allowList.source.location}`);
  } else {
    const estate = JSON.parse(await readFile(here("./demo/estate.json"), "utf8")) as Estate;
    [local, started] = await Promise.all([startLocalArm(estate), opts.azurite ? undefined : startAzurite({ services: ["queue"] })]);
    azurite = opts.azurite ?? started!.account(DEVSTORE_ACCOUNT);
    const allowListPath = opts.allowListPath ?? process.env.AUTOPILOT_ALLOW_LIST_PATH ?? here("./demo/allow-list.yaml");
    runtime = new Runtime({ allowListPath, dryRun: false, identity: {}, arm: local.arm.settings, table: tableClient(azurite.connectionString, APP_TABLE) });
    note(
      `ARM emulator on ${local.emulator.url} (look: ${local.emulator.url}/_emulator/estate), Azurite tables on ${azurite.tableEndpoint} and queue ${EVENTS_QUEUE} on ${azurite.queueEndpoint}, allow-list ${allowListPath}`,
    );
  }
  const decisions: Decision[] = [];
  const onEvent = async (ev: unknown) => {
    decisions.push(...(await onResourceEvent(ev, log, runtime)));
  };
  const port = opts.port ?? Number(process.env.AUTOPILOT_WEBHOOK_PORT ?? 7071);
  let webhook: Webhook;
  try {
    webhook = await startWebhook({ port, key, onEvent, note });
  } catch {
    webhook = await startWebhook({ port: 0, key, onEvent, note }); // port taken: any free one
  }
  let queue: Sandbox["queue"];
  if (azurite?.queueEndpoint) {
    // Queue delivery, as in Azure: the queue trigger's body (functions/queueEvents.ts) on each message.
    const svc = QueueServiceClient.fromConnectionString(azurite.connectionString);
    const client = svc.getQueueClient(EVENTS_QUEUE);
    const listener = await startQueueListener({
      queue: client,
      poison: svc.getQueueClient(EVENTS_POISON_QUEUE),
      handle: async (text) => void decisions.push(...(await onQueueMessage(text, log, runtime))),
      pollMs: 1000,
      note,
    });
    queue = { client, listener };
  }
  return {
    local,
    azurite,
    queue,
    webhook,
    key,
    decisions,
    runtime,
    log,
    close: async () => {
      await queue?.listener.close();
      await webhook.close();
      await local?.close();
      await started?.close();
    },
  };
}

/** Step 7: the same event through the Storage queue, as Event Grid writes it (base64 JSON, Event Grid schema). */
async function showQueueDelivery(sandbox: Sandbox, queue: NonNullable<Sandbox["queue"]>) {
  say(
    `7. Queue delivery (the default in Azure): Event Grid writes each event base64-encoded into the '${EVENTS_QUEUE}' queue; the queue trigger hands it to the same handler.`,
  );
  const s = DEMO.stranger;
  const id = `/subscriptions/${s.subscriptionId}/resourceGroups/${s.resourceGroup}/providers/Microsoft.Network/privateEndpoints/${s.endpoint}`;
  const before = sandbox.decisions.length;
  await queue.client.sendMessage(
    Buffer.from(JSON.stringify(eventGridEvent({ resourceId: id, operationName: "Microsoft.Network/privateEndpoints/write" }))).toString("base64"),
  );
  for (let i = 0; i < 40 && sandbox.decisions.length === before; i++) {
    await queue.listener.drain();
    if (sandbox.decisions.length === before) await new Promise((r) => setTimeout(r, 250));
  }
  const got = sandbox.decisions.slice(before);
  say(got.length ? `   the queue trigger took the stranger's endpoint event from ${EVENTS_QUEUE}:` : "   (no message arrived through the queue)");
  for (const d of got) say(`   -> ${describeDecision(d)}`);
}

async function main() {
  const live = !!process.env.AZURE_SUBSCRIPTION_ID && !process.argv.includes("--sandbox");
  const sandbox = await startSandbox({ live });
  say(`Event Grid webhook on ${sandbox.webhook.url} (key: ${sandbox.key})`);
  if (sandbox.local) {
    const publisher = new EventGridPublisherClient(sandbox.webhook.url, "EventGrid", new AzureKeyCredential(sandbox.key), { allowInsecureConnection: true });
    await playDemo({ arm: sandbox.local.arm, publisher, decisions: sandbox.decisions, say, sweep: () => sandbox.runtime.sweep(sandbox.log) });
    say("6. Every decision, taken or refused, is in the audit trail (a Table in Azurite here; the app's storage account in Azure):");
    for (const row of formatTable(await sandbox.runtime.audit.query({ limit: 50 }))) say(`   ${row}`);
    say(`   Query it yourself: npx privatelink-autopilot audit --since 1h --connection-string "${sandbox.azurite!.connectionString}"`);
    if (sandbox.queue) await showQueueDelivery(sandbox, sandbox.queue);
  }
  say(`running. Post your own events to ${sandbox.webhook.url} with header aeg-sas-key: ${sandbox.key} (see README). Ctrl-C stops.`);
  const stop = async () => {
    say("stopping");
    await sandbox.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    // A settings problem is the user's to fix: say what, without a stack trace.
    const expected = e instanceof SettingsError || e instanceof StoreSettingsError;
    console.error(`[sandbox] failed: ${expected ? e.message : e instanceof Error ? e.stack : e}`);
    process.exit(1);
  });
}
