// The app's own continuations: DNS for an endpoint once its provider has finished a slow
// approval (Key Vault about 47 s), a delayed message the app wrote itself. Their own queue
// and trigger, so they do not wait behind a burst of events on the events queue; the same
// pipeline handles them (shared/runtime: handleQueueMessage recognises a continuation).
// host.json's queue rules apply: a throw redelivers it, maxDequeueCount tries then
// `<queue>-poison` (`privatelink-autopilot redrive-poison --queue continuations`).
import { app, type InvocationContext } from "@azure/functions";
import { CONTINUATIONS_QUEUE } from "../shared/runtime/azureNames.js";
import { core } from "./core.js";
import { contextLogger } from "./logger.js";
import { traced } from "./telemetry.js";

export async function continuationsQueue(message: unknown, context: InvocationContext): Promise<void> {
  await (await core()).onQueueMessage(message, contextLogger(context));
}

app.storageQueue("continuationsQueue", {
  queueName: CONTINUATIONS_QUEUE,
  connection: "AzureWebJobsStorage",
  handler: traced("queue", continuationsQueue),
});
