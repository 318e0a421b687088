// An estate is a snapshot of ARM: resource bodies exactly as ARM GET returns them,
// each with its full `id`. Child resources (private endpoint connections, DNS
// record sets) are their own entries.

export interface ArmResource {
  id: string;
  name?: string;
  type?: string;
  location?: string;
  etag?: string;
  tags?: Record<string, string>;
  properties?: Record<string, any>;
  [key: string]: unknown;
}

export interface Estate {
  resources: ArmResource[];
  /** The management group hierarchy (ARM keeps it outside any subscription). */
  managementGroups?: EstateManagementGroup[];
  /** What ARM refuses in this estate (honoured by the emulator; not part of any GET). */
  refusals?: EstateRefusals;
}

export interface EstateRefusals {
  /** Subscription id → provider namespaces it never registered: 409 MissingSubscriptionRegistration. */
  unregisteredNamespaces?: Record<string, string[]>;
  /** Scopes (subscription, resource group or resource ids) the identity may not touch: 403 AuthorizationFailed. */
  forbiddenScopes?: string[];
}

export interface EstateManagementGroup {
  /** The group's id (its name), e.g. corp. */
  name: string;
  displayName?: string;
  /** The parent group's name; absent for a group directly below the tenant root. */
  parent?: string;
  /** Subscription ids directly in this group. */
  subscriptions?: string[];
}
