// The resource types the emulator knows and how ARM treats each: etag style,
// whether writes are long-running, and how a parent GET shows its private
// endpoint connections. Anything not listed answers 400 InvalidResourceType.
import { newGuid, weakEtag } from "./ids.js";

export type WriteStyle = "sync" | "async";
/** How a parent's GET shows a child list (`properties.privateEndpointConnections`, `properties.subnets`). */
export type EmbedStyle = "full" | "idEtagProps" | "idProps" | "idOnly";

export interface EmbeddedChildren {
  /** Property under `properties` and child type segment (they have the same name). */
  property: string;
  style: EmbedStyle;
  /** Subnets can be written through the parent; connections are read-only there. */
  writable?: boolean;
}

export interface TypeInfo {
  /** Canonical casing, used when a body has no `type`. */
  type: string;
  /** Private DNS uses bare GUID etags; the rest of Microsoft.Network uses W/"guid". */
  etag: "guid" | "weak";
  put: WriteStyle;
  del: WriteStyle;
  /** Child lists the parent's GET shows; on load and PUT such lists become child resources. */
  embeds?: EmbeddedChildren;
  /** The privateEndpointConnections child of a provider resource. */
  connection?: boolean;
  /** Private DNS record set (A, AAAA, ...). */
  recordSet?: boolean;
  /** Only a collection (privateDnsZones/{z}/ALL); no resource of this type exists. */
  collectionOnly?: boolean;
}

export const CONNECTIONS = "privateEndpointConnections";
const table = new Map<string, TypeInfo>();
function add(type: string, info: Omit<TypeInfo, "type">): void {
  table.set(type.toLowerCase(), { type, ...info });
}

// Microsoft.Network writes are long-running (201/200 + Azure-AsyncOperation).
for (const t of [
  "Microsoft.Network/privateEndpoints",
  "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
  "Microsoft.Network/networkInterfaces",
  "Microsoft.Network/virtualNetworks/subnets",
])
  add(t, { etag: "weak", put: "async", del: "async" });
add("Microsoft.Network/virtualNetworks", { etag: "weak", put: "async", del: "async", embeds: { property: "subnets", style: "full", writable: true } });

add("Microsoft.Network/privateLinkServices", { etag: "weak", put: "async", del: "async", embeds: { property: CONNECTIONS, style: "full" } });
// privateLinkServices.updatePrivateEndpointConnection is a plain PUT in the SDK.
add("Microsoft.Network/privateLinkServices/privateEndpointConnections", { etag: "weak", put: "sync", del: "async", connection: true });

add("Microsoft.Network/privateDnsZones", { etag: "guid", put: "async", del: "async" });
add("Microsoft.Network/privateDnsZones/virtualNetworkLinks", { etag: "guid", put: "async", del: "async" });
export const RECORD_TYPES = ["A", "AAAA", "CNAME", "MX", "PTR", "SOA", "SRV", "TXT"] as const;
for (const r of RECORD_TYPES) add(`Microsoft.Network/privateDnsZones/${r}`, { etag: "guid", put: "sync", del: "sync", recordSet: true });
add("Microsoft.Network/privateDnsZones/ALL", { etag: "guid", put: "sync", del: "sync", collectionOnly: true });

// Provider resources whose owner approves connections. How each parent GET lists
// its connections follows the services' REST specs (the stored references have
// no parent GET example): Key Vault {id, etag, properties}; SQL and Cosmos DB
// {id, properties}; Redis Enterprise clusters only ids; Storage and Redis whole
// resources. Change the style here if a recorded real GET differs.
const providers: Array<[string, EmbedStyle]> = [
  ["Microsoft.KeyVault/vaults", "idEtagProps"],
  ["Microsoft.Cache/redis", "full"],
  ["Microsoft.Cache/redisEnterprise", "idOnly"],
  ["Microsoft.Storage/storageAccounts", "full"],
  ["Microsoft.Sql/servers", "idProps"],
  ["Microsoft.DocumentDB/databaseAccounts", "idProps"],
];
for (const [t, style] of providers) {
  add(t, { etag: "weak", put: "sync", del: "sync", embeds: { property: CONNECTIONS, style } });
  // Real Key Vault answers approve/reject 200 + Azure-AsyncOperation, "Updating".
  add(`${t}/privateEndpointConnections`, { etag: "weak", put: "async", del: "async", connection: true });
}

export const PRIVATE_ENDPOINTS = "microsoft.network/privateendpoints";
export const NETWORK_INTERFACES = "microsoft.network/networkinterfaces";
export const PRIVATE_DNS_ZONES = "microsoft.network/privatednszones";

export function typeInfo(type: string | undefined): TypeInfo | undefined {
  return type ? table.get(type.toLowerCase()) : undefined;
}

export function isType(type: string | undefined, lower: string): boolean {
  return type?.toLowerCase() === lower;
}

export function newEtagFor(type: string | undefined): string {
  return typeInfo(type)?.etag === "guid" ? newGuid() : weakEtag();
}
