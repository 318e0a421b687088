// What may be stored and asked for: both audit stores normalise entries and check
// queries here, so they cut long texts (to fit Table property limits, ending in "…")
// and refuse bad input the same way.
import { idKey } from "../../model/resourceId.js";
import type { AuditEntry, AuditQuery } from "./entries.js";

export class InvalidAuditEntryError extends Error {}
export class InvalidAuditQueryError extends Error {}

export const DEFAULT_AUDIT_LIMIT = 1000;

/** reason / error are cut to this many characters (the last one being "…"). */
export const MAX_TEXT_CHARS = 8000;
/** Every other string property. */
export const MAX_FIELD_CHARS = 4096;
/** The JSON of `ips` stays below this; further addresses are dropped. */
export const MAX_IPS_JSON_CHARS = 16_000;

/** Earliest and latest storable times (the keys hold ms since 1970 and an 8-digit day). */
export const MIN_MS = 0;
export const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Cuts `s` to at most `max` characters, ending in "…" when cut (never splitting a surrogate pair). */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = s.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut + "…";
}

function timeMs(entry: AuditEntry): number {
  const ms = typeof entry?.time === "string" ? Date.parse(entry.time) : NaN;
  if (Number.isNaN(ms)) throw new InvalidAuditEntryError(`audit entry: time must be an ISO date-time, not ${JSON.stringify(entry?.time)}`);
  if (ms < MIN_MS || ms > MAX_MS) throw new InvalidAuditEntryError(`audit entry: time ${entry.time} is outside 1970-9999`);
  return ms;
}

/** A plain copy with exactly the interface's fields, cut to the storable sizes; `time` as a canonical ISO string. */
export function normalizeEntry(entry: AuditEntry): AuditEntry {
  const ms = timeMs(entry);
  for (const f of ["trigger", "resource", "action", "reason", "outcome"] as const) {
    if (typeof entry[f] !== "string") throw new InvalidAuditEntryError(`audit entry: ${f} must be a string`);
  }
  for (const f of ["correlationId", "rule", "error", "zone", "record"] as const) {
    if (entry[f] !== undefined && typeof entry[f] !== "string") throw new InvalidAuditEntryError(`audit entry: ${f} must be a string when given`);
  }
  if (entry.ips !== undefined && (!Array.isArray(entry.ips) || entry.ips.some((ip) => typeof ip !== "string"))) {
    throw new InvalidAuditEntryError("audit entry: ips must be an array of strings when given");
  }
  const out: AuditEntry = {
    time: new Date(ms).toISOString(),
    trigger: truncate(entry.trigger, MAX_FIELD_CHARS),
    resource: truncate(entry.resource, MAX_FIELD_CHARS),
    action: truncate(entry.action, MAX_FIELD_CHARS),
    reason: truncate(entry.reason, MAX_TEXT_CHARS),
    outcome: truncate(entry.outcome, MAX_FIELD_CHARS),
  };
  if (entry.correlationId !== undefined) out.correlationId = truncate(entry.correlationId, MAX_FIELD_CHARS);
  if (entry.rule !== undefined) out.rule = truncate(entry.rule, MAX_FIELD_CHARS);
  if (entry.error !== undefined) out.error = truncate(entry.error, MAX_TEXT_CHARS);
  if (entry.zone !== undefined) out.zone = truncate(entry.zone, MAX_FIELD_CHARS);
  if (entry.record !== undefined) out.record = truncate(entry.record, MAX_FIELD_CHARS);
  if (entry.ips !== undefined) out.ips = fitIps(entry.ips);
  return out;
}

function fitIps(ips: string[]): string[] {
  const out: string[] = [];
  let len = 2;
  for (const ip of ips) {
    const v = truncate(ip, 256);
    len += JSON.stringify(v).length + 1;
    if (len > MAX_IPS_JSON_CHARS) break;
    out.push(v);
  }
  return out;
}

export interface Bounds {
  sinceMs: number;
  /** Exclusive. */
  untilMs: number;
  resourceKey?: string;
  actionKey?: string;
  limit: number;
}

export function boundsOf(q: AuditQuery = {}): Bounds {
  for (const f of ["since", "until"] as const) {
    const d = q[f];
    if (d !== undefined && (!(d instanceof Date) || Number.isNaN(d.getTime()))) throw new InvalidAuditQueryError(`audit query: ${f} must be a valid Date`);
  }
  const limit = q.limit ?? DEFAULT_AUDIT_LIMIT;
  if (!Number.isInteger(limit) || limit < 0) throw new InvalidAuditQueryError(`audit query: limit must be a whole number >= 0, not ${q.limit}`);
  if (q.resource !== undefined && typeof q.resource !== "string") throw new InvalidAuditQueryError("audit query: resource must be a string");
  if (q.action !== undefined && typeof q.action !== "string") throw new InvalidAuditQueryError("audit query: action must be a string");
  return {
    sinceMs: Math.max(MIN_MS, q.since?.getTime() ?? MIN_MS),
    untilMs: Math.min(MAX_MS + 1, q.until?.getTime() ?? MAX_MS + 1),
    resourceKey: q.resource !== undefined ? resourceKey(q.resource) : undefined,
    actionKey: q.action !== undefined ? q.action.toLowerCase() : undefined,
    limit,
  };
}

/** Stored, case-folded copy the resource filter compares with (cut like the resource itself). */
export function resourceKey(resource: string): string {
  return idKey(truncate(resource, MAX_FIELD_CHARS));
}
