// Event Grid resource events (Event Grid schema or CloudEvents 1.0) from the
// watched subscriptions: ResourceWriteSuccess, ResourceDeleteSuccess, ResourceActionSuccess.
import { app, type InvocationContext } from "@azure/functions";
import { onResourceEvent } from "../shared/runtime/host.js";

app.eventGrid("resourceEvents", {
  handler: async (event: unknown, context: InvocationContext): Promise<void> => {
    await onResourceEvent(event, {
      debug: (m) => context.debug(m),
      info: (m) => context.info(m),
      warn: (m) => context.warn(m),
      error: (m) => context.error(m),
    });
  },
});
