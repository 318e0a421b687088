// The ARM operations (data.operationName of a Microsoft.Resources.* event) the handler acts on.
// The Event Grid subscription's advanced filter is generated from the same list
// (infra/generated.json), so what Azure delivers and what the handler uses cannot drift apart.
import { PROVIDER_TYPES } from "../model/providerTypes.js";

export const PRIVATE_ENDPOINT_TYPE = "Microsoft.Network/privateEndpoints";
export const NETWORK_INTERFACE_TYPE = "Microsoft.Network/networkInterfaces";

/**
 * Prefixes of the operation names the handler acts on (compared case-insensitively, as Event Grid does):
 * - a consumer's endpoint written or deleted;
 * - a network interface written (an endpoint's IP configuration changed: followed to its endpoint, so records follow at once);
 * - a managed provider resource written (some services report connection changes on the parent);
 * - anything on its connections: `privateEndpointConnections/*`, `privateEndpointConnectionsApproval/action`,
 *   `privateEndpointConnectionProxies/*` (the proxy the Network RP writes when a request arrives).
 * Not here, so never delivered: the app's own DNS writes (`Microsoft.Network/privateDnsZones/...`), key listings
 * and every other action on a managed resource. One prefix per entry keeps the filter under Event Grid's 25 values.
 */
export const HANDLED_OPERATION_PREFIXES: readonly string[] = [
  `${PRIVATE_ENDPOINT_TYPE}/write`,
  `${PRIVATE_ENDPOINT_TYPE}/delete`,
  `${NETWORK_INTERFACE_TYPE}/write`,
  ...PROVIDER_TYPES.flatMap((p) => [`${p.type}/write`, `${p.type}/privateEndpointConnection`]),
];

const LOWER = HANDLED_OPERATION_PREFIXES.map((p) => p.toLowerCase());

/** True when the handler acts on an event with this operation name. */
export function isHandledOperation(operationName: string): boolean {
  const op = operationName.toLowerCase();
  return LOWER.some((p) => op.startsWith(p));
}
