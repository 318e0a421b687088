// Warnings for DNS zone names that are not in Microsoft's table of private DNS zone
// values (shared/dns/data): a typo such as privatelink.vaultcore.azure.com is a valid DNS
// name, so the schema accepts it, but no endpoint's name ever resolves into it. A zone the
// admins made up on purpose (a third-party service's) is marked `custom: true`.
import { knownZoneNames } from "../dns/zones/index.js";
import { closest, quote } from "./text.js";
import type { RawProblem } from "./semanticChecks.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** The table's patterns ({regionName} and friends match one label), compiled once. */
let patterns: { text: string; re: RegExp }[] | undefined;
function compiled() {
  return (patterns ??= knownZoneNames().map((text) => ({
    text,
    re: new RegExp(
      `^${text
        .split(/(\{[^{}]+\})/)
        .map((part) => (/^\{[^{}]+\}$/.test(part) ? "[a-z0-9-]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
        .join("")}$`,
      "i",
    ),
  })));
}

/** Whether `zone` is one of the table's zones (a placeholder stands for one label). */
export function isKnownZone(zone: string): boolean {
  const z = zone.toLowerCase().replace(/\.$/, "");
  return compiled().some((p) => p.re.test(z));
}

const SOVEREIGN = /(\.cn|\.us|usgovcloudapi\.net|chinacloudapi\.cn)$/;

export function zoneNameWarnings(data: Obj): RawProblem[] {
  const dns = isObj(data.dns) ? data.dns : {};
  const zones = Array.isArray(dns.zones) ? dns.zones : [];
  const out: RawProblem[] = [];
  zones.forEach((zone, z) => {
    if (!isObj(zone) || typeof zone.name !== "string" || zone.custom === true) return;
    if (isKnownZone(zone.name)) return;
    // Most typos are of a public-cloud zone; the sovereign clouds' names are the fallback.
    const name = zone.name.toLowerCase().replace(/\.$/, "");
    const all = compiled().map((p) => p.text);
    const hint =
      closest(
        name,
        all.filter((t) => !SOVEREIGN.test(t)),
      ) ?? closest(name, all);
    out.push({
      path: ["dns", "zones", z, "name"],
      message: `${quote(zone.name)} is not in Microsoft's table of private DNS zone values, so no endpoint's name resolves into it${hint ? ` (did you mean ${quote(hint)}?)` : ""}; if it is a zone of your own, mark it custom: true`,
    });
  });
  return out;
}
