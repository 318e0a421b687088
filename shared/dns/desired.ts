// Source of intent for DNS: which A (IPv4) and AAAA (IPv6) records an endpoint should have. Pure.
// Names come from the endpoint's own FQDNs (its NIC's platform-set
// privateLinkConnectionProperties, or customDnsConfigs names that provably belong to its
// target: ./targetNames.ts), never from resource type + group id alone: Azure Managed
// Redis and Redis Enterprise share both but live in different zones.
import { isIP } from "node:net";
import type { DnsConfig, DnsMode } from "../config/index.js";
import { matchesGlob } from "../util/glob.js";
import { provenTargetName, targetsOf } from "./targetNames.js";
import { resolveZone } from "./zones/index.js";
import type { EndpointInfo, NicIpConfig } from "../model/endpoint.js";
import { recordSetKey, type RecordSetKey } from "../model/recordSet.js";

/** A record set an endpoint should have: A for IPv4 addresses, AAAA for IPv6 (a name with both gets one of each). */
export interface DesiredRecord extends RecordSetKey {
  ips: string[];
  ttl: number;
  mode: DnsMode;
  /** Owning endpoint id. */
  owner: string;
  /** The deployment's owner id written as the record set's marker (dns.ownerId). */
  ownerId?: string;
  /** Where the name came from, for logs. */
  source: string;
}

export interface DnsSkip {
  zone?: string;
  record?: string;
  ips?: string[];
  reason: string;
}

export interface DesiredResult {
  records: DesiredRecord[];
  skips: DnsSkip[];
  /** FQDNs the endpoint names that have no IP yet (the caller asks for a redelivery). */
  waitingForIp: string[];
}

/**
 * true when the endpoint's own configs cannot say which names are its target's: no FQDN
 * listed, or one that is not provably a name of its target. Then the NIC is read.
 */
export function needsNicForNames(pe: EndpointInfo): boolean {
  const listed = pe.customDnsConfigs.filter((c) => c.fqdn);
  return listed.length === 0 || listed.some((c) => !provenTargetName(c.fqdn!, pe.links));
}

/**
 * FQDN → IPs and where each came from, plus the names refused. `nic` undefined: not read.
 * The NIC's platform-set FQDNs are taken as they are; a customDnsConfigs name only when it
 * provably names the target or the NIC carries it too (then with the NIC's IPs).
 */
export function endpointNames(pe: EndpointInfo, nic: NicIpConfig[] | undefined): { names: Map<string, { ips: string[]; source: string }>; skips: DnsSkip[] } {
  const names = new Map<string, { ips: string[]; source: string }>();
  const skips: DnsSkip[] = [];
  const add = (fqdn: string, ips: string[], source: string) => {
    const k = fqdn.toLowerCase().replace(/\.$/, "");
    const prev = names.get(k);
    names.set(k, { ips: [...new Set([...(prev?.ips ?? []), ...ips])], source: prev?.source ?? source });
  };
  const onNic = new Set<string>(); // zone/record keys the platform set
  for (const c of nic ?? []) {
    for (const f of c.fqdns) {
      add(f, c.ip ? [c.ip] : [], "networkInterface");
      const m = resolveZone(f);
      onNic.add(m ? `${m.zone}/${m.recordName}` : f.toLowerCase().replace(/\.$/, ""));
    }
  }
  for (const c of pe.customDnsConfigs) {
    if (!c.fqdn) continue;
    const m = resolveZone(c.fqdn);
    if (onNic.has(m ? `${m.zone}/${m.recordName}` : c.fqdn.toLowerCase().replace(/\.$/, ""))) continue; // the NIC's entry stands
    if (!m) {
      skips.push({ reason: `no privatelink zone is known for ${c.fqdn}` });
      continue;
    }
    if (provenTargetName(c.fqdn, pe.links)) {
      add(c.fqdn, c.ipAddresses, "customDnsConfigs");
      continue;
    }
    skips.push({
      zone: m.zone,
      record: m.recordName,
      reason:
        nic === undefined
          ? `${c.fqdn} (from customDnsConfigs) is not provably a name of the endpoint's target ${targetsOf(pe.links)}; not registered without its network interface`
          : `${c.fqdn} (from customDnsConfigs, which the consumer writes) is not a name of the endpoint's target ${targetsOf(pe.links)}: its network interface does not carry it; not registered`,
    });
  }
  return { names, skips };
}

