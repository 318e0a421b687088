// The provider-side private endpoint connection as the app reads it, whatever the provider type.

// `string & {}` keeps the known names for completion while any status ARM sends still fits.
export type ConnectionStatus = "Pending" | "Approved" | "Rejected" | "Disconnected" | (string & {});

const KNOWN_STATUSES = ["Pending", "Approved", "Rejected", "Disconnected"];

/** Services differ in casing ("approved", "PENDING"); the app compares against one spelling. */
export function canonicalStatus(status: unknown): ConnectionStatus | undefined {
  if (typeof status !== "string") return undefined;
  return KNOWN_STATUSES.find((k) => k.toLowerCase() === status.toLowerCase()) ?? status;
}

export interface ConnectionInfo {
  /** Provider-side connection id: {target}/privateEndpointConnections/{name} */
  id: string;
  name: string;
  targetResourceId: string;
  targetType: string;
  status?: ConnectionStatus;
  description?: string;
  actionsRequired?: string;
  /** The requester's endpoint (`properties.privateEndpoint.id`). */
  privateEndpointId?: string;
  provisioningState?: string;
  /** Sub-resources, where the provider reports them on the connection. */
  groupIds: string[];
  etag?: string;
  /**
   * Set only on what setState returns when it stopped waiting for the provider's
   * long-running update (SetStateOptions.waitMs): the write was accepted and goes on in Azure.
   */
  operationRunning?: boolean;
}
