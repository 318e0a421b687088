// Pure zone resolver: FQDN a private endpoint reports -> central private DNS zone + relative record name,
// from Microsoft's official table (shared/dns/data/private-dns-zones.json, see SOURCES.md there).
// The pairing rule, ranking and special cases are documented at the top of ./table.ts.

import { fillTemplate, isPrivatelinkLabel, normalizeFqdn, type LabelMatcher } from "./patterns.js";
import { compileTable, zoneTable, type Cloud, type PairingReport, type Rule } from "./table.js";

export type { Cloud, PairingReport } from "./table.js";

export interface ZoneMatch {
  /** Concrete zone name, placeholders filled, e.g. privatelink.vaultcore.azure.net, privatelink.westeurope.azmk8s.io */
  zone: string;
  /** Relative name inside the zone, e.g. "kv", "amr.westeurope", "acct" */
  recordName: string;
  /** The input, lower-cased, no trailing dot */
  fqdn: string;
  cloud: Cloud;
  /** From the table, for logs */
  service: string;
}

// ---- precomputed once at module load -------------------------------------------------------

const compiled = compileTable(zoneTable);

/** Rules bucketed by the pattern's last two labels (when both literal), else by its last label. */
const byLastTwo = new Map<string, Rule[]>();
const byLast = new Map<string, Rule[]>();
const anyBucket: Rule[] = [];
for (const rule of compiled.rules) {
  const ls = rule.pattern.labels;
  const a = ls[ls.length - 2];
  const b = ls[ls.length - 1];
  let bucket: Rule[];
  if (a?.kind === "literal" && b?.kind === "literal") {
    const k = `${a.text}.${b.text}`;
    bucket = byLastTwo.get(k) ?? [];
    byLastTwo.set(k, bucket);
  } else if (b?.kind === "literal") {
    bucket = byLast.get(b.text) ?? [];
    byLast.set(b.text, bucket);
  } else {
    bucket = anyBucket;
  }
  bucket.push(rule); // compiled.rules is already in rank order, so each bucket is too
}

const EMPTY: readonly Rule[] = [];

function bucketsFor(labels: readonly string[]): (readonly Rule[])[] {
  const n = labels.length;
  return [byLastTwo.get(`${labels[n - 2]}.${labels[n - 1]}`) ?? EMPTY, byLast.get(labels[n - 1]!) ?? EMPTY, anyBucket];
}

// ---- matching --------------------------------------------------------------------------------

interface RawMatch {
  readonly rule: Rule;
  readonly zone: string;
  readonly recordName: string;
}

function matchLabel(m: LabelMatcher, label: string, bindings: Map<string, string>): boolean {
  if (m.kind === "literal") return m.text === label;
  // A placeholder is one ordinary label: never the privatelink marker, never a wildcard.
  if (label === "*" || isPrivatelinkLabel(label)) return false;
  const r = m.re.exec(label);
  if (!r) return false;
  for (let i = 0; i < m.names.length; i++) {
    const name = m.names[i]!;
    const value = r[i + 1]!;
    const prev = bindings.get(name);
    if (prev !== undefined && prev !== value) return false;
    bindings.set(name, value);
  }
  return true;
}

function matchRule(rule: Rule, labels: readonly string[]): RawMatch | undefined {
  const p = rule.pattern.labels;
  const extra = labels.length - p.length;
  if (extra < (rule.requireExtraLabel ? 1 : 0)) return undefined;
  const bindings = new Map<string, string>();
  for (let i = p.length - 1; i >= 0; i--) {
    if (!matchLabel(p[i]!, labels[extra + i]!, bindings)) return undefined;
  }
  const recordLabels = labels.slice(0, extra + rule.keep);
  if (recordLabels.length === 0) return undefined;
  // A public name never carries the privatelink marker in its record part: such a name is a
  // privatelink name of a zone the table does not list.
  if (rule.kind === "public" && recordLabels.some(isPrivatelinkLabel)) return undefined;
  if (rule.guard && !rule.guard(recordLabels)) return undefined;
  const zone = fillTemplate(rule.zone, bindings);
  if (zone === undefined) return undefined;
  return { rule, zone, recordName: recordLabels.join(".") };
}

function toZoneMatch(m: RawMatch, fqdn: string): ZoneMatch {
  const cloud = m.rule.cloud;
  return {
    zone: m.zone,
    recordName: m.recordName,
    fqdn,
    cloud,
    service: compiled.serviceByZone.get(`${cloud}|${m.rule.zone}`) ?? "",
  };
}

// ---- public API ------------------------------------------------------------------------------

/**
 * Find the private DNS zone and relative record name for a name a private endpoint reports,
 * either the public name (customDnsConfigs: kv.vault.azure.net) or the privatelink name
 * (NIC privateLinkConnectionProperties.fqdns: kv.privatelink.vaultcore.azure.net); both give
 * the same answer. Case-insensitive, trailing dot tolerated. Undefined when no table entry
 * fits or the input is not a DNS name; never throws.
 */
export function resolveZone(fqdn: string): ZoneMatch | undefined {
  try {
    const n = normalizeFqdn(fqdn);
    if (!n) return undefined;
    let best: RawMatch | undefined;
    for (const bucket of bucketsFor(n.labels)) {
      for (const rule of bucket) {
        if (best && rule.rank >= best.rule.rank) break;
        const m = matchRule(rule, n.labels);
        if (m) {
          best = m;
          break;
        }
      }
    }
    return best ? toZoneMatch(best, n.fqdn) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every zone/record the table allows for the name, best first (the first equals resolveZone()).
 * Later ones are the alternative layouts a deployment may use instead, e.g. the AKS custom
 * subzone "{subzone}.privatelink.{regionName}.azmk8s.io" or ACR's
 * "{regionName}.data.privatelink.azurecr.io": a caller that knows which zones exist can pick.
 */
export function resolveZoneCandidates(fqdn: string): ZoneMatch[] {
  try {
    const n = normalizeFqdn(fqdn);
    if (!n) return [];
    const matches: RawMatch[] = [];
    for (const bucket of bucketsFor(n.labels)) {
      for (const rule of bucket) {
        const m = matchRule(rule, n.labels);
        if (m) matches.push(m);
      }
    }
    matches.sort((a, b) => a.rule.rank - b.rule.rank);
    const seen = new Set<string>();
    const out: ZoneMatch[] = [];
    for (const m of matches) {
      const key = `${m.zone}|${m.recordName}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(toZoneMatch(m, n.fqdn));
    }
    return out;
  } catch {
    return [];
  }
}

/** Every zone pattern of the table (placeholders kept, e.g. "privatelink.{regionName}.azmk8s.io"), sorted, distinct. */
export function knownZoneNames(): string[] {
  return [...compiled.zonePatterns];
}

/** How each (entry, public forwarder) of the table was paired, including the unpaired ones and why. */
export function publicNamePairings(): PairingReport[] {
  return compiled.pairings.map((p) => ({ ...p }));
}

/** Provenance of the shipped table (document, URL, stored copy and commit). */
export const ZONE_TABLE_SOURCE: Readonly<Record<string, unknown>> = Object.freeze({ ...zoneTable._source });
