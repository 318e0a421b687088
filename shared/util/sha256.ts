// The one hash helper: row and partition keys of the stores, and the allow-list's version.
import { createHash } from "node:crypto";

/** Hex sha256 of a string (UTF-8), lower case: the keys already stored depend on exactly this. */
export function sha256Hex(s: string): string {
  return createHash("sha256").update(s, "utf8").digest("hex");
}
