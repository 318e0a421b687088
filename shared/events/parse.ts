// Parses one raw event (Event Grid schema or CloudEvents 1.0, as the Functions host, a webhook
// body or a replay file delivers it) into a ResourceEvent. Pure: no I/O, never throws.
import type { KnownSystemEventTypes } from "@azure/eventgrid";
import { MAX_RESOURCE_ID_LENGTH, parseResourceId } from "../model/resourceId.js";
import { extractCaller } from "./caller.js";
import { decodeObject, describe, excerpt, getCI, isObject, str, type JsonObject } from "./json.js";
import { errorMessage } from "../util/errorMessage.js";
import type { EventKind, ParsedEvent, ResourceEvent } from "./types.js";

type Family = "resources" | "notifications";

/** The event types we act on. Keys are checked against @azure/eventgrid's list of system event types at compile time. */
const HANDLED = {
  "Microsoft.Resources.ResourceWriteSuccess": { kind: "write", family: "resources" },
  "Microsoft.Resources.ResourceDeleteSuccess": { kind: "delete", family: "resources" },
  "Microsoft.Resources.ResourceActionSuccess": { kind: "action", family: "resources" },
  "Microsoft.ResourceNotifications.Resources.CreatedOrUpdated": { kind: "write", family: "notifications" },
  "Microsoft.ResourceNotifications.Resources.Deleted": { kind: "delete", family: "notifications" },
} as const satisfies Partial<Record<KnownSystemEventTypes, { kind: EventKind; family: Family }>>;

export const HANDLED_EVENT_TYPES: readonly string[] = Object.keys(HANDLED);

const HANDLED_CI = new Map<string, { kind: EventKind; family: Family }>(Object.entries(HANDLED).map(([k, v]) => [k.toLowerCase(), v]));

/** Input caps: real events are a few KB (Event Grid's limit is 1 MB per event); oversize input is refused before any work on it. */
export const MAX_EVENT_CHARS = 1_048_576;
export const MAX_EVENT_ID_LENGTH = 512;

/** An id as quoted back in errors and logs: never the whole of an oversize one. */
function shortId(id: string): string {
  return id.length > 128 ? `${id.slice(0, 128)}… (${id.length} characters)` : id;
}

export const SUBSCRIPTION_VALIDATION_EVENT = "Microsoft.EventGrid.SubscriptionValidationEvent";

interface Envelope {
  schema: "eventgrid" | "cloudevents";
  id: string;
  eventType: string;
  subject?: string;
  time: unknown;
  data: unknown;
  hasData: boolean;
  warnings: string[];
}

/** Parses one event of either schema. Accepts a plain object (or a JSON string of one); never throws. */
export function parseEvent(raw: unknown): ParsedEvent {
  try {
    return parseEventUnsafe(raw);
  } catch (e) {
    // Defensive: nothing below is meant to throw, but a host must never crash on a payload.
    return { outcome: "invalid", id: idOf(raw), error: `unexpected parser failure: ${errorMessage(e)}` };
  }
}

/**
 * Parses a body holding a JSON array of events or one event (replay files, webhook bodies).
 * A string (or Buffer/Uint8Array) is JSON-parsed first. One result per input event, in order; never throws.
 */
export function parseEventBatch(body: unknown): ParsedEvent[] {
  try {
    let value = body;
    if (value instanceof Uint8Array) value = new TextDecoder().decode(value);
    if (typeof value === "string") {
      if (value.trim() === "") return [{ outcome: "invalid", error: "body is an empty string, not a JSON event or array of events" }];
      if (value.length > MAX_EVENT_CHARS)
        return [{ outcome: "invalid", error: `body is ${value.length} characters long; at most ${MAX_EVENT_CHARS} are accepted` }];
      try {
        value = JSON.parse(value);
      } catch (e) {
        return [{ outcome: "invalid", error: `body is not valid JSON (${errorMessage(e)}): ${excerpt(value as string)}` }];
      }
    }
    if (Array.isArray(value)) return value.map((item, i) => withIndex(parseEvent(item), i));
    if (isObject(value)) return [parseEvent(value)];
    return [{ outcome: "invalid", error: `body is ${describe(value)}, not an event object or an array of events` }];
  } catch (e) {
    return [{ outcome: "invalid", error: `unexpected parser failure: ${errorMessage(e)}` }];
  }
}

function withIndex(p: ParsedEvent, i: number): ParsedEvent {
  return p.outcome === "invalid" ? { ...p, error: `event [${i}]: ${p.error}` } : p;
}

