// desiredRecords is pure: one table of endpoints (with or without their NIC) and DNS
// settings -> the record sets they should have, the names refused and the names still
// waiting for an IP. No ARM (like external-dns's plan_test.go).
import { describe, expect, it } from "vitest";
import type { CustomRecordConfig, DnsConfig, DnsZoneConfig } from "../../shared/config/index.js";
import { desiredRecords } from "../../shared/dns/desired.js";
import type { EndpointInfo, EndpointLink, NicIpConfig } from "../../shared/model/endpoint.js";
import { CONSUMER, HUB_RG } from "../helpers/ids.js";
import { providerId, vaultId } from "../helpers/world.js";

const VAULT_ZONE = "privatelink.vaultcore.azure.net";
const BLOB_ZONE = "privatelink.blob.core.windows.net";
const OTHER_HUB = "/subscriptions/55555555-5555-5555-5555-555555555555/resourceGroups/rg-dns-weu";
const KV = vaultId("kv-shared");
const STORAGE = providerId("Microsoft.Storage/storageAccounts", "stshared");
const PE = `/subscriptions/${CONSUMER}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/pe-1`;

const zone = (name: string, over: Partial<DnsZoneConfig> = {}): DnsZoneConfig => ({ name, resourceGroupId: HUB_RG, ttl: 10, mode: "sync", ...over });

function dns(zones: DnsZoneConfig[] = [zone(VAULT_ZONE)], customRecords: CustomRecordConfig[] = []): DnsConfig {
  return { mode: "sync", ttl: 10, registerWhen: "approved", dryRun: false, zones, customRecords };
}

const link = (target: string, groupId: string): EndpointLink => ({ name: "link", targetResourceId: target, groupIds: [groupId], manual: true });

function endpoint(links: EndpointLink[] = [link(KV, "vault")], customDnsConfigs: EndpointInfo["customDnsConfigs"] = []): EndpointInfo {
  return { id: PE, name: "pe-1", subscriptionId: CONSUMER, resourceGroup: "rg-app", links, customDnsConfigs, networkInterfaceIds: [], tags: {} };
}

const nic = (ip: string | undefined, ...fqdns: string[]): NicIpConfig => ({ ...(ip ? { ip } : {}), fqdns });

/** What a case expects: records as "zone hub record type ips", reasons of the skips (as patterns), names waiting for an IP. */
interface Want {
  records: string[];
  skips?: RegExp[];
  waiting?: string[];
}

const show = (r: ReturnType<typeof desiredRecords>["records"][number]) =>
  `${r.zone} ${r.zoneResourceGroupId === HUB_RG ? "hub" : "other-hub"} ${r.recordName} ${r.recordType ?? "A"} ${r.ips.join(",")}`;

