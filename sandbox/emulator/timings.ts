// How long each long-running operation takes in real Azure, from recorded
// traffic (Azure CLI recorded tests, Azure/azure-cli
// src/azure-cli/azure/cli/command_modules/network/tests/latest/recordings/), all
// multiplied by one clock factor `timeScale`: 1 = real time (benchmarks),
// 0.001 = the default (a 47 s approval takes 47 ms, so `npm test` stays fast).
// `lroDelayMs`, when given, overrides every duration with one fixed value.
import { sameType } from "../../shared/model/resourceId.js";

export type OperationKind = "put" | "delete";

interface Timing {
  type: string;
  kind: OperationKind;
  ms: number;
  /** Recording file and the interactions that give the figure. */
  source: string;
}

const REC = "test_private_endpoint_connection_";

export const TIMINGS: readonly Timing[] = [
  {
    type: "Microsoft.KeyVault/vaults/privateEndpointConnections",
    kind: "put",
    ms: 47_000,
    source: `${REC}keyvault.yaml: reject PUT 06:13:49 → Succeeded 06:14:36; approve PUT 06:14:42 → Succeeded 06:15:29 (2021-10-15)`,
  },
  {
    type: "Microsoft.KeyVault/vaults/privateEndpointConnections",
    kind: "delete",
    ms: 47_000,
    source: `${REC}keyvault.yaml: DELETE 202 + kv-operation Location (not polled in the recording; taken as long as an approval)`,
  },
  {
    type: "Microsoft.DocumentDB/databaseAccounts/privateEndpointConnections",
    kind: "put",
    ms: 76_000,
    source: `${REC}cosmosdb.yaml: reject PUT 09:44:40 → status Rejected first read 09:45:56 (2020-12-16); provisioningState Succeeded throughout`,
  },
  {
    type: "Microsoft.DocumentDB/databaseAccounts/privateEndpointConnections",
    kind: "delete",
    ms: 76_000,
    source: `${REC}cosmosdb.yaml: DELETE 202 {"status":"Enqueued"} (not polled; taken as long as a PUT)`,
  },
  {
    type: "Microsoft.Sql/servers/privateEndpointConnections",
    kind: "delete",
    ms: 30_000,
    source: `${REC}sql_server.yaml: DELETE 202 "DropPrivateEndpointConnection" (not polled; estimate)`,
  },
  {
    type: "Microsoft.Network/privateEndpoints",
    kind: "put",
    ms: 42_000,
    source: `${REC}sql_server.yaml: PUT 201 09:24:05 → operation Succeeded 09:24:47 (2021-11-03)`,
  },
  { type: "Microsoft.Network/privateEndpoints", kind: "delete", ms: 42_000, source: "taken as long as a create" },
  { type: "Microsoft.Network/virtualNetworks", kind: "put", ms: 3_000, source: `${REC}keyvault.yaml: VNet PUT 06:12:37 → Succeeded 06:12:40` },
  {
    type: "Microsoft.Network/privateDnsZones",
    kind: "put",
    ms: 32_000,
    source: "privatedns test_add_record_with_ttl.yaml: zone PUT 05:38:57 → Succeeded 05:39:29 (2025-05-16)",
  },
];

/** Every other long-running operation (subnets, NICs, links, zone groups...). */
export const DEFAULT_LRO_MS = 10_000;
export const DEFAULT_TIME_SCALE = 0.001;

export function durationMs(type: string | undefined, kind: OperationKind, timeScale: number): number {
  const t = TIMINGS.find((x) => x.kind === kind && sameType(x.type, type));
  return Math.round((t?.ms ?? DEFAULT_LRO_MS) * timeScale);
}
