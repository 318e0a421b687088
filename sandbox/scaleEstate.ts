// A generated estate at landing-zone scale, in sync: consumer subscriptions with one
// VNet each and private endpoints to Key Vaults of one provider subscription, every
// connection Approved, every A-record in the hub zone as the app writes it (its
// ownership metadata, the zone's TTL). `drift` puts a share of it out of step the way
// a sweep must repair: a record missing, a record with a stale IP, a connection still
// Pending. Shapes follow examples/estate.json (real ARM bodies). Used by
// bench/scenarios/reconcile.ts (10,000 endpoints) and, small, by test/sweep.
import type { ArmResource, Estate } from "./estate.js";
import { encodeOwnership } from "../shared/dns/ownership.js";

export const SCALE_PROVIDER = "22222222-2222-2222-2222-222222222222";
export const SCALE_HUB_RG = "/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-dns";
export const SCALE_ZONE = "privatelink.vaultcore.azure.net";
const TTL = 10; // the allow-list's dns.ttl below
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

export interface ScaleOptions {
  endpoints: number;
  subscriptions: number;
  /** Share (0..1) of endpoints out of step, split evenly over missing record / stale IP / Pending. */
  drift?: number;
}

export type DriftKind = "missing-record" | "stale-ip" | "pending";

export interface ScaleEstate {
  estate: Estate;
  /** The allow-list (YAML) that manages the provider subscription and allows every consumer subscription. */
  allowList: string;
  subscriptions: string[];
  endpointIds: string[];
  /** Endpoint id → how it was put out of step. */
  drifted: Map<string, DriftKind>;
}

/** Subscription ids 00000000-0000-4000-8000-0000000s (deterministic, valid GUIDs). */
export const scaleSubscription = (s: number) => `00000000-0000-4000-8000-${String(s + 1).padStart(12, "0")}`;

