// Queue delivery against Azurite: Event Grid's base64 message in the events queue, the
// queue trigger's handler (with host.json's retry rules played by the sandbox's queue
// listener), the poison queue after maxDequeueCount failures, and
// `privatelink-autopilot redrive-poison` putting the message back.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueueServiceClient, type QueueClient } from "@azure/storage-queue";
import { runCli } from "../../cli/main.js";
import { CONTINUATIONS_POISON_QUEUE, CONTINUATIONS_QUEUE, EVENTS_POISON_QUEUE, EVENTS_QUEUE } from "../../shared/runtime/azureNames.js";
import { sharedAzurite, type SharedAzurite } from "../helpers/sharedAzurite.js";
import { eventGridEvent } from "../../sandbox/eventFactory.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { hostQueueRules, startQueueListener } from "../../sandbox/queueListener.js";
import { Runtime } from "../../shared/runtime/runtime.js";
import { onResourceEvent } from "../../shared/runtime/host.js";
import { eventFromQueueMessage } from "../../shared/events/queueMessage.js";
import type { Decision } from "../../shared/model/decision.js";
import { newContinuation, parseContinuation } from "../../shared/autopilot/continuations.js";
import { QueueContinuations } from "../../shared/store/continuationQueue.js";

const STRANGER = "/subscriptions/99999999-9999-9999-9999-999999999999/resourceGroups/rg-stranger/providers/Microsoft.Network/privateEndpoints/pe-stranger-kv";
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let azurite: SharedAzurite;
let local: LocalArm;
let queue: QueueClient;
let poison: QueueClient;
let runtime: Runtime;

beforeAll(async () => {
  [azurite, local] = await Promise.all([
    sharedAzurite(),
    startLocalArm(JSON.parse(readFileSync(new URL("../../examples/estate.json", import.meta.url), "utf8")), { throttle: false }),
  ]);
  const svc = QueueServiceClient.fromConnectionString(azurite.connectionString);
  queue = svc.getQueueClient(EVENTS_QUEUE);
  poison = svc.getQueueClient(EVENTS_POISON_QUEUE);
  runtime = new Runtime({
    allowListPath: new URL("../../sandbox/demo/allow-list.yaml", import.meta.url).pathname,
    dryRun: false,
    identity: {},
    arm: local.arm.settings,
  });
}, 60_000);
afterAll(async () => {
  await local?.close();
});

/** What Event Grid's Storage-queue destination writes: one Event Grid schema event, JSON, base64. */
const asEventGridWritesIt = (ev: unknown) => Buffer.from(JSON.stringify(ev)).toString("base64");

/** The CLI as an admin runs it against the app's storage (AzureWebJobsStorage set to this Azurite); its lines go to `out`. */
async function cliOnStorage(args: string[], out: string[]): Promise<number> {
  const env = { ...process.env };
  process.env.AzureWebJobsStorage = azurite.connectionString;
  try {
    return await runCli(args, { out: (l) => out.push(l), err: (l) => out.push(l) });
  } finally {
    process.env = env;
  }
}

