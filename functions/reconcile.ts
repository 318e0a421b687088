// The reconcile sweep on a timer (AUTOPILOT_SWEEP_SCHEDULE, default every 15 minutes):
// catches what events missed, e.g. requests from tenants that send us no events.
import { app, type InvocationContext, type Timer } from "@azure/functions";
import { SWEEP_SCHEDULE } from "../shared/runtime/azureNames.js";
import { core } from "./core.js";
import { contextLogger } from "./logger.js";
import { traced } from "./telemetry.js";

export async function reconcile(_timer: Timer, context: InvocationContext): Promise<void> {
  await (await core()).onSweepTimer(contextLogger(context));
}

app.timer("reconcile", { schedule: SWEEP_SCHEDULE, handler: traced("timer", reconcile) });
