// Modes, as in external-dns: which kinds of record change a zone's mode allows.
// What a mode suppresses is reported (dns-skip with the reason), never silently dropped.
import { isWithinScope } from "../model/resourceId.js";
import type { DnsConfig, DnsMode } from "../config/index.js";

export type RecordChange = "create" | "update" | "delete";

const ALLOWED: Record<DnsMode, ReadonlySet<RecordChange>> = {
  sync: new Set(["create", "update", "delete"]),
  "upsert-only": new Set(["create", "update"]),
  "create-only": new Set(["create"]),
};

export function modeAllows(mode: DnsMode, change: RecordChange): boolean {
  return ALLOWED[mode].has(change);
}

/** Whether the endpoint may have records at all: inside dns.registerFor when the admins narrowed it. */
export function registersFor(dns: Pick<DnsConfig, "registerFor">, endpointId: string): boolean {
  return !dns.registerFor || dns.registerFor.some((s) => isWithinScope(endpointId, s));
}
