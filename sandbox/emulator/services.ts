// How each provider service answers for its private endpoint connections, where
// real services differ from one another. Each entry names its source; see the
// README's table. Types not listed behave as `DEFAULT`.
import { sameType } from "../../shared/model/resourceId.js";

export interface ConnectionQuirks {
  /**
   * How the connection reports the requested sub-resource: not at all (Key Vault,
   * Redis, Redis Enterprise, Storage), singular `groupId` (Cosmos DB), or
   * `groupIds` (SQL, and the consumer side of every endpoint).
   */
  groupIds: "none" | "groupId" | "groupIds";
  /**
   * Approve/reject answer:
   * - "keyvault": 200, provisioningState Updating, `azure-asyncoperation` = the
   *   connection's own URL plus `kv-operation=`; status visible at once.
   * - "enqueued": 202 `{"status":"Enqueued"}` with Azure-AsyncOperation and
   *   Location; the new status shows only when the operation ends, while
   *   provisioningState stays Succeeded (Cosmos DB).
   * - "accepted": 202 with no body and no operation header (the SDK's poller then
   *   counts it done at once); the new status shows at once (SQL).
   * - "async": 200 Updating + Azure-AsyncOperation (the emulator's generic answer).
   * - "sync": 200, done (Private Link Service).
   */
  put: "keyvault" | "enqueued" | "accepted" | "async" | "sync";
  /** provisioningState of a settled connection. */
  settled: "Succeeded" | "Ready";
  /** Answer for a connection that does not exist (GET/PUT; DELETE of a missing one is 204 unless "sqlBadRequest"). */
  missing: "notFound" | "sqlBadRequest";
  /** The service refuses to reject a connection that is already Approved (SQL). */
  rejectOnlyPending?: boolean;
  /** Connections carry an etag (Key Vault: bare 32-hex; Network: W/"guid"); SQL and Cosmos DB carry none. */
  etag: "hex" | "weak" | "none";
  /** Connection bodies carry `location` (Key Vault). */
  location?: boolean;
  /** Storage spells the state's third field `actionRequired` (recorded 2025-09-22). */
  actionKey?: "actionsRequired" | "actionRequired";
  /** Storage deletes a connection synchronously: 200, empty body (recorded). */
  syncDelete?: boolean;
  source: string;
}

const REC = "Azure/azure-cli network recordings test_private_endpoint_connection_";

export const DEFAULT: ConnectionQuirks = {
  groupIds: "none",
  put: "async",
  settled: "Succeeded",
  missing: "notFound",
  etag: "weak",
  source: "emulator default",
};

export const QUIRKS: ReadonlyArray<[string, ConnectionQuirks]> = [
  [
    "Microsoft.KeyVault/vaults",
    {
      groupIds: "none",
      put: "keyvault",
      settled: "Succeeded",
      missing: "notFound",
      etag: "hex",
      location: true,
      source: `${REC}keyvault.yaml (2021-10-15); specs keyvault stable/2025-05-01 deletePrivateEndpointConnection.json`,
    },
  ],
  [
    "Microsoft.Cache/redis",
    {
      groupIds: "none",
      put: "async",
      settled: "Succeeded",
      missing: "notFound",
      etag: "weak",
      source: "specs redis stable/2024-11-01 RedisCacheGetPrivateEndpointConnection.json (no groupIds)",
    },
  ],
  [
    "Microsoft.Cache/redisEnterprise",
    {
      groupIds: "none",
      put: "async",
      settled: "Succeeded",
      missing: "notFound",
      etag: "weak",
      source: "specs redisenterprise stable/2025-04-01 RedisEnterpriseGetPrivateEndpointConnection.json (no groupIds)",
    },
  ],
  [
    "Microsoft.Storage/storageAccounts",
    {
      groupIds: "none",
      put: "sync",
      settled: "Succeeded",
      missing: "notFound",
      etag: "none",
      actionKey: "actionRequired",
      syncDelete: true,
      source: `${REC}storage_account.yaml (2025-09-22: PUT 200 synchronous, DELETE 200 empty, no groupIds, no etag, actionRequired)`,
    },
  ],
  [
    "Microsoft.Sql/servers",
    {
      groupIds: "groupIds",
      put: "accepted",
      settled: "Ready",
      missing: "sqlBadRequest",
      rejectOnlyPending: true,
      etag: "none",
      source: `${REC}sql_server.yaml (2021-11-03: groupIds, provisioningState Ready, no etag); 202 without header, 400 PrivateEndpointConnectionDoesNotExist / StatusNotPending: PLATFORM-FACTS.md (reproduced by the team)`,
    },
  ],
  [
    "Microsoft.DocumentDB/databaseAccounts",
    { groupIds: "groupId", put: "enqueued", settled: "Succeeded", missing: "notFound", etag: "none", source: `${REC}cosmosdb.yaml (2020-12-16)` },
  ],
  [
    "Microsoft.Network/privateLinkServices",
    {
      groupIds: "none",
      put: "sync",
      settled: "Succeeded",
      missing: "notFound",
      etag: "weak",
      source: "specs network stable/2025-03-01 PrivateLinkService*PrivateEndpointConnection.json",
    },
  ],
];

/** Quirks of the provider type (e.g. Microsoft.Sql/servers) or of its connection type. */
export function quirksOf(type: string | undefined): ConnectionQuirks {
  const provider = type?.replace(/\/privateEndpointConnections$/i, "");
  return QUIRKS.find(([t]) => sameType(t, provider))?.[1] ?? DEFAULT;
}
