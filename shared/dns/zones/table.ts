// Compiles Microsoft's "Azure Private Endpoint private DNS zone values" table
// (shared/dns/data/private-dns-zones.json) into matching rules, once, at module load.
//
// Two kinds of rule:
//  - "privatelink": the name already ends with a private DNS zone of the table
//    (NIC privateLinkConnectionProperties.fqdns: kv.privatelink.vaultcore.azure.net).
//  - "public": the name ends with a public DNS forwarder of the table
//    (customDnsConfigs: kv.vault.azure.net), paired with a zone of the same entry.
//
// PAIRING RULE (public forwarder F -> private zone Z of the same table entry).
// Write Z as PRE.MARKER.STEM where MARKER is the label "privatelink" (or "privatelink-global"),
// PRE is usually empty. Azure's public DNS CNAMEs a public name X.STEM to X.privatelink.STEM,
// so the record name is "the public name minus .STEM". For each F, in order:
//  1. exact           STEM == F                      record = name minus ".F"
//                     (acct.blob.core.windows.net -> privatelink.blob.core.windows.net / acct)
//  2. forwarder-longer F == LEAD.STEM (longest STEM)  record = name minus ".STEM", so LEAD's labels stay
//                     in the record: {region}.redis.azure.net -> privatelink.redis.azure.net / amr.westeurope;
//                     {cachename}.{region}.redisenterprise.cache.azure.net -> re1.westeurope;
//                     scm.azurewebsites.net -> privatelink.azurewebsites.net / app.scm (footnote: no extra zone)
//  3. zone-longer     STEM == MORE.F (exactly one)   the public name must end with STEM (its
//                     placeholders bind the zone): azurecontainerapps.io -> privatelink.{regionName}.azurecontainerapps.io,
//                     eventgrid.azure.net -> privatelink.ts.eventgrid.azure.net for ns.region.ts.eventgrid.azure.net
//  4. single-zone     no structural relation, the entry has exactly one zone, same top-level label:
//                     vault.azure.net -> privatelink.vaultcore.azure.net, blob.storage.azure.net (Elastic SAN)
//                     record = name minus ".F"
//  otherwise the forwarder stays unpaired (reported by publicNamePairings()).
// Zones with labels before MARKER ({subzone}.privatelink.{regionName}.azmk8s.io,
// {regionName}.data.privatelink.azurecr.io, scm.privatelink.azurewebsites.net) are alternative
// layouts of the entry's base zone: they match, but always rank after the base zone.
//
// RANKING when several rules match: base zone before alternative layout; more labels in the
// matched pattern (longest suffix); more literal labels; structural pairing before single-zone
// fallback; "privatelink." before "privatelink-global."; table order.

import table from "../data/private-dns-zones.json" with { type: "json" };
import { NAME_PLACEHOLDERS, isPrivatelinkLabel, labelTexts, parsePattern, placeholderNames, type Pattern } from "./patterns.js";

export type Cloud = "Commercial" | "Government" | "China";

export interface ZoneTableEntry {
  readonly cloud: Cloud;
  readonly service: string;
  readonly resourceType: string;
  readonly groupId: string;
  readonly privateDnsZones: readonly string[];
  readonly publicDnsForwarders: readonly string[];
  readonly category?: string;
  readonly footnotes?: readonly string[];
  readonly sourceRowIndex?: number;
  readonly ambiguousCrossProduct?: boolean;
}

export interface ZoneTableFile {
  readonly _source: Record<string, unknown>;
  readonly entryCount: number;
  readonly entries: readonly ZoneTableEntry[];
}

export type PairingHow = "exact" | "forwarder-longer" | "zone-longer" | "single-zone";

