// Provider resource types whose private endpoint connections the app can approve.
// Adding a type is one entry here: the generic path needs only the api-version,
// because every type keeps its connections at `{resourceId}/privateEndpointConnections`.
import { sameType } from "../arm/resourceId.js";

export type ProviderClient = "keyvault" | "network" | "generic";

export interface ProviderType {
  /** ARM type of the provider resource, e.g. Microsoft.KeyVault/vaults */
  type: string;
  /** Which client carries the calls: a typed SDK client, or the generic ARM path. */
  client: ProviderClient;
  /** api-version for the generic path (typed clients send their own). */
  apiVersion: string;
  /** Plain-English name for logs and `explain`. */
  label: string;
}

export const PROVIDER_TYPES: readonly ProviderType[] = [
  { type: "Microsoft.KeyVault/vaults", client: "keyvault", apiVersion: "2026-02-01", label: "Key Vault" },
  { type: "Microsoft.Network/privateLinkServices", client: "network", apiVersion: "2025-05-01", label: "Private Link Service" },
  { type: "Microsoft.Cache/redisEnterprise", client: "generic", apiVersion: "2025-04-01", label: "Azure Managed Redis / Redis Enterprise" },
  { type: "Microsoft.Cache/redis", client: "generic", apiVersion: "2024-11-01", label: "Azure Cache for Redis" },
  { type: "Microsoft.Storage/storageAccounts", client: "generic", apiVersion: "2023-05-01", label: "Storage account" },
  { type: "Microsoft.Sql/servers", client: "generic", apiVersion: "2021-11-01", label: "SQL server" },
  { type: "Microsoft.DocumentDB/databaseAccounts", client: "generic", apiVersion: "2024-11-15", label: "Cosmos DB account" },
];

export const CONNECTIONS_CHILD = "privateEndpointConnections";

export function providerTypeFor(type: string | undefined): ProviderType | undefined {
  return PROVIDER_TYPES.find((p) => sameType(p.type, type));
}
