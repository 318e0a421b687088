// The same resource events delivered through the app's Storage queue (the default in
// infra/: works for a Function App reachable only privately, no function key needed).
// Event Grid writes each event as a base64 message in Event Grid schema. A throw
// leaves the message for redelivery after host.json's visibilityTimeout; after
// maxDequeueCount tries the host moves it to `<queue>-poison`
// (`privatelink-autopilot redrive-poison` puts it back).
import { app, type InvocationContext } from "@azure/functions";
import { EVENTS_QUEUE } from "../shared/runtime/azureNames.js";
import { core } from "./core.js";
import { contextLogger } from "./logger.js";
import { traced } from "./telemetry.js";

export async function resourceEventsQueue(message: unknown, context: InvocationContext): Promise<void> {
  await (await core()).onQueueMessage(message, contextLogger(context));
}

app.storageQueue("resourceEventsQueue", {
  queueName: EVENTS_QUEUE,
  connection: "AzureWebJobsStorage",
  handler: traced("queue", resourceEventsQueue),
});
