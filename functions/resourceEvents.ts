// Event Grid resource events (Event Grid schema or CloudEvents 1.0) from the
// watched subscriptions: ResourceWriteSuccess, ResourceDeleteSuccess, ResourceActionSuccess.
// The webhook delivery option; queue delivery (queueEvents.ts) is the default.
import { app, type InvocationContext } from "@azure/functions";
import { core } from "./core.js";
import { contextLogger } from "./logger.js";
import { traced } from "./telemetry.js";

export async function resourceEvents(event: unknown, context: InvocationContext): Promise<void> {
  await (await core()).onResourceEvent(event, contextLogger(context));
}

app.eventGrid("resourceEvents", { handler: traced("eventgrid", resourceEvents) });
