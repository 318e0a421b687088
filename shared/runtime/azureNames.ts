// Names of what the app uses in its own storage account in Azure. The Bicep (infra/) creates
// them from infra/generated.json, which is written from here; the triggers and the CLI read them here.
// Imports nothing: the registration bundle (functions/) reads these without loading the core.

/** One table in the app's own storage account holds the ownership index and the marks (by partition). */
export const APP_TABLE = "privatelinkautopilot";
/** The reconcile timer's NCRONTAB schedule (every 15 minutes by default). */
export const SWEEP_SCHEDULE = process.env.AUTOPILOT_SWEEP_SCHEDULE || "0 */15 * * * *";

/** Event Grid delivers resource events here (Event Grid schema, base64); the queue trigger reads it. */
export const EVENTS_QUEUE = "autopilot-events";
/** Where the Functions host moves a message after maxDequeueCount failures (`<queue>-poison`). */
export const EVENTS_POISON_QUEUE = `${EVENTS_QUEUE}-poison`;
/**
 * The app's own continuations (DNS once a slow approval is done) wait here, read by their own
 * queue trigger: on the events queue they queued behind a burst's backlog and held the
 * DNS writes back until it drained (bench/RESULTS.md, burst).
 */
export const CONTINUATIONS_QUEUE = "autopilot-continuations";
export const CONTINUATIONS_POISON_QUEUE = `${CONTINUATIONS_QUEUE}-poison`;
/** Event Grid dead-letters events it could not deliver to the queue here. */
export const DEAD_LETTER_CONTAINER = "autopilot-deadletter";
/** Flex Consumption deployment package container. */
export const PACKAGE_CONTAINER = "app-package";
/** The allow-list in Azure: blob `config/allow-list.yaml`. */
export const CONFIG_CONTAINER = "config";
export const ALLOW_LIST_BLOB = "allow-list.yaml";