export interface Rule {
  /** Position in the global ranking (lower wins). */
  rank: number;
  readonly kind: "privatelink" | "public";
  readonly how: "zone" | PairingHow;
  /** What the input name must end with. */
  readonly pattern: Pattern;
  /** Leftmost labels of the matched pattern that stay in the record name. */
  readonly keep: number;
  /** Whether the name needs at least one label in front of the pattern. */
  readonly requireExtraLabel: boolean;
  /** Zone template (placeholders filled from the match). */
  readonly zone: string;
  readonly cloud: Cloud;
  /** Zone with labels before "privatelink" (alternative layout of a base zone). */
  readonly variant: boolean;
  /** Zone marker is not plain "privatelink" (e.g. privatelink-global.wvd.microsoft.com). */
  readonly globalMarker: boolean;
  /** Extra condition on the record labels (special cases). */
  readonly guard?: (recordLabels: readonly string[]) => boolean;
  /** Indexes into the table entries that produced this rule. */
  readonly entries: number[];
}

export interface PairingReport {
  readonly cloud: Cloud;
  readonly service: string;
  readonly resourceType: string;
  readonly groupId: string;
  readonly forwarder: string;
  /** Zone pattern the forwarder is paired with; undefined when unpaired. */
  readonly zone?: string;
  readonly how?: PairingHow;
  /** Why it is unpaired, or a special-case note. */
  readonly note?: string;
}

/**
 * Special case: the Azure Resource Manager row's forwarder is the umbrella domain "azure.com".
 * Taken literally it would claim every unknown *.azure.com name (and, for instance, the
 * unpaired inference.ml.azure.com / applicationinsights.azure.com names) for privatelink.azure.com.
 * A Resource Management private link serves management.azure.com, so only names whose record
 * part ends with "management" pair through it. The privatelink form (*.privatelink.azure.com) is unaffected.
 */
const PUBLIC_FORWARDER_GUARDS: ReadonlyMap<string, { guard: (r: readonly string[]) => boolean; note: string }> = new Map([
  [
    "azure.com",
    {
      guard: (r: readonly string[]) => r[r.length - 1] === "management",
      note: "special case: umbrella domain, only management.azure.com names pair",
    },
  ],
]);

/**
 * Special case: forwarders the table omits, added to one entry. China's Key Vault row lists only
 * "vaultcore.azure.cn", while China vault names are <name>.vault.azure.cn; the Commercial and
 * Government rows list both vault.* and vaultcore.* for the same zone, so China gets the same pair.
 */
const FORWARDER_SUPPLEMENTS: readonly {
  cloud: Cloud;
  resourceType: string;
  groupId: string;
  forwarder: string;
  note: string;
}[] = [
  {
    cloud: "China",
    resourceType: "microsoft.keyvault/vaults",
    groupId: "vault",
    forwarder: "vault.azure.cn",
    note: "special case: supplement, not in the China row (Commercial/Government rows pair vault.* with privatelink.vaultcore.*)",
  },
];

export const zoneTable: ZoneTableFile = table as unknown as ZoneTableFile;

interface ParsedZone {
  readonly pattern: Pattern;
  readonly markerIndex: number;
  readonly pre: string[];
  readonly stem: string[];
  readonly globalMarker: boolean;
}

function parseZone(raw: string): ParsedZone | undefined {
  const pattern = parsePattern(raw);
  if (!pattern) return undefined;
  const texts = labelTexts(pattern);
  const markerIndex = texts.findIndex(isPrivatelinkLabel);
  if (markerIndex < 0 || markerIndex === texts.length - 1) return undefined;
  return {
    pattern,
    markerIndex,
    pre: texts.slice(0, markerIndex),
    stem: texts.slice(markerIndex + 1),
    globalMarker: texts[markerIndex] !== "privatelink",
  };
}

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** a ends with b (label-wise) and is strictly longer. */
function endsWithLabels(a: readonly string[], b: readonly string[]): boolean {
  if (a.length <= b.length) return false;
  const off = a.length - b.length;
  return b.every((x, i) => a[off + i] === x);
}

function startsWithNamePlaceholder(p: Pattern): boolean {
  const first = p.labels[0];
  return first?.kind === "placeholder" && first.names.some((n) => NAME_PLACEHOLDERS.has(n));
}

