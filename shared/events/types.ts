// Normalised shape of the resource events privatelink-autopilot reacts to.
// Pure types; see parse.ts for how raw Event Grid / CloudEvents payloads map onto them.

export type EventKind = "write" | "delete" | "action";

/** Who caused the operation, as far as the event says. Every field may be missing. */
export interface EventCaller {
  /** Object (principal) id: claims `oid` / `http://schemas.microsoft.com/identity/claims/objectidentifier`, else `authorization.evidence.principalId` (unless that names a Group). */
  objectId?: string;
  /** Application (client) id: claims `appid`, else `azp`. For a managed identity this is its client id. */
  appId?: string;
  /** `authorization.evidence.principalType` (User, ServicePrincipal, ...), unless it is `Group`; else derived from the `idtyp` claim. */
  principalType?: string;
  /** Display name: claims `name`, else the xmlsoap `name` / `upn` claims. */
  name?: string;
}

export interface ResourceEvent {
  /** Event id (dedupe key), as sent. */
  id: string;
  schema: "eventgrid" | "cloudevents";
  /** Event type as sent, e.g. `Microsoft.Resources.ResourceWriteSuccess`. */
  eventType: string;
  kind: EventKind;
  /**
   * `data.resourceUri` (Microsoft.Resources.*) or `data.resourceInfo.id` (Microsoft.ResourceNotifications.*),
   * falling back to `subject`. Trailing slash trimmed, whitespace next to `/` removed, original casing kept.
   * Compare with `idKey`/`sameId` from shared/model/resourceId.ts, never with `===`.
   */
  resourceId: string;
  /** From `parseResourceId(resourceId).type`, e.g. `Microsoft.Network/privateEndpoints`; absent for subscription / resource-group ids. */
  resourceType?: string;
  /** `data.operationName` as sent, e.g. `Microsoft.Network/privateEndpoints/write`; never derived. */
  operationName?: string;
  /** From the resource id, else `data.subscriptionId`. */
  subscriptionId?: string;
  /** `data.tenantId` (never taken from the caller's token: the caller may live in another tenant). */
  tenantId?: string;
  /** From the resource id, else `data.resourceGroup`. */
  resourceGroup?: string;
  /** `eventTime` / `time` (a Date is converted with toISOString; a string is kept as sent). */
  time?: string;
  correlationId?: string;
  /** `data.status`, e.g. `Succeeded`. */
  status?: string;
  /** `httpRequest.method` when present, e.g. `PUT`, `DELETE`, `POST`. */
  httpMethod?: string;
  caller: EventCaller;
  /** Non-fatal oddities found while parsing (broken JSON-string claims, whitespace removed from the id, ...). Absent when there were none. */
  warnings?: string[];
}

export type ParsedEvent =
  | { outcome: "event"; event: ResourceEvent }
  /** A well-formed event of a type we do not act on (failures, health, storage, validation handshake...). Not an error. */
  | { outcome: "ignored"; id?: string; eventType?: string; reason: string }
  /** Malformed input; `error` says exactly what is wrong. */
  | { outcome: "invalid"; id?: string; error: string };

export interface SubscriptionValidation {
  validationCode: string;
  validationUrl?: string;
}

/** The identity privatelink-autopilot runs as, for self-event detection. */
export interface PrincipalIdentity {
  /** Object (principal) id of the managed identity / service principal. */
  objectId?: string;
  /** Client (application) id. */
  clientId?: string;
}
