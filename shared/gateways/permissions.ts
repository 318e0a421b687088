// The Azure RBAC actions each part of the app needs, derived from the calls it makes
// (connections.ts, endpoints.ts, privateDns.ts, the sweep and the cleaner) and from the
// provider registry. infra/generated.json is written from here (`npm run infra:generate`)
// and the Bicep reads it, so the custom roles and the code cannot disagree; a test
// re-generates and compares.
import { PROVIDER_TYPES, CONNECTIONS_CHILD, type ProviderType } from "../model/providerTypes.js";
import { RECORD_TYPES } from "../model/recordSet.js";

export type RoleKey = "approver" | "dnsWriter" | "consumerReader" | "endpointCleaner" | "groupReader";

export interface RoleSpec {
  roleName: string;
  description: string;
  /** Control-plane actions, sorted, never a wildcard. */
  actions: string[];
}

const namespaceOf = (type: string) => type.split("/")[0]!;

/** The operation-status GETs the long-running-operation poller makes for this type's updates. */
export function operationStatusReads(p: ProviderType): string[] {
  return p.rbac.operationStatus.map((seg) => `${namespaceOf(p.type)}/locations/${seg}/read`);
}

/**
 * Provider side, per registry type: list/read connections, set their state, list the type
 * (the sweep lists `/subscriptions/{s}/providers/{type}`), and follow the update's async operation.
 */
export function approverActions(types: readonly ProviderType[] = PROVIDER_TYPES): string[] {
  return sorted(
    types.flatMap((p) => [
      `${p.type}/read`,
      `${p.type}/${CONNECTIONS_CHILD}/read`,
      `${p.type}/${CONNECTIONS_CHILD}/write`,
      ...(p.rbac.approvalAction ? [`${p.type}/privateEndpointConnectionsApproval/action`] : []),
      ...operationStatusReads(p),
    ]),
  );
}

/** Hub side: the zones' A and AAAA record sets (get, list by type, create/update with ETags, delete). */
export function dnsWriterActions(): string[] {
  const zones = "Microsoft.Network/privateDnsZones";
  return sorted([`${zones}/read`, ...RECORD_TYPES.flatMap((type) => ["read", "write", "delete"].map((verb) => `${zones}/${type}/${verb}`))]);
}

/** Consumer side: read endpoints (get, list by subscription) and their NICs for the IP addresses. */
export function consumerReaderActions(): string[] {
  return sorted(["Microsoft.Network/privateEndpoints/read", "Microsoft.Network/networkInterfaces/read"]);
}

/**
 * Optional cleanup: delete Disconnected endpoints (consumer side, a long-running delete polled on
 * Microsoft.Network's operation URLs) and Disconnected connections (provider side, cleanup.deleteStaleConnections).
 */
export function endpointCleanerActions(types: readonly ProviderType[] = PROVIDER_TYPES): string[] {
  const network = PROVIDER_TYPES.find((p) => p.type === "Microsoft.Network/privateLinkServices")!;
  return sorted([
    "Microsoft.Network/privateEndpoints/delete",
    ...operationStatusReads(network),
    ...types.flatMap((p) => [`${p.type}/${CONNECTIONS_CHILD}/delete`, ...operationStatusReads(p)]),
  ]);
}

/**
 * The allow-list's requesterManagementGroups: list the subscriptions below a management group
 * (GET /providers/Microsoft.Management/managementGroups/{g}/descendants, shared/gateways/managementGroups.ts).
 */
export function groupReaderActions(): string[] {
  return ["Microsoft.Management/managementGroups/descendants/read"];
}

export function roleSpecs(): Record<RoleKey, RoleSpec> {
  return {
    approver: {
      roleName: "privatelink-autopilot connection approver",
      description: "Reads, approves and rejects private endpoint connections of the provider types privatelink-autopilot manages.",
      actions: approverActions(),
    },
    dnsWriter: {
      roleName: "privatelink-autopilot DNS record writer",
      description: "Reads Private DNS zones and reads, writes and deletes their A record sets (not zones, not virtual network links).",
      actions: dnsWriterActions(),
    },
    consumerReader: {
      roleName: "privatelink-autopilot endpoint reader",
      description: "Reads private endpoints and their network interfaces in a watched subscription.",
      actions: consumerReaderActions(),
    },
    endpointCleaner: {
      roleName: "privatelink-autopilot endpoint cleaner",
      description: "Optional: deletes Disconnected private endpoints and Disconnected private endpoint connections.",
      actions: endpointCleanerActions(),
    },
    groupReader: {
      roleName: "privatelink-autopilot management group reader",
      description: "Lists the subscriptions below a management group, for allow-list rules that name requesters by management group.",
      actions: groupReaderActions(),
    },
  };
}

function sorted(xs: string[]): string[] {
  return [...new Set(xs)].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
}
