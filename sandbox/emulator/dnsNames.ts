// Public FQDNs a private endpoint's NIC and customDnsConfigs carry, for the
// provider types the app handles. Unknown types get an IP but no FQDN, as some
// real services do.
import { normalizeLocation } from "./ids.js";

export interface DnsMember {
  groupId: string;
  requiredMemberName: string;
  fqdn?: string;
}

const STORAGE_GROUPS = new Set(["blob", "file", "queue", "table", "web", "dfs"]);

export function dnsMembers(targetType: string | undefined, targetName: string, groupId: string, location: unknown): DnsMember[] {
  const t = (targetType ?? "").toLowerCase();
  const n = targetName.toLowerCase();
  const g = groupId.toLowerCase();
  const loc = normalizeLocation(location);
  const one = (member: string, fqdn?: string): DnsMember[] => [{ groupId, requiredMemberName: member, fqdn }];
  switch (t) {
    case "microsoft.keyvault/vaults":
      return one("default", `${n}.vault.azure.net`);
    case "microsoft.storage/storageaccounts":
      return STORAGE_GROUPS.has(g) ? one(g, `${n}.${g}.core.windows.net`) : one(g || "default");
    case "microsoft.cache/redisenterprise":
      return one("redisEnterprise", `${n}.${loc}.redis.azure.net`);
    case "microsoft.cache/redis":
      return one("redisCache", `${n}.redis.cache.windows.net`);
    case "microsoft.sql/servers":
      return one("sqlServer", `${n}.database.windows.net`);
    case "microsoft.documentdb/databaseaccounts":
      if (g === "sql") {
        return [
          { groupId, requiredMemberName: n, fqdn: `${n}.documents.azure.com` },
          { groupId, requiredMemberName: `${n}-${loc}`, fqdn: `${n}-${loc}.documents.azure.com` },
        ];
      }
      return one(g || "default");
    default:
      return one(groupId || "default");
  }
}