describe("events queue", () => {
  it("host.json maps retry-later onto the visibility timeout and dequeue count", () => {
    const host = JSON.parse(readFileSync(new URL("../../host.json", import.meta.url), "utf8"));
    expect(host.extensions.queues.messageEncoding).toBe("base64");
    const rules = hostQueueRules();
    expect(rules.maxDequeueCount).toBeGreaterThanOrEqual(3);
    expect(rules.visibilityTimeoutSeconds).toBeGreaterThan(0);
  });

  it("decodes the message as the trigger gets it: parsed JSON, JSON text, base64 text, bytes", () => {
    const ev = { id: "x", eventType: "Microsoft.Resources.ResourceWriteSuccess" };
    const text = JSON.stringify(ev);
    expect(eventFromQueueMessage(ev)).toEqual(ev);
    expect(eventFromQueueMessage(text)).toEqual(ev);
    expect(eventFromQueueMessage(Buffer.from(text).toString("base64"))).toEqual(ev);
    expect(eventFromQueueMessage(Buffer.from(text))).toEqual(ev);
    expect(eventFromQueueMessage("not json")).toBe("not json"); // the parser reports it as malformed
  });

  it("a continuation goes on the events queue invisible for its delay, and comes back to the trigger as the app's own continuation", async () => {
    await queue.createIfNotExists();
    await queue.clearMessages();
    const c = newContinuation(
      "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/privateEndpointConnections/c1",
      1,
    );
    await new QueueContinuations(queue).later(c, 0);
    await new QueueContinuations(queue).later(newContinuation(c.connectionId, 2), 60_000);
    const got = await queue.receiveMessages({ numberOfMessages: 10 });
    expect(got.receivedMessageItems).toHaveLength(1); // the delayed one stays invisible
    const text = Buffer.from(got.receivedMessageItems[0]!.messageText, "base64").toString("utf8"); // as the host decodes it
    expect(parseContinuation(eventFromQueueMessage(text))).toEqual(c);
    await queue.clearMessages();
  });

  it("a failing message goes to the poison queue after maxDequeueCount tries; redrive-poison puts it back and it is then handled", async () => {
    const decisions: Decision[] = [];
    const listener = await startQueueListener({
      queue,
      poison,
      rules: { maxDequeueCount: 2, visibilityTimeoutSeconds: 0 },
      handle: async (text) => void decisions.push(...(await onResourceEvent(eventFromQueueMessage(text), quiet, runtime))),
    });
    // ARM refuses the endpoint read twice (400 is not retried by the SDK): both tries fail.
    local.emulator.injectFault({ method: "GET", pathIncludes: "pe-stranger-kv", status: 400, code: "BadRequest", count: 2 });
    const message = asEventGridWritesIt(eventGridEvent({ resourceId: STRANGER, operationName: "Microsoft.Network/privateEndpoints/write" }));
    await queue.sendMessage(message);
    expect(await listener.drain()).toBe(1); // try 1 fails: visible again
    expect(await listener.drain()).toBe(1); // try 2 fails: poison
    expect((await queue.peekMessages()).peekedMessageItems).toHaveLength(0);
    const poisoned = (await poison.peekMessages({ numberOfMessages: 32 })).peekedMessageItems;
    expect(poisoned.map((m) => m.messageText)).toEqual([message]);
    expect(decisions).toEqual([]);

    const out: string[] = [];
    expect(await cliOnStorage(["redrive-poison", "--dry-run"], out)).toBe(0);
    expect(out.pop()).toMatch(/^1 message\(s\) waiting in autopilot-events-poison/);
    expect(await cliOnStorage(["redrive-poison"], out)).toBe(0);
    expect(out.pop()).toBe(`moved 1 message(s) from ${EVENTS_POISON_QUEUE} to ${EVENTS_QUEUE}`);
    expect((await poison.peekMessages()).peekedMessageItems).toHaveLength(0);
    expect((await queue.peekMessages()).peekedMessageItems.map((m) => m.messageText)).toEqual([message]); // unchanged, still base64
    expect(await listener.drain()).toBe(1);
    expect(decisions.map((d) => d.action)).toContain("leave-pending"); // the stranger is not on the allow-list
    expect((await queue.peekMessages()).peekedMessageItems).toHaveLength(0);
    await listener.close();
  }, 60_000);

  it("redrive-poison --max moves only that many", async () => {
    for (const n of [1, 2, 3]) await poison.sendMessage(`m${n}`);
    const out: string[] = [];
    expect(await cliOnStorage(["redrive-poison", "--max", "2"], out)).toBe(0);
    expect(await cliOnStorage(["redrive-poison", "--max", "0"], out)).toBe(2);
    expect(out[0]).toBe(`moved 2 message(s) from ${EVENTS_POISON_QUEUE} to ${EVENTS_QUEUE}`);
    expect((await poison.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.map((m) => m.messageText)).toEqual(["m3"]);
    const moved = (await queue.receiveMessages({ numberOfMessages: 32 })).receivedMessageItems;
    expect(moved.map((m) => m.messageText).sort()).toEqual(["m1", "m2"]);
    for (const m of moved) await queue.deleteMessage(m.messageId, m.popReceipt);
  });

  it("redrive-poison --queue continuations moves the continuations' poison queue back to the continuations queue, not to the events queue", async () => {
    const svc = QueueServiceClient.fromConnectionString(azurite.connectionString);
    const conts = svc.getQueueClient(CONTINUATIONS_QUEUE);
    const contsPoison = svc.getQueueClient(CONTINUATIONS_POISON_QUEUE);
    await Promise.all([conts.createIfNotExists(), contsPoison.createIfNotExists()]);
    await contsPoison.sendMessage("c1");
    const out: string[] = [];
    expect(await cliOnStorage(["redrive-poison", "--queue", "continuations"], out)).toBe(0);
    expect(await cliOnStorage(["redrive-poison", "--queue", "other"], out)).toBe(2);
    expect(out[0]).toBe(`moved 1 message(s) from ${CONTINUATIONS_POISON_QUEUE} to ${CONTINUATIONS_QUEUE}`);
    expect(out[1]).toMatch(/--queue must be events or continuations/);
    expect((await conts.peekMessages()).peekedMessageItems.map((m) => m.messageText)).toEqual(["c1"]);
    expect((await queue.peekMessages()).peekedMessageItems).toEqual([]);
  });
});
