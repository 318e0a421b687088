// Event Grid resource events (Event Grid schema or CloudEvents 1.0) from the
// watched subscriptions: ResourceWriteSuccess, ResourceDeleteSuccess, ResourceActionSuccess.
import { app, type InvocationContext } from "@azure/functions";
import { onResourceEvent } from "../shared/runtime/host.js";
import { contextLogger } from "./logger.js";

app.eventGrid("resourceEvents", {
  handler: async (event: unknown, context: InvocationContext): Promise<void> => {
    await onResourceEvent(event, contextLogger(context));
  },
});
