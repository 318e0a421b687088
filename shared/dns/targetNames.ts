// Which DNS names belong to an endpoint's own target. Pure.
// customDnsConfigs is written by the consumer (the PUT accepts it), so a name there is a
// claim, not a fact: an endpoint to its own storage account could list the corp vault's
// name. The NIC's privateLinkConnectionProperties.fqdns are set by the platform for the
// link's target and are the trustworthy source; a consumer-listed name is used without
// reading the NIC only when it provably names the target itself (see provenTargetName).
import { parseResourceId, sameType, tryParseResourceId } from "../model/resourceId.js";
import { resolveZone, type ZoneMatch } from "./zones/index.js";
import { zoneTable } from "./zones/table.js";
import type { EndpointLink } from "../model/endpoint.js";

/**
 * Types whose public host label is the resource's own name, unique per namespace across
 * Azure (a second resource cannot take the same name), so `{name}.{forwarder}` can only be
 * this resource. Not listed on purpose: types whose host label is chosen separately from the
 * resource name (Cognitive Services' customSubDomainName, Machine Learning's workspace id)
 * and names the service extends with a region (Redis Enterprise / Managed Redis
 * `{name}.{region}`, Cosmos DB `{account}-{region}`, a storage account's `-secondary`):
 * the region is a fact about the target that the endpoint does not carry, and a
 * `{name}-{region}` label can be another account's name. Those read the NIC.
 */
const NAME_IS_HOST = [
  "Microsoft.KeyVault/vaults",
  "Microsoft.Storage/storageAccounts",
  "Microsoft.Sql/servers",
  "Microsoft.DocumentDB/databaseAccounts",
  "Microsoft.Cache/redis",
  "Microsoft.EventHub/namespaces",
  "Microsoft.ServiceBus/namespaces",
  "Microsoft.ContainerRegistry/registries",
  "Microsoft.Search/searchServices",
  "Microsoft.AppConfiguration/configurationStores",
];

/** Zone patterns of the official table for (type, group id), as anchored regexes. */
function zonesFor(type: string, groupIds: string[]): RegExp[] {
  const groups = new Set(groupIds.map((g) => g.toLowerCase()));
  return zoneTable.entries
    .filter((e) => sameType(e.resourceType, type) && groups.has(e.groupId.toLowerCase()))
    .flatMap((e) => e.privateDnsZones)
    .map(
      (z) =>
        new RegExp(
          `^${z
            .toLowerCase()
            .replace(/[.*+?^$()|[\]\\]/g, "\\$&")
            .replace(/\{\w+\}/g, "[a-z0-9-]+")}$`,
        ),
    );
}

/**
 * The zone and record for `fqdn` when it provably names one of the endpoint's own targets:
 * a type of NAME_IS_HOST, a zone the table lists for that type and the link's group id,
 * and a record name that is exactly the target's name. Undefined: not provable (the
 * caller reads the NIC), which is not the same as foreign.
 */
export function provenTargetName(fqdn: string, links: EndpointLink[]): ZoneMatch | undefined {
  const m = resolveZone(fqdn);
  if (!m) return undefined;
  for (const l of links) {
    const t = tryParseResourceId(l.targetResourceId);
    if (!t?.name || !t.type || !NAME_IS_HOST.some((x) => sameType(x, t.type))) continue;
    if (m.recordName !== t.name.toLowerCase()) continue;
    if (zonesFor(t.type, l.groupIds).some((re) => re.test(m.zone))) return m;
  }
  return undefined;
}

/** For a reason text: what the endpoint's targets are. */
export function targetsOf(links: EndpointLink[]): string {
  const names = links.map((l) => (l.targetResourceId ? parseResourceId(l.targetResourceId).name : l.alias) ?? "(none)");
  return names.join(", ") || "(no target)";
}
