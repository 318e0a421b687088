// Parsing and normalising incoming Event Grid resource events. Pure code, no I/O. See README.md.
export type { EventCaller, EventKind, ParsedEvent, PrincipalIdentity, ResourceEvent, SubscriptionValidation } from "./types.js";
export { HANDLED_EVENT_TYPES, SUBSCRIPTION_VALIDATION_EVENT, parseEvent, parseEventBatch } from "./parse.js";
export { subscriptionValidation } from "./validation.js";
export { isFromPrincipal } from "./caller.js";
export { HANDLED_OPERATION_PREFIXES, PRIVATE_ENDPOINT_TYPE, isHandledOperation } from "./operations.js";