function zoneBindable(zone: Pattern, matchPattern: Pattern): boolean {
  const have = placeholderNames(matchPattern);
  for (const n of placeholderNames(zone)) if (!have.has(n)) return false;
  return true;
}

export interface CompiledTable {
  readonly rules: readonly Rule[];
  readonly pairings: readonly PairingReport[];
  /** `${cloud}|${zone pattern}` -> service names for logs. */
  readonly serviceByZone: ReadonlyMap<string, string>;
  readonly zonePatterns: readonly string[];
}

export function compileTable(file: ZoneTableFile): CompiledTable {
  const byKey = new Map<string, Rule>();
  const pairings: PairingReport[] = [];
  const zonePatterns = new Set<string>();

  const addRule = (r: Omit<Rule, "rank" | "entries">, entryIndex: number): void => {
    const key = [r.kind, r.cloud, r.pattern.text, r.keep, r.zone, r.how].join("|");
    const existing = byKey.get(key);
    if (existing) {
      if (!existing.entries.includes(entryIndex)) existing.entries.push(entryIndex);
      return;
    }
    byKey.set(key, { ...r, rank: 0, entries: [entryIndex] });
  };

  file.entries.forEach((entry, entryIndex) => {
    const cloud = entry.cloud;
    const zones: ParsedZone[] = [];
    for (const raw of entry.privateDnsZones ?? []) {
      const z = parseZone(raw);
      if (!z) continue;
      zones.push(z);
      zonePatterns.add(z.pattern.text);
      addRule(
        {
          kind: "privatelink",
          how: "zone",
          pattern: z.pattern,
          keep: 0,
          requireExtraLabel: true,
          zone: z.pattern.text,
          cloud,
          variant: z.markerIndex > 0,
          globalMarker: z.globalMarker,
        },
        entryIndex,
      );
    }
    const primaries = zones.filter((z) => z.markerIndex === 0);
    const variants = zones.filter((z) => z.markerIndex > 0);

    const supplements = FORWARDER_SUPPLEMENTS.filter(
      (s) => s.cloud === cloud && s.resourceType === entry.resourceType.toLowerCase() && s.groupId === entry.groupId,
    );
    const forwarders: { raw: string; note?: string }[] = [
      ...(entry.publicDnsForwarders ?? []).map((raw) => ({ raw })),
      ...supplements.map((s) => ({ raw: s.forwarder, note: s.note })),
    ];
    for (const { raw: rawF, note: supplementNote } of forwarders) {
      const fp = parsePattern(rawF);
      const report = {
        cloud,
        service: entry.service,
        resourceType: entry.resourceType,
        groupId: entry.groupId,
        forwarder: fp?.text ?? rawF,
      };
      if (!fp) {
        pairings.push({ ...report, note: "unpaired: empty or malformed forwarder" });
        continue;
      }
      const fl = labelTexts(fp);
      if (fl.some(isPrivatelinkLabel)) {
        pairings.push({
          ...report,
          note: "unpaired: forwarder is itself a privatelink zone name (covered by privatelink-name matching)",
        });
        continue;
      }

      let chosen: { zone: ParsedZone; how: PairingHow; pattern: Pattern; keep: number }[];
      const exact = primaries.filter((z) => sameLabels(z.stem, fl));
      if (exact.length > 0) {
        chosen = exact.map((zone) => ({ zone, how: "exact" as const, pattern: fp, keep: 0 }));
      } else {
        const longer = primaries.filter((z) => z.stem.length >= 2 && endsWithLabels(fl, z.stem)).sort((a, b) => b.stem.length - a.stem.length);
        if (longer.length > 0) {
          const best = longer[0]!;
          chosen = [{ zone: best, how: "forwarder-longer", pattern: fp, keep: fl.length - best.stem.length }];
        } else {
          const zoneLonger = primaries.filter((z) => endsWithLabels(z.stem, fl));
          if (zoneLonger.length === 1) {
            const z = zoneLonger[0]!;
            const stemPattern = parsePattern(z.stem.join("."))!;
            chosen = [{ zone: z, how: "zone-longer", pattern: stemPattern, keep: 0 }];
          } else if (zoneLonger.length > 1) {
            pairings.push({ ...report, note: "unpaired: several zones of the entry extend this forwarder" });
            continue;
          } else if (primaries.length === 1 && primaries[0]!.stem.at(-1) === fl.at(-1)) {
            chosen = [{ zone: primaries[0]!, how: "single-zone", pattern: fp, keep: 0 }];
          } else {
            pairings.push({
              ...report,
              note:
                primaries.length === 1
                  ? "unpaired: no structural relation and the only zone is under another top-level domain"
                  : "unpaired: no zone of the entry matches it structurally and the entry has several zones",
            });
            continue;
          }
        }
      }

      const guard = PUBLIC_FORWARDER_GUARDS.get(fp.text);
      const note = guard?.note ?? supplementNote;
      for (const c of chosen) {
        if (!zoneBindable(c.zone.pattern, c.pattern)) {
          pairings.push({ ...report, note: `unpaired: zone ${c.zone.pattern.text} has a placeholder the name cannot supply` });
          continue;
        }
        addRule(
          {
            kind: "public",
            how: c.how,
            pattern: c.pattern,
            keep: c.keep,
            requireExtraLabel: !(c.keep > 0 && startsWithNamePlaceholder(c.pattern)),
            zone: c.zone.pattern.text,
            cloud,
            variant: false,
            globalMarker: c.zone.globalMarker,
            ...(guard ? { guard: guard.guard } : {}),
          },
          entryIndex,
        );
        pairings.push({ ...report, zone: c.zone.pattern.text, how: c.how, ...(note ? { note } : {}) });
      }

      // Alternative layouts: {subzone}.privatelink.{regionName}.azmk8s.io takes "{subzone}.{regionName}.azmk8s.io".
      for (const v of variants) {
        if (!sameLabels(fl, v.stem) && !sameLabels(fl, [...v.pre, ...v.stem])) continue;
        const vp = parsePattern([...v.pre, ...v.stem].join("."))!;
        if (!zoneBindable(v.pattern, vp)) continue;
        addRule(
          {
            kind: "public",
            how: "exact",
            pattern: vp,
            keep: 0,
            requireExtraLabel: true,
            zone: v.pattern.text,
            cloud,
            variant: true,
            globalMarker: v.globalMarker,
          },
          entryIndex,
        );
      }
    }
  });

  const rules = [...byKey.values()].sort(
    (a, b) =>
      Number(a.variant) - Number(b.variant) ||
      b.pattern.labels.length - a.pattern.labels.length ||
      b.pattern.literalCount - a.pattern.literalCount ||
      Number(a.how === "single-zone") - Number(b.how === "single-zone") ||
      Number(a.globalMarker) - Number(b.globalMarker) ||
      a.entries[0]! - b.entries[0]!,
  );
  rules.forEach((r, i) => (r.rank = i));

  // Service names per zone, for logs: the entries whose FIRST zone it is (the zone's owner),
  // else every entry that lists it; distinct names in table order.
  const serviceByZone = new Map<string, string>();
  const owners = new Map<string, { first: string[]; all: string[] }>();
  file.entries.forEach((entry) => {
    (entry.privateDnsZones ?? []).forEach((raw, i) => {
      const z = parsePattern(raw);
      if (!z) return;
      const key = `${entry.cloud}|${z.text}`;
      const o = owners.get(key) ?? { first: [], all: [] };
      if (i === 0 && !o.first.includes(entry.service)) o.first.push(entry.service);
      if (!o.all.includes(entry.service)) o.all.push(entry.service);
      owners.set(key, o);
    });
  });
  for (const [key, o] of owners) serviceByZone.set(key, (o.first.length > 0 ? o.first : o.all).join(" / "));

  return { rules, pairings, serviceByZone, zonePatterns: [...zonePatterns].sort() };
}