function parseEventUnsafe(raw: unknown): ParsedEvent {
  let value = raw;
  if (typeof value === "string") {
    if (value.length > MAX_EVENT_CHARS)
      return { outcome: "invalid", error: `event is ${value.length} characters long; at most ${MAX_EVENT_CHARS} are accepted` };
    try {
      value = JSON.parse(value);
    } catch (e) {
      return { outcome: "invalid", error: `event is a string that is not valid JSON (${errorMessage(e)}): ${excerpt(value as string)}` };
    }
  }
  if (Array.isArray(value)) {
    return { outcome: "invalid", error: "expected one event object, got an array (use parseEventBatch for batches)" };
  }
  if (!isObject(value)) return { outcome: "invalid", error: `event is ${describe(value)}, not an object` };

  const env = readEnvelope(value);
  if ("error" in env) return { outcome: "invalid", id: idOf(value), error: env.error };
  if (env.id.length > MAX_EVENT_ID_LENGTH) {
    return { outcome: "invalid", id: shortId(env.id), error: `event id is ${env.id.length} characters long; at most ${MAX_EVENT_ID_LENGTH} are accepted` };
  }

  const handled = HANDLED_CI.get(env.eventType.toLowerCase());
  if (!handled) return { outcome: "ignored", id: env.id, eventType: env.eventType, reason: ignoreReason(env.eventType) };

  if (!env.hasData) return { outcome: "invalid", id: env.id, error: "missing field data" };
  const dataDecoded = decodeObject(env.data, "data");
  if (!dataDecoded.ok) return { outcome: "invalid", id: env.id, error: dataDecoded.error };
  const data = dataDecoded.value;
  if (!data) return { outcome: "invalid", id: env.id, error: `field data is ${describe(env.data)}, not an object` };

  const warnings = env.warnings;
  const idResult = pickResourceId(handled.family, data, env.subject);
  if ("error" in idResult) return { outcome: "invalid", id: env.id, error: idResult.error };

  if (idResult.value.length > MAX_RESOURCE_ID_LENGTH) {
    return {
      outcome: "invalid",
      id: env.id,
      error: `resource id (from ${idResult.from}) is ${idResult.value.length} characters long; real ARM ids have at most ${MAX_RESOURCE_ID_LENGTH}`,
    };
  }
  // Whitespace next to a slash cannot belong to an ARM name (names never start or end with a space),
  // but it does appear in published samples ("/subscriptions/{id} /resourceGroups/..."): remove it.
  const cleaned = idResult.value.trim().replace(/\s*\/\s*/g, "/");
  if (cleaned !== idResult.value) warnings.push(`removed whitespace from resource id ${JSON.stringify(idResult.value)}`);

  let parsed;
  try {
    parsed = parseResourceId(cleaned);
  } catch (e) {
    return { outcome: "invalid", id: env.id, error: `unparsable resource id ${JSON.stringify(cleaned)} (from ${idResult.from}): ${errorMessage(e)}` };
  }

  const event: ResourceEvent = {
    id: env.id,
    schema: env.schema,
    eventType: env.eventType,
    kind: handled.kind,
    resourceId: parsed.id,
    caller: {},
  };
  if (parsed.type) event.resourceType = parsed.type;

  const operationName = str(data["operationName"]);
  if (operationName) event.operationName = operationName;

  event.subscriptionId = parsed.subscriptionId;
  const dataSub = str(data["subscriptionId"]);
  if (dataSub && dataSub.toLowerCase() !== parsed.subscriptionId.toLowerCase()) {
    warnings.push(
      `data.subscriptionId ${JSON.stringify(dataSub)} differs from the resource id's ${JSON.stringify(parsed.subscriptionId)}; using the resource id's`,
    );
  }
  const dataRg = str(data["resourceGroup"]);
  if (parsed.resourceGroup) {
    event.resourceGroup = parsed.resourceGroup;
    if (dataRg && dataRg.toLowerCase() !== parsed.resourceGroup.toLowerCase()) {
      warnings.push(
        `data.resourceGroup ${JSON.stringify(dataRg)} differs from the resource id's ${JSON.stringify(parsed.resourceGroup)}; using the resource id's`,
      );
    }
  } else if (dataRg) {
    event.resourceGroup = dataRg;
  }

  const tenantId = str(data["tenantId"]);
  if (tenantId) event.tenantId = tenantId;

  const operationalInfo = handled.family === "notifications" ? decodeObject(data["operationalInfo"], "data.operationalInfo") : undefined;
  const time =
    normaliseTime(env.time, env.schema === "eventgrid" ? "eventTime" : "time", warnings) ??
    (operationalInfo?.ok ? normaliseTime(operationalInfo.value?.["resourceEventTime"], "data.operationalInfo.resourceEventTime", warnings) : undefined);
  if (time) event.time = time;

  const correlationId = str(data["correlationId"]);
  if (correlationId) event.correlationId = correlationId;
  const status = str(data["status"]);
  if (status) event.status = status;

  const httpRequest = decodeObject(data["httpRequest"], "data.httpRequest");
  if (!httpRequest.ok) warnings.push(`${httpRequest.error}; ignored`);
  else {
    const method = str(getCI(httpRequest.value, "method"));
    if (method) event.httpMethod = method;
  }

  event.caller = extractCaller(data, warnings);
  if (warnings.length > 0) event.warnings = warnings;
  return { outcome: "event", event };
}

