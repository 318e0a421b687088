// HTTP status of an SDK error. `instanceof RestError` is not enough: CommonJS-only
// SDKs (@azure/arm-privatedns) carry their own copy of the RestError class.
import { isRestError } from "@azure/core-rest-pipeline";

export function httpStatus(e: unknown): number | undefined {
  if (isRestError(e)) return e.statusCode;
  const s = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === "number" ? s : undefined;
}

export const isNotFound = (e: unknown): boolean => httpStatus(e) === 404;
