// One builder for the allow-lists endpoint tests write: the provider subscription managed,
// one rule for the requesters, zones in the hub. Each test names only what it changes
// (like external-dns's test fixtures), instead of copying the YAML.
import { stringify } from "yaml";
import { CONSUMER, HUB_RG, PROVIDER } from "./ids.js";

export const VAULT_ZONE = "privatelink.vaultcore.azure.net";

export interface AllowListOptions {
  /** Requester subscriptions of the one rule (default the consumer). */
  requesters?: string[];
  /** The rule's name (default "spokes"). */
  rule?: string;
  /** More approval settings (unmatched, revokeRemoved...). */
  approval?: Record<string, unknown>;
  /** Zones in the hub resource group: a name, or a name with its settings (ttl, mode...). Default the vault zone; [] = no dns section. */
  zones?: (string | { name: string; [setting: string]: unknown })[];
  /** More dns settings (mode, registerWhen, dryRun...). */
  dns?: Record<string, unknown>;
  cleanup?: Record<string, unknown>;
}

/** Cleanup that may delete everywhere in the consumer subscription, with no grace. */
export const CLEAN_UP_CONSUMER = {
  deleteDisconnectedEndpoints: true,
  deleteEndpointsIn: [`/subscriptions/${CONSUMER}`],
  gracePeriodMinutes: 0,
  deleteStaleConnections: true,
};

/** The allow-list's YAML text. */
export function allowList(o: AllowListOptions = {}): string {
  const zones = (o.zones ?? [VAULT_ZONE]).map((z) => (typeof z === "string" ? { name: z, resourceGroupId: HUB_RG } : { resourceGroupId: HUB_RG, ...z }));
  return stringify({
    approval: {
      managedScopes: [`/subscriptions/${PROVIDER}`],
      ...o.approval,
      rules: [{ name: o.rule ?? "spokes", requesterSubscriptions: o.requesters ?? [CONSUMER] }],
    },
    ...(zones.length || o.dns ? { dns: { ...o.dns, zones } } : {}),
    ...(o.cleanup ? { cleanup: o.cleanup } : {}),
  });
}
