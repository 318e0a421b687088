// Small generators shared by the handlers.
import { randomBytes, randomUUID } from "node:crypto";

export const newGuid = (): string => randomUUID();
/** Microsoft.Network style etag. */
export const weakEtag = (): string => `W/"${randomUUID()}"`;
export const hex8 = (): string => randomBytes(4).toString("hex");

/** `West US 2` → `westus2`, as ARM spells locations in URLs and host names. */
export function normalizeLocation(location: unknown): string {
  return typeof location === "string" && location ? location.toLowerCase().replace(/\s+/g, "") : "global";
}