/** Every private IP of the endpoint, for records named by a custom rule. */
export function endpointIps(pe: EndpointInfo, nic: NicIpConfig[] | undefined): string[] {
  return [...new Set([...pe.customDnsConfigs.flatMap((c) => c.ipAddresses), ...(nic ?? []).map((c) => c.ip).filter((x): x is string => !!x)])];
}

/** `nic`: the endpoint's NIC IP configurations, undefined when not read. */
export function desiredRecords(pe: EndpointInfo, nic: NicIpConfig[] | undefined, dns: DnsConfig): DesiredResult {
  const out: DesiredResult = { records: [], skips: [], waitingForIp: [] };
  const byKey = new Map<string, DesiredRecord>();
  const put = (zoneName: string, recordName: string, ips: string[], source: string) => {
    // The same zone may be listed once per hub (per region or environment): every copy gets the record.
    const copies = dns.zones.filter((z) => z.name.toLowerCase() === zoneName.toLowerCase());
    if (copies.length === 0) {
      out.skips.push({ zone: zoneName, record: recordName, ips, reason: `zone ${zoneName} is not listed in dns.zones: not touched` });
      return;
    }
    // IPv4 goes into an A record set, IPv6 into AAAA (Private DNS refuses anything else); anything else is no address.
    const bad = ips.filter((ip) => isIP(ip) === 0);
    if (bad.length) out.skips.push({ zone: zoneName, record: recordName, ips: bad, reason: `not an IPv4 or IPv6 address: ${bad.join(", ")}; not registered` });
    for (const zone of copies) {
      for (const recordType of ["A", "AAAA"] as const) {
        const family = ips.filter((ip) => isIP(ip) === (recordType === "A" ? 4 : 6));
        if (!family.length) continue;
        const key = recordSetKey({ zoneResourceGroupId: zone.resourceGroupId, zone: zone.name, recordName, recordType });
        const existing = byKey.get(key);
        if (existing) {
          existing.ips = sortIps([...existing.ips, ...family]);
          continue;
        }
        const r: DesiredRecord = {
          zone: zone.name,
          zoneResourceGroupId: zone.resourceGroupId,
          recordName: recordName.toLowerCase(),
          ...(recordType === "AAAA" ? { recordType } : {}),
          ips: sortIps(family),
          ttl: zone.ttl,
          mode: zone.mode,
          owner: pe.id,
          ownerId: zone.ownerId,
          source,
        };
        byKey.set(key, r);
        out.records.push(r);
      }
    }
  };

  const { names, skips } = endpointNames(pe, nic);
  out.skips.push(...skips);
  for (const [fqdn, { ips, source }] of names) {
    const match = resolveZone(fqdn);
    if (!match) {
      out.skips.push({ reason: `no privatelink zone is known for ${fqdn}` });
      continue;
    }
    if (ips.length === 0) {
      out.waitingForIp.push(fqdn);
      continue;
    }
    put(match.zone, match.recordName, ips, `${source} ${fqdn}`);
  }

  for (const rule of dns.customRecords) {
    const link = pe.links.find(
      (l) =>
        (l.alias && rule.match.aliases?.some((g) => matchesGlob(l.alias!, g))) ||
        (l.targetResourceId && rule.match.targetResourceIds?.some((g) => matchesGlob(l.targetResourceId!, g))),
    );
    if (!link) continue;
    const ips = endpointIps(pe, nic);
    if (ips.length === 0) {
      out.waitingForIp.push(`custom record '${rule.name}'`);
      continue;
    }
    const vars = {
      endpointName: pe.name,
      aliasPrefix: link.alias?.split(".")[0] ?? "",
      targetName: link.targetResourceId?.split("/").pop() ?? link.alias?.split(".")[0] ?? "",
    };
    for (const clusterId of rule.clusterIds?.length ? rule.clusterIds : [undefined]) {
      const name = rule.recordName.replace(/\{(\w+)\}/g, (_, k: string) =>
        k === "clusterId" ? (clusterId ?? "") : ((vars as Record<string, string>)[k] ?? ""),
      );
      put(rule.zone, name, ips, `custom record '${rule.name}'`);
    }
  }
  return out;
}

/** Numeric order (IPv4; IPv6 by text), so the same set of IPs always compares equal. */
export function sortIps(ips: string[]): string[] {
  const key = (ip: string) =>
    ip.includes(":")
      ? `~${ip.toLowerCase()}`
      : ip
          .split(".")
          .map((o) => o.padStart(3, "0"))
          .join(".");
  return [...new Set(ips)].sort((a, b) => key(a).localeCompare(key(b)));
}
