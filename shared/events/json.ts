// Small helpers for loosely typed payloads. Real Event Grid payloads sometimes carry
// nested objects (`data`, `claims`, `authorization`, `httpRequest`) as JSON-encoded strings.
import { errorMessage } from "../util/errorMessage.js";

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (Array.isArray(v)) return "an array";
  if (v instanceof Date) return "a Date";
  const t = typeof v;
  return t === "object" ? "an object" : `a ${t}`;
}

export type Decoded = { ok: true; value: JsonObject | undefined } | { ok: false; error: string };

/**
 * An object as is, a JSON string holding an object parsed, undefined/null/"" as undefined;
 * anything else is an error naming `field`.
 */
export function decodeObject(v: unknown, field: string): Decoded {
  if (v === undefined || v === null) return { ok: true, value: undefined };
  if (isObject(v)) return { ok: true, value: v };
  if (typeof v === "string") {
    if (v.trim() === "") return { ok: true, value: undefined };
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch (e) {
      return { ok: false, error: `field ${field} is a string that is not valid JSON (${errorMessage(e)}): ${excerpt(v)}` };
    }
    if (isObject(parsed)) return { ok: true, value: parsed };
    return { ok: false, error: `field ${field} is a JSON string holding ${describe(parsed)}, not an object` };
  }
  return { ok: false, error: `field ${field} is ${describe(v)}, not an object` };
}

/** A non-empty string, else undefined (numbers and other types are not coerced). */
export function str(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? v : undefined;
}

/** Reads `key` exactly, falling back to a case-insensitive match. */
export function getCI(obj: JsonObject | undefined, key: string): unknown {
  if (!obj) return undefined;
  if (key in obj) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

export function excerpt(s: string, n = 120): string {
  return JSON.stringify(s.length > n ? `${s.slice(0, n)}…` : s);
}
