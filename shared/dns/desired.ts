// Source of intent for DNS: which A-records an endpoint should have. Pure.
// Names come from the endpoint's own FQDNs (customDnsConfigs, else its NIC's
// privateLinkConnectionProperties), never from resource type + group id: Azure
// Managed Redis and Redis Enterprise share both but live in different zones.
import type { DnsConfig, DnsMode } from "../config/index.js";
import { matchesGlob } from "../policy/glob.js";
import type { EndpointInfo, NicIpConfig } from "../providers/endpoints.js";
import { resolveZone } from "./zones/index.js";

export interface DesiredRecord {
  zone: string;
  /** /subscriptions/{s}/resourceGroups/{rg} holding the zone. */
  zoneResourceGroupId: string;
  recordName: string;
  ips: string[];
  ttl: number;
  mode: DnsMode;
  /** Owning endpoint id. */
  owner: string;
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

/** FQDN → IPs, from customDnsConfigs when they name FQDNs, else from the NIC. */
export function endpointNames(pe: EndpointInfo, nic: NicIpConfig[]): { names: Map<string, string[]>; source: string } {
  const fromConfigs = pe.customDnsConfigs.filter((c) => c.fqdn);
  const names = new Map<string, string[]>();
  const add = (fqdn: string, ips: string[]) => {
    const k = fqdn.toLowerCase().replace(/\.$/, "");
    names.set(k, [...new Set([...(names.get(k) ?? []), ...ips])]);
  };
  if (fromConfigs.length) {
    for (const c of fromConfigs) add(c.fqdn!, c.ipAddresses);
    return { names, source: "customDnsConfigs" };
  }
  for (const c of nic) for (const f of c.fqdns) add(f, c.ip ? [c.ip] : []);
  return { names, source: "networkInterface" };
}

/** Every private IP of the endpoint, for records named by a custom rule. */
export function endpointIps(pe: EndpointInfo, nic: NicIpConfig[]): string[] {
  return [...new Set([...pe.customDnsConfigs.flatMap((c) => c.ipAddresses), ...nic.map((c) => c.ip).filter((x): x is string => !!x)])];
}

export function desiredRecords(pe: EndpointInfo, nic: NicIpConfig[], dns: DnsConfig): DesiredResult {
  const out: DesiredResult = { records: [], skips: [], waitingForIp: [] };
  const byKey = new Map<string, DesiredRecord>();
  const put = (zoneName: string, recordName: string, ips: string[], source: string) => {
    const zone = dns.zones.find((z) => z.name.toLowerCase() === zoneName.toLowerCase());
    if (!zone) {
      out.skips.push({ zone: zoneName, record: recordName, ips, reason: `zone ${zoneName} is not listed in dns.zones: not touched` });
      return;
    }
    const key = `${zone.name.toLowerCase()}/${recordName.toLowerCase()}`;
    const existing = byKey.get(key);
    if (existing) {
      existing.ips = sortIps([...existing.ips, ...ips]);
      return;
    }
    const r: DesiredRecord = { zone: zone.name, zoneResourceGroupId: zone.resourceGroupId, recordName: recordName.toLowerCase(), ips: sortIps(ips), ttl: zone.ttl, mode: zone.mode, owner: pe.id, source };
    byKey.set(key, r);
    out.records.push(r);
  };

  const { names, source } = endpointNames(pe, nic);
  for (const [fqdn, ips] of names) {
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
      const name = rule.recordName.replace(/\{(\w+)\}/g, (_, k: string) => (k === "clusterId" ? clusterId ?? "" : (vars as Record<string, string>)[k] ?? ""));
      put(rule.zone, name, ips, `custom record '${rule.name}'`);
    }
  }
  return out;
}

/** Numeric order, so the same set of IPs always compares equal. */
export function sortIps(ips: string[]): string[] {
  const key = (ip: string) => ip.split(".").map((o) => o.padStart(3, "0")).join(".");
  return [...new Set(ips)].sort((a, b) => key(a).localeCompare(key(b)));
}
