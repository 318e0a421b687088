// How long a provider takes to apply an approval (or a rejection) once it has accepted the
// write, as recorded in real Azure (Azure CLI recorded tests for private endpoint
// connections, Azure/azure-cli .../network/tests/latest/recordings/; ../shared/PLATFORM-FACTS.md).
// Known-slow providers are not waited for inside an invocation: the DNS continuation's
// first check is timed to land just after the recorded time, not before it.
import { sameType, tryParseResourceId } from "./resourceId.js";

export interface ApprovalTime {
  /** The connection's resource type. */
  type: string;
  ms: number;
  source: string;
}

export const RECORDED_APPROVAL_TIMES: readonly ApprovalTime[] = [
  {
    type: "Microsoft.KeyVault/vaults/privateEndpointConnections",
    ms: 47_000,
    source: "test_private_endpoint_connection_keyvault.yaml: approve PUT 06:14:42 → operation Succeeded 06:15:29",
  },
  {
    type: "Microsoft.DocumentDB/databaseAccounts/privateEndpointConnections",
    ms: 76_000,
    source: "test_private_endpoint_connection_cosmosdb.yaml: PUT 09:44:40 → new status first read 09:45:56",
  },
];

/**
 * The recorded time of an approval on this connection, or undefined when none was recorded
 * (assumed quick); `timeScale`: on a clock that runs this much faster (benchmarks, tests).
 */
export function recordedApprovalMs(connectionId: string, timeScale = 1): number | undefined {
  const type = tryParseResourceId(connectionId)?.type;
  const ms = RECORDED_APPROVAL_TIMES.find((t) => sameType(t.type, type))?.ms;
  return ms === undefined ? undefined : ms * timeScale;
}

/** The first check comes 10 % after the recorded time, so one check normally finds the provider done. */
export function firstCheckMs(expectedMs: number): number {
  return Math.ceil(expectedMs + expectedMs / 10);
}
