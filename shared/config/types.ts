// The allow-list as callers see it: validated, with every default filled in.
// The raw file shape is described by allow-list.schema.json; keep the two in step
// (test/config/schema.test.ts checks that the schema's `default`s equal DEFAULTS).

export type UnmatchedAction = "leave-pending" | "reject";
export type DnsMode = "sync" | "upsert-only" | "create-only";
export type RegisterWhen = "approved" | "always";

export type RuleAction = "allow" | "reject";

export interface ApprovalRule {
  name: string;
  description?: string;
  /**
   * "allow" (default) approves what the rule matches; "reject" rejects it, and every
   * reject rule is tried before any allow rule (deny wins, as in GCP Private Service
   * Connect's reject list).
   */
  action?: RuleAction;
  /**
   * Subscription ids (GUIDs) the requesting private endpoint may live in. Together with
   * requesterManagementGroups one criterion: the subscription is listed here or lies
   * under one of the groups. An allow rule names the requester by at least one of
   * these or requesterEndpointIds.
   */
  requesterSubscriptions?: string[];
  /** Management group ids (names): every subscription below them, read through ARM. */
  requesterManagementGroups?: string[];
  /** Globs on the requester's private endpoint id (properties.privateEndpoint.id), set by the platform. */
  requesterEndpointIds?: string[];
  /**
   * Globs on the request message, which the consumer writes: it only narrows a rule that
   * names the requester otherwise, never allows on its own (the schema requires a
   * requester criterion beside it on allow rules).
   */
  requestMessages?: string[];
  /** Resource group name globs; undefined = any. */
  requesterResourceGroups?: string[];
  /** Target resource types (case-insensitive); undefined = any. */
  targetResourceTypes?: string[];
  /** Target resource id globs (`*` spans `/`); undefined = any. */
  targetResourceIds?: string[];
  /** Allowed group ids (case-insensitive); undefined = any. */
  groupIds?: string[];
}

export interface ApprovalConfig {
  /** Resource id prefixes the app may act on (never empty). */
  managedScopes: string[];
  unmatched: UnmatchedAction;
  revokeRemoved: boolean;
  /** In file order; the first match wins. */
  rules: ApprovalRule[];
}

/** A zone with the per-zone overrides already resolved against dns.ttl / dns.mode. */
export interface DnsZoneConfig {
  name: string;
  /** /subscriptions/{id}/resourceGroups/{name} */
  resourceGroupId: string;
  /** Effective TTL: the zone's own `ttl`, else dns.ttl. */
  ttl: number;
  /** Effective mode: the zone's own `mode`, else dns.mode. */
  mode: DnsMode;
  /** A zone of the admins' own, not in Microsoft's table (validate does not warn about it). */
  custom?: boolean;
  /** dns.ownerId, the marker this deployment writes on (and recognises in) the zone's record sets. */
  ownerId?: string;
}

export interface CustomRecordMatch {
  targetResourceIds?: string[];
  aliases?: string[];
}

export interface CustomRecordConfig {
  name: string;
  description?: string;
  /** At least one of the two lists is present. */
  match: CustomRecordMatch;
  /** A zone name that is also listed in dns.zones. */
  zone: string;
  /** Template; placeholders from RECORD_NAME_PLACEHOLDERS. */
  recordName: string;
  /** Values for {clusterId}: one record per id. Required when the template uses {clusterId}. */
  clusterIds?: string[];
}

export interface DnsConfig {
  /** This deployment's owner id on record sets (external-dns's --txt-owner-id); default the app's name. */
  ownerId?: string;
  mode: DnsMode;
  ttl: number;
  registerWhen: RegisterWhen;
  /** Endpoint scopes (subscription or resource group ids) whose endpoints get records; undefined = every watched one. */
  registerFor?: string[];
  dryRun: boolean;
  zones: DnsZoneConfig[];
  customRecords: CustomRecordConfig[];
}

export interface CleanupConfig {
  deleteDisconnectedEndpoints: boolean;
  gracePeriodMinutes: number;
  exclusionTag: string;
  deleteStaleConnections: boolean;
  /** Consumer scopes (subscription or resource group ids) where Disconnected endpoints may be deleted; [] = nowhere. */
  deleteEndpointsIn: string[];
}

export interface AllowListConfig {
  approval: ApprovalConfig;
  /** Always present; defaults (and no zones) when the file has no `dns` section. */
  dns: DnsConfig;
  /** Always present; defaults when the file has no `cleanup` section. */
  cleanup: CleanupConfig;
}

export const RECORD_NAME_PLACEHOLDERS = ["endpointName", "clusterId", "aliasPrefix", "targetName"] as const;
export type RecordNamePlaceholder = (typeof RECORD_NAME_PLACEHOLDERS)[number];

export const DEFAULTS = {
  approval: { unmatched: "leave-pending" as UnmatchedAction, revokeRemoved: false },
  dns: { ownerId: "privatelink-autopilot", mode: "sync" as DnsMode, ttl: 600, registerWhen: "approved" as RegisterWhen, dryRun: false },
  cleanup: {
    deleteDisconnectedEndpoints: false,
    gracePeriodMinutes: 60,
    exclusionTag: "privatelink-autopilot-keep",
    deleteStaleConnections: false,
    deleteEndpointsIn: [] as string[],
  },
} as const;

export interface ConfigProblem {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Path of the offending key, e.g. `approval.rules[0].requesterSubscriptions[1]`; "" for the whole file. */
  key: string;
  message: string;
}

export type ConfigResult =
  /** `warnings`: things that are allowed but probably wrong (a zone not in Microsoft's table); they change nothing. */
  { ok: true; file: string; config: AllowListConfig; warnings?: ConfigProblem[] } | { ok: false; file: string; problems: ConfigProblem[] };
