import type { InvocationContext } from "@azure/functions";
import type { Logger } from "../shared/model/decision.js";

/** The core's Logger on top of the invocation's log (Application Insights in Azure). */
export function contextLogger(context: InvocationContext): Logger {
  return {
    debug: (m) => context.debug(m),
    info: (m) => context.info(m),
    warn: (m) => context.warn(m),
    error: (m) => context.error(m),
  };
}
