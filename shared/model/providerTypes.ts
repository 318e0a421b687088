// Provider resource types whose private endpoint connections the app can approve: pure
// data, read by the event filter (events/operations.ts), the gateways and the infra roles.
// Adding a type is one entry here: the generic path needs only the api-version,
// because every type keeps its connections at `{resourceId}/privateEndpointConnections`.
import { sameType } from "./resourceId.js";

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
  /**
   * RBAC (infra/roles, generated from here): whether the service has `<type>/privateEndpointConnectionsApproval/action`,
   * and the `<namespace>/locations/<segment>` paths of the Azure-AsyncOperation / Location URLs its updates return,
   * which the poller GETs (ARM authorises each GET as `<namespace>/locations/<segment>/read`).
   */
  rbac: { approvalAction: boolean; operationStatus: readonly string[] };
}

export const PROVIDER_TYPES: readonly ProviderType[] = [
  {
    type: "Microsoft.KeyVault/vaults",
    client: "keyvault",
    apiVersion: "2026-02-01",
    label: "Key Vault",
    rbac: { approvalAction: true, operationStatus: ["operationResults"] },
  },
  {
    type: "Microsoft.Network/privateLinkServices",
    client: "network",
    apiVersion: "2025-05-01",
    label: "Private Link Service",
    rbac: { approvalAction: false, operationStatus: ["operations", "operationResults"] },
  },
  // Versions before 2025-07-01 are retired since October 2026 (README: "api-versions").
  {
    type: "Microsoft.Cache/redisEnterprise",
    client: "generic",
    apiVersion: "2025-07-01",
    label: "Azure Managed Redis / Redis Enterprise",
    rbac: { approvalAction: true, operationStatus: ["operationsStatus"] },
  },
  {
    type: "Microsoft.Cache/redis",
    client: "generic",
    apiVersion: "2024-11-01",
    label: "Azure Cache for Redis",
    rbac: { approvalAction: true, operationStatus: ["asyncOperations", "operationResults"] },
  },
  {
    type: "Microsoft.Storage/storageAccounts",
    client: "generic",
    apiVersion: "2026-09-01",
    label: "Storage account",
    rbac: { approvalAction: true, operationStatus: ["asyncoperations"] },
  },
  {
    type: "Microsoft.Sql/servers",
    client: "generic",
    apiVersion: "2023-08-01",
    label: "SQL server",
    rbac: { approvalAction: true, operationStatus: ["privateEndpointConnectionAzureAsyncOperation", "privateEndpointConnectionOperationResults"] },
  },
  {
    type: "Microsoft.DocumentDB/databaseAccounts",
    client: "generic",
    apiVersion: "2026-07-15",
    label: "Cosmos DB account",
    rbac: { approvalAction: true, operationStatus: ["operationsStatus", "operationResults"] },
  },
];

export const CONNECTIONS_CHILD = "privateEndpointConnections";

export function providerTypeFor(type: string | undefined): ProviderType | undefined {
  return PROVIDER_TYPES.find((p) => sameType(p.type, type));
}
