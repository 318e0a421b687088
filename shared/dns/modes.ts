// Modes, as in external-dns: which kinds of record change a zone's mode allows.
// What a mode suppresses is reported (dns-skip with the reason), never silently dropped.
import { isWithinScope } from "../model/resourceId.js";
import type { DnsConfig, DnsMode } from "../config/index.js";
import type { EndpointInfo } from "../model/endpoint.js";

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
function registersFor(dns: Pick<DnsConfig, "registerFor">, endpointId: string): boolean {
  return !dns.registerFor || dns.registerFor.some((s) => isWithinScope(endpointId, s));
}

/**
 * Why the endpoint gets no records now, or undefined when it does: outside dns.registerFor, or
 * (registerWhen: approved) no connection Approved yet. `assumeApproved`: a dry run that just
 * planned the approval plans DNS as if it had happened.
 */
export function notRegisteredBecause(dns: Pick<DnsConfig, "registerFor" | "registerWhen">, pe: EndpointInfo, assumeApproved = false): string | undefined {
  if (!registersFor(dns, pe.id)) return `endpoint is outside dns.registerFor (${dns.registerFor!.join(", ")}): no records are written for it`;
  if (dns.registerWhen === "approved" && !assumeApproved && !pe.links.some((l) => l.status === "Approved")) {
    const states = [...new Set(pe.links.map((l) => l.status ?? "unknown"))].join("/") || "absent";
    return `connection is ${states}: records are written once it is Approved (a record for an unapproved endpoint breaks resolution for the whole network)`;
  }
  return undefined;
}
