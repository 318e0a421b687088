// Who caused an operation, from `data.claims` and `data.authorization.evidence`,
// and self-event detection.
import { decodeObject, getCI, str, type JsonObject } from "./json.js";
import type { EventCaller, PrincipalIdentity, ResourceEvent } from "./types.js";

const OID_URI = "http://schemas.microsoft.com/identity/claims/objectidentifier";
const NAME_URI = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name";
const UPN_URI = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn";

/**
 * Extracts the caller. `claims` and `authorization` (and `authorization.evidence`) may be
 * objects or JSON strings; a broken one only adds a warning and contributes nothing.
 *
 * `evidence.principalId` is the principal of the role assignment that granted access. When that is a
 * Group it is not the caller, so it is used (and its principalType reported) only for non-Group principals.
 */
export function extractCaller(data: JsonObject, warnings: string[]): EventCaller {
  const claims = decodeOrWarn(data["claims"], "data.claims", warnings);
  const authorization = decodeOrWarn(data["authorization"], "data.authorization", warnings);
  const evidence = authorization ? decodeOrWarn(authorization["evidence"], "data.authorization.evidence", warnings) : undefined;

  const caller: EventCaller = {};
  const evidenceType = str(getCI(evidence, "principalType"));
  const evidenceIsGroup = evidenceType?.toLowerCase() === "group";

  const objectId = str(getCI(claims, "oid")) ?? str(getCI(claims, OID_URI)) ?? (evidenceIsGroup ? undefined : str(getCI(evidence, "principalId")));
  if (objectId) caller.objectId = objectId;

  const appId = str(getCI(claims, "appid")) ?? str(getCI(claims, "azp"));
  if (appId) caller.appId = appId;

  let principalType = evidenceIsGroup ? undefined : evidenceType;
  if (!principalType) {
    const idtyp = str(getCI(claims, "idtyp"))?.toLowerCase();
    if (idtyp === "app") principalType = "ServicePrincipal";
    else if (idtyp === "user") principalType = "User";
  }
  if (principalType) caller.principalType = principalType;

  const name = str(getCI(claims, "name")) ?? str(getCI(claims, NAME_URI)) ?? str(getCI(claims, UPN_URI));
  if (name) caller.name = name;
  return caller;
}

function decodeOrWarn(v: unknown, field: string, warnings: string[]): JsonObject | undefined {
  const d = decodeObject(v, field);
  if (d.ok) return d.value;
  warnings.push(`${d.error}; ignored`);
  return undefined;
}

/**
 * True when the event was caused by `identity`: the caller's object id equals `identity.objectId`
 * or the caller's app id equals `identity.clientId` (case-insensitive, surrounding whitespace ignored,
 * GUIDs compared with or without dashes/braces).
 * Missing values never match.
 */
export function isFromPrincipal(event: ResourceEvent, identity: PrincipalIdentity): boolean {
  const caller = event.caller ?? {};
  return same(caller.objectId, identity.objectId) || same(caller.appId, identity.clientId);
}

function same(a: string | undefined, b: string | undefined): boolean {
  if (typeof a !== "string" || typeof b !== "string") return false;
  const x = normaliseId(a);
  return x !== "" && x === normaliseId(b);
}

// Activity-log style evidence writes GUIDs without dashes (`3c6f0f5e8b7a4c1d9e2f5a6b7c8d9e01`):
// compare GUIDs by their 32 hex digits, anything else as trimmed lower-case text.
const GUID = /^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/;

function normaliseId(v: string): string {
  const t = v.trim().toLowerCase();
  const m = GUID.exec(t);
  return m ? m.slice(1).join("") : t;
}