/** Detects the schema and reads the envelope fields, or says what is missing. */
function readEnvelope(o: JsonObject): Envelope | { error: string } {
  const warnings: string[] = [];
  const specversion = getCI(o, "specversion");
  let schema: Envelope["schema"];
  if (specversion !== undefined) schema = "cloudevents";
  else if ("eventType" in o || "dataVersion" in o || "eventTime" in o || "metadataVersion" in o || "topic" in o) schema = "eventgrid";
  else if ("type" in o && "source" in o) {
    schema = "cloudevents";
    warnings.push("CloudEvents event without specversion; assumed 1.0");
  } else if ("subject" in o && "data" in o) schema = "eventgrid";
  else {
    const keys = Object.keys(o).slice(0, 12).join(", ");
    return {
      error: `not an Event Grid event (eventType, subject, data, dataVersion) nor a CloudEvents event (specversion, type, source); keys: [${keys}]`,
    };
  }

  const rawId = o["id"];
  if (rawId === undefined || rawId === null) return { error: "missing field id" };
  if (typeof rawId !== "string" || rawId.trim() === "")
    return { error: `field id is ${describe(rawId)}${rawId === "" ? " (empty)" : ""}, expected a non-empty string` };

  const typeField = schema === "eventgrid" ? "eventType" : "type";
  const rawType = o[typeField];
  if (rawType === undefined || rawType === null) return { error: `missing field ${typeField}` };
  if (typeof rawType !== "string" || rawType.trim() === "") return { error: `field ${typeField} is ${describe(rawType)}, expected a non-empty string` };

  if (schema === "cloudevents") {
    if (specversion !== undefined && specversion !== "1.0") warnings.push(`CloudEvents specversion ${JSON.stringify(specversion)} is not 1.0`);
    if (str(o["source"]) === undefined) warnings.push("CloudEvents event without source");
  }

  const rawSubject = o["subject"];
  return {
    schema,
    id: rawId,
    eventType: rawType,
    subject: typeof rawSubject === "string" ? rawSubject : undefined,
    time: schema === "eventgrid" ? o["eventTime"] : o["time"],
    data: o["data"],
    hasData: "data" in o && o["data"] !== undefined,
    warnings,
  };
}

function pickResourceId(family: Family, data: JsonObject, subject: string | undefined): { value: string; from: string } | { error: string } {
  let primary: unknown;
  let primaryName: string;
  if (family === "resources") {
    primary = data["resourceUri"];
    primaryName = "data.resourceUri";
  } else {
    // The wire name is `resourceInfo` (published samples); @azure/eventgrid's typings call it `resourceDetails`.
    const field = data["resourceInfo"] === undefined && data["resourceDetails"] !== undefined ? "resourceDetails" : "resourceInfo";
    const info = decodeObject(data[field], `data.${field}`);
    if (!info.ok) return { error: info.error };
    primary = info.value?.["id"];
    primaryName = `data.${field}.id`;
  }
  if (primary !== undefined && primary !== null && typeof primary !== "string") {
    return { error: `field ${primaryName} is ${describe(primary)}, expected a string` };
  }
  if (typeof primary === "string" && primary.trim() !== "") return { value: primary, from: primaryName };
  if (subject !== undefined && subject.trim() !== "") return { value: subject, from: "subject" };
  return { error: `missing ${primaryName} and subject: no resource id` };
}

function normaliseTime(v: unknown, field: string, warnings: string[]): string | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) {
      warnings.push(`${field} is an invalid Date; ignored`);
      return undefined;
    }
    return v.toISOString();
  }
  if (typeof v === "string") {
    if (Number.isNaN(Date.parse(v))) {
      warnings.push(`${field} ${JSON.stringify(v)} is not a date; ignored`);
      return undefined;
    }
    return v;
  }
  warnings.push(`${field} is ${describe(v)}, not a date string; ignored`);
  return undefined;
}

function ignoreReason(eventType: string): string {
  const t = eventType.toLowerCase();
  if (t === SUBSCRIPTION_VALIDATION_EVENT.toLowerCase()) {
    return "subscription validation handshake, not a resource event (answer it with subscriptionValidation())";
  }
  const m = /^microsoft\.resources\.resource(write|delete|action)(failure|cancel)$/i.exec(eventType);
  if (m) return `operation ${m[2]!.toLowerCase() === "failure" ? "failed" : "was cancelled"} (${eventType}): nothing changed`;
  if (t.startsWith("microsoft.resourcenotifications.")) {
    return `resource notification ${eventType} is not a resource change (only Resources.CreatedOrUpdated and Resources.Deleted are handled)`;
  }
  return `unrelated event type ${eventType}`;
}

function idOf(v: unknown): string | undefined {
  if (!isObject(v)) return undefined;
  const id = v["id"];
  return typeof id === "string" && id !== "" ? shortId(id) : undefined;
}
