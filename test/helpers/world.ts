// Shared building blocks for tests that drive the emulator through the SDK:
// a consumer VNet, hub zones, provider parents, and endpoints created as a team would.
import type { ArmResource } from "../../sandbox/estate.js";
import type { LocalArm } from "../../sandbox/localArm.js";
import { allowList } from "./allowList.js";
import { CONSUMER, HUB_RG, PROVIDER } from "./ids.js";

export { PROVIDER, CONSUMER, HUB, HUB_RG } from "./ids.js";

/** The allow-list most endpoint tests share: the provider subscription managed, the consumer's requests allowed, the vault zone in the hub. */
export const SPOKES_ALLOW = allowList();

export const providerId = (type: string, name: string) => `/subscriptions/${PROVIDER}/resourceGroups/rg-shared/providers/${type}/${name}`;
export const vaultId = (name: string) => providerId("Microsoft.KeyVault/vaults", name);

export function parent(id: string, type: string): ArmResource {
  return { id, type, location: "westeurope", properties: {} };
}

export function hubZone(name: string): ArmResource {
  return { id: `${HUB_RG}/providers/Microsoft.Network/privateDnsZones/${name}`, type: "Microsoft.Network/privateDnsZones", location: "global", properties: {} };
}

export function consumerVnet(rg: string): ArmResource {
  return {
    id: `/subscriptions/${CONSUMER}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/vnet`,
    type: "Microsoft.Network/virtualNetworks",
    location: "westeurope",
    properties: { addressSpace: { addressPrefixes: ["10.10.0.0/16"] }, subnets: [{ name: "pe", properties: { addressPrefix: "10.10.1.0/24" } }] },
  };
}

export interface EndpointOptions {
  rg?: string;
  groupId?: string;
  /** privateLinkServiceConnections (auto-approved) instead of manual ones. */
  auto?: boolean;
  tags?: Record<string, string>;
  /** The requester's message (default "please"). */
  requestMessage?: string;
}

/** Creates an endpoint in the consumer subscription through @azure/arm-network, as a team would. */
export async function createEndpoint(l: LocalArm, name: string, target: string, opts: EndpointOptions = {}): Promise<string> {
  const rg = opts.rg ?? "rg-app";
  const link = { name: "link", privateLinkServiceId: target, groupIds: [opts.groupId ?? "vault"], requestMessage: opts.requestMessage ?? "please" };
  const pe = await l.arm.networkFor(CONSUMER).privateEndpoints.beginCreateOrUpdateAndWait(rg, name, {
    location: "westeurope",
    tags: opts.tags,
    subnet: { id: `/subscriptions/${CONSUMER}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe` },
    ...(opts.auto ? { privateLinkServiceConnections: [link] } : { manualPrivateLinkServiceConnections: [link] }),
  });
  return pe.id!;
}

/** Writes that changed something (a refused create-if-absent, 412, changed nothing). */
export const changingWrites = (l: LocalArm) => l.emulator.calls.filter((c) => c.method !== "GET" && c.status < 400).length;