export function scaleEstate(o: ScaleOptions): ScaleEstate {
  const subscriptions = Array.from({ length: o.subscriptions }, (_, s) => scaleSubscription(s));
  const resources: ArmResource[] = [
    {
      id: `${SCALE_HUB_RG}/providers/Microsoft.Network/privateDnsZones/${SCALE_ZONE}`,
      type: "Microsoft.Network/privateDnsZones",
      location: "global",
      properties: { maxNumberOfRecordSets: 25000, maxNumberOfVirtualNetworkLinks: 1000, numberOfVirtualNetworkLinks: 0, provisioningState: "Succeeded" },
    },
  ];
  subscriptions.forEach((sub, s) =>
    resources.push({
      id: `/subscriptions/${sub}/resourceGroups/rg-app/providers/Microsoft.Network/virtualNetworks/vnet`,
      type: "Microsoft.Network/virtualNetworks",
      location: "westeurope",
      properties: {
        addressSpace: { addressPrefixes: [`10.${s % 250}.0.0/16`] },
        subnets: [{ name: "pe", properties: { addressPrefix: `10.${s % 250}.0.0/16`, privateEndpointNetworkPolicies: "Disabled" } }],
        provisioningState: "Succeeded",
      },
    }),
  );
  const every = o.drift ? Math.max(1, Math.round(1 / o.drift)) : 0;
  const kinds: DriftKind[] = ["missing-record", "stale-ip", "pending"];
  const drifted = new Map<string, DriftKind>();
  const endpointIds: string[] = [];
  for (let i = 0; i < o.endpoints; i++) {
    const s = i % o.subscriptions;
    const k = Math.floor(i / o.subscriptions); // index within its subscription
    const sub = subscriptions[s]!;
    const vault = `kv-${i}`;
    const vaultId = `/subscriptions/${SCALE_PROVIDER}/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/${vault}`;
    const guid = `${String(i).padStart(8, "0")}-0000-4000-8000-${String(s).padStart(12, "0")}`;
    const pe = `pe-${i}`;
    const peId = `/subscriptions/${sub}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/${pe}`;
    const nicId = `/subscriptions/${sub}/resourceGroups/rg-app/providers/Microsoft.Network/networkInterfaces/${pe}.nic.${guid.slice(0, 8)}`;
    const subnetId = `/subscriptions/${sub}/resourceGroups/rg-app/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe`;
    const ip = `10.${s % 250}.${(k + 4) >> 8}.${(k + 4) & 255}`;
    const fqdn = `${vault}.vault.azure.net`;
    const kind = every && i % every === every - 1 ? kinds[Math.floor(i / every) % kinds.length]! : undefined;
    if (kind) drifted.set(peId, kind);
    const status = kind === "pending" ? "Pending" : "Approved";
    const state = { status, description: status === "Approved" ? "Approved by a human" : "please", actionsRequired: "None" };
    endpointIds.push(peId);
    resources.push(
      {
        id: vaultId,
        type: "Microsoft.KeyVault/vaults",
        location: "westeurope",
        tags: {},
        properties: {
          tenantId: TENANT,
          sku: { family: "A", name: "standard" },
          vaultUri: `https://${fqdn}/`,
          publicNetworkAccess: "Disabled",
          enableRbacAuthorization: true,
          provisioningState: "Succeeded",
        },
      },
      {
        id: `${vaultId}/privateEndpointConnections/${pe}.${guid}`,
        type: "Microsoft.KeyVault/vaults/privateEndpointConnections",
        etag: `W/"${guid}"`,
        properties: { provisioningState: "Succeeded", privateEndpoint: { id: peId }, privateLinkServiceConnectionState: state },
      },
      {
        id: peId,
        type: "Microsoft.Network/privateEndpoints",
        location: "westeurope",
        etag: `W/"${guid}"`,
        properties: {
          provisioningState: "Succeeded",
          resourceGuid: guid,
          subnet: { id: subnetId },
          networkInterfaces: [{ id: nicId }],
          customDnsConfigs: [{ fqdn, ipAddresses: [ip] }],
          privateLinkServiceConnections: [],
          manualPrivateLinkServiceConnections: [
            {
              id: `${peId}/manualPrivateLinkServiceConnections/${vault}`,
              name: vault,
              type: "Microsoft.Network/privateEndpoints/manualPrivateLinkServiceConnections",
              properties: {
                provisioningState: "Succeeded",
                privateLinkServiceId: vaultId,
                groupIds: ["vault"],
                requestMessage: "please",
                privateLinkServiceConnectionState: state,
              },
            },
          ],
        },
      },
      {
        id: nicId,
        type: "Microsoft.Network/networkInterfaces",
        location: "westeurope",
        properties: {
          provisioningState: "Succeeded",
          ipConfigurations: [
            {
              name: `privateEndpointIpConfig.${guid}`,
              properties: {
                privateIPAddress: ip,
                privateIPAllocationMethod: "Dynamic",
                subnet: { id: subnetId },
                privateLinkConnectionProperties: { groupId: "vault", requiredMemberName: "default", fqdns: [fqdn] },
              },
            },
          ],
          privateEndpoint: { id: peId },
        },
      },
    );
    if (kind === "missing-record" || kind === "pending") continue;
    resources.push({
      id: `${SCALE_HUB_RG}/providers/Microsoft.Network/privateDnsZones/${SCALE_ZONE}/A/${vault}`,
      type: "Microsoft.Network/privateDnsZones/A",
      etag: guid,
      properties: {
        ttl: TTL,
        fqdn: `${vault}.${SCALE_ZONE}.`,
        isAutoRegistered: false,
        aRecords: [{ ipv4Address: kind === "stale-ip" ? `10.255.255.${(i % 250) + 1}` : ip }],
        metadata: encodeOwnership({ owner: peId, claimants: [] }),
      },
    });
  }
  const allowList = `approval:
  managedScopes: [/subscriptions/${SCALE_PROVIDER}]
  rules:
    - name: spokes
      requesterSubscriptions: [${subscriptions.join(", ")}]
dns:
  ttl: ${TTL}
  zones:
    - name: ${SCALE_ZONE}
      resourceGroupId: ${SCALE_HUB_RG}
`;
  return { estate: { resources }, allowList, subscriptions, endpointIds, drifted };
}
