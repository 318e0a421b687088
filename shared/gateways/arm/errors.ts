// HTTP status of an SDK error. `instanceof RestError` is not enough: CommonJS-only
// SDKs (@azure/arm-privatedns) carry their own copy of the RestError class.
import { isRestError } from "@azure/core-rest-pipeline";

export function httpStatus(e: unknown): number | undefined {
  if (isRestError(e)) return e.statusCode;
  const s = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === "number" ? s : undefined;
}

/** ARM error code of an SDK error, when the service sent one. */
export function errorCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === "string" ? c : undefined;
}

/**
 * Services that say "no such thing" without a 404: SQL answers a missing
 * connection with 400 PrivateEndpointConnectionDoesNotExist.
 */
const NOT_FOUND_CODES = new Set(["privateendpointconnectiondoesnotexist"]);

export const isNotFound = (e: unknown): boolean => {
  const status = httpStatus(e);
  return status === 404 || (status === 400 && NOT_FOUND_CODES.has(errorCode(e)?.toLowerCase() ?? ""));
};

/** Connection errors and timeouts the SDK reports without a status (core-rest-pipeline's codes, plus Node's). */
const TRANSIENT_CODES = new Set(["ETIMEDOUT", "ECONNRESET", "ECONNREFUSED", "EPIPE", "EAI_AGAIN", "REQUEST_SEND_ERROR", "UND_ERR_SOCKET"]);

/** Throttled (429), a server-side failure (5xx, 408) or a lost connection: the same call may well succeed later. */
export function isTransient(e: unknown): boolean {
  const status = httpStatus(e);
  if (status !== undefined) return status === 429 || status === 408 || status >= 500;
  const code = errorCode(e);
  return code !== undefined && TRANSIENT_CODES.has(code);
}