describe("desiredRecords: endpoint and DNS settings -> record sets", () => {
  it.each<[string, EndpointInfo, NicIpConfig[] | undefined, DnsConfig, Want]>([
    [
      "the NIC's platform-set FQDN, in a listed zone",
      endpoint(),
      [nic("10.0.0.4", "kv-shared.vaultcore.azure.net")],
      dns(),
      { records: [`${VAULT_ZONE} hub kv-shared A 10.0.0.4`] },
    ],
    [
      "IPv4 and IPv6 of one name: one A and one AAAA record set",
      endpoint(),
      [nic("10.0.0.4", "kv-shared.vaultcore.azure.net"), nic("fd00::4", "kv-shared.vaultcore.azure.net")],
      dns(),
      { records: [`${VAULT_ZONE} hub kv-shared A 10.0.0.4`, `${VAULT_ZONE} hub kv-shared AAAA fd00::4`] },
    ],
    [
      "IPs in numeric order, each once",
      endpoint(),
      [nic("10.0.0.10", "kv-shared.vaultcore.azure.net"), nic("10.0.0.9", "kv-shared.vaultcore.azure.net"), nic("10.0.0.10", "kv-shared.vaultcore.azure.net")],
      dns(),
      { records: [`${VAULT_ZONE} hub kv-shared A 10.0.0.9,10.0.0.10`] },
    ],
    [
      "a zone listed once per hub: a record set in each",
      endpoint(),
      [nic("10.0.0.4", "kv-shared.vaultcore.azure.net")],
      dns([zone(VAULT_ZONE), zone(VAULT_ZONE, { resourceGroupId: OTHER_HUB })]),
      { records: [`${VAULT_ZONE} hub kv-shared A 10.0.0.4`, `${VAULT_ZONE} other-hub kv-shared A 10.0.0.4`] },
    ],
    [
      "a zone not listed in dns.zones: not touched",
      endpoint([link(STORAGE, "blob")]),
      [nic("10.0.0.5", "stshared.blob.core.windows.net")],
      dns(),
      { records: [], skips: [/zone privatelink\.blob\.core\.windows\.net is not listed in dns\.zones/] },
    ],
    [
      "a name with no IP yet: waits",
      endpoint(),
      [nic(undefined, "kv-shared.vaultcore.azure.net")],
      dns(),
      { records: [], waiting: ["kv-shared.vaultcore.azure.net"] },
    ],
    [
      "an FQDN no privatelink zone is known for",
      endpoint(),
      [nic("10.0.0.4", "kv-shared.example.com")],
      dns(),
      { records: [], skips: [/no privatelink zone is known for kv-shared\.example\.com/] },
    ],
    [
      "customDnsConfigs naming the target itself count without the NIC",
      endpoint(undefined, [{ fqdn: "kv-shared.vaultcore.azure.net", ipAddresses: ["10.0.0.4"] }]),
      undefined,
      dns(),
      { records: [`${VAULT_ZONE} hub kv-shared A 10.0.0.4`] },
    ],
    [
      "customDnsConfigs naming another resource: refused without the NIC",
      endpoint(undefined, [{ fqdn: "kv-other.vaultcore.azure.net", ipAddresses: ["10.0.0.4"] }]),
      undefined,
      dns(),
      { records: [], skips: [/kv-other\.vaultcore\.azure\.net \(from customDnsConfigs\) is not provably a name of the endpoint's target kv-shared/] },
    ],
    [
      "customDnsConfigs naming another resource: refused when the NIC does not carry it",
      endpoint(undefined, [{ fqdn: "stattacker.blob.core.windows.net", ipAddresses: ["10.0.0.4"] }]),
      [nic("10.0.0.4", "kv-shared.vaultcore.azure.net")],
      dns([zone(VAULT_ZONE), zone(BLOB_ZONE)]),
      { records: [`${VAULT_ZONE} hub kv-shared A 10.0.0.4`], skips: [/stattacker\.blob\.core\.windows\.net .*its network interface does not carry it/] },
    ],
    [
      "the NIC's entry stands over customDnsConfigs for the same name",
      endpoint(undefined, [{ fqdn: "kv-shared.vaultcore.azure.net", ipAddresses: ["10.9.9.9"] }]),
      [nic("10.0.0.4", "kv-shared.vaultcore.azure.net")],
      dns(),
      { records: [`${VAULT_ZONE} hub kv-shared A 10.0.0.4`] },
    ],
    [
      "an IP that is neither IPv4 nor IPv6 is not registered",
      endpoint(undefined, [{ fqdn: "kv-shared.vaultcore.azure.net", ipAddresses: ["10.0.0.4", "not-an-ip"] }]),
      undefined,
      dns(),
      { records: [`${VAULT_ZONE} hub kv-shared A 10.0.0.4`], skips: [/not an IPv4 or IPv6 address: not-an-ip/] },
    ],
    [
      "a custom record rule names the record from the target's name",
      endpoint(),
      [nic("10.0.0.4", "kv-shared.vaultcore.azure.net")],
      dns(
        [zone(VAULT_ZONE), zone("corp.internal", { custom: true })],
        [{ name: "alias", match: { targetResourceIds: [KV] }, zone: "corp.internal", recordName: "{targetName}-pl" }],
      ),
      { records: [`${VAULT_ZONE} hub kv-shared A 10.0.0.4`, "corp.internal hub kv-shared-pl A 10.0.0.4"] },
    ],
  ])("%s", (_, pe, nicConfigs, settings, want) => {
    const got = desiredRecords(pe, nicConfigs, settings);
    expect(got.records.map(show)).toEqual(want.records);
    expect(got.skips.map((s) => s.reason)).toEqual((want.skips ?? []).map((re) => expect.stringMatching(re)));
    expect(got.waitingForIp).toEqual(want.waiting ?? []);
    for (const r of got.records) expect(r).toMatchObject({ owner: PE, ttl: 10, mode: "sync" });
  });
});
