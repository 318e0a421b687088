// The consumer-side private endpoint as the app reads it, whatever the SDK's shape.

export interface EndpointLink {
  name?: string;
  /** Provider resource id, when the link names one (not an alias). */
  targetResourceId?: string;
  /** Private Link Service alias, for services reached by alias. */
  alias?: string;
  groupIds: string[];
  status?: string;
  requestMessage?: string;
  /** true for manualPrivateLinkServiceConnections (needs approval). */
  manual: boolean;
}

export interface EndpointInfo {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location?: string;
  provisioningState?: string;
  links: EndpointLink[];
  customDnsConfigs: { fqdn?: string; ipAddresses: string[] }[];
  networkInterfaceIds: string[];
  tags: Record<string, string>;
}

/** One IP configuration of an endpoint's network interface. */
export interface NicIpConfig {
  ip?: string;
  groupId?: string;
  fqdns: string[];
}
