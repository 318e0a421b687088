// The estate the bench scenarios share: Key Vaults in one provider subscription,
// consumer VNets in N subscriptions, the vault zone in a hub subscription; endpoints
// created through @azure/arm-network as a team would; events as Event Grid sends them.
import { randomUUID } from "node:crypto";
import type { ArmClients } from "../../shared/gateways/arm/clients.js";
import type { ArmResource } from "../../sandbox/estate.js";
import type { CallLogEntry } from "../../sandbox/emulator/index.js";

export const PROVIDER = "22222222-2222-2222-2222-222222222222";
export const HUB = "33333333-3333-3333-3333-333333333333";
export const HUB_RG = `/subscriptions/${HUB}/resourceGroups/rg-dns`;
export const ZONE = "privatelink.vaultcore.azure.net";

/** Consumer subscription i (0-based): 1000000i-…, distinct from the provider and the hub. */
export const consumer = (i: number) => `${String(10_000_000 + i).padStart(8, "0")}-1111-1111-1111-111111111111`;
export const vaultId = (name: string) => `/subscriptions/${PROVIDER}/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/${name}`;

export function estate(opts: { vaults: string[]; consumers: number }): { resources: ArmResource[] } {
  const resources: ArmResource[] = [
    { id: `${HUB_RG}/providers/Microsoft.Network/privateDnsZones/${ZONE}`, type: "Microsoft.Network/privateDnsZones", location: "global", properties: {} },
  ];
  for (let i = 0; i < opts.consumers; i++) {
    resources.push({
      id: `/subscriptions/${consumer(i)}/resourceGroups/rg-app/providers/Microsoft.Network/virtualNetworks/vnet`,
      type: "Microsoft.Network/virtualNetworks",
      location: "westeurope",
      properties: { addressSpace: { addressPrefixes: ["10.0.0.0/8"] }, subnets: [{ name: "pe", properties: { addressPrefix: "10.0.0.0/12" } }] },
    });
  }
  for (const v of opts.vaults) resources.push({ id: vaultId(v), type: "Microsoft.KeyVault/vaults", location: "westeurope", properties: {} });
  return { resources };
}

/** The allow-list: the provider subscription managed, every consumer subscription's requests approved, the zone in the hub. */
export function allowList(consumers: number): string {
  const subs = Array.from({ length: consumers }, (_, i) => consumer(i)).join(", ");
  return `approval:\n  managedScopes: [/subscriptions/${PROVIDER}]\n  rules:\n    - name: spokes\n      requesterSubscriptions: [${subs}]\ndns:\n  zones:\n    - name: ${ZONE}\n      resourceGroupId: ${HUB_RG}\n`;
}

/** Creates an endpoint to `target` in consumer subscription `sub`, manual (Pending) or auto-approved. */
export async function createEndpoint(arm: ArmClients, sub: string, name: string, target: string, auto = false): Promise<string> {
  const link = { name: "link", privateLinkServiceId: target, groupIds: ["vault"], requestMessage: "please" };
  const pe = await arm.networkFor(sub).privateEndpoints.beginCreateOrUpdateAndWait("rg-app", name, {
    location: "westeurope",
    subnet: { id: `/subscriptions/${sub}/resourceGroups/rg-app/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe` },
    ...(auto ? { privateLinkServiceConnections: [link] } : { manualPrivateLinkServiceConnections: [link] }),
  });
  return pe.id!;
}

/** An Event Grid `ResourceWriteSuccess` / `ResourceDeleteSuccess` for an endpoint, as the system topic sends it. */
export function endpointEvent(endpointId: string, kind: "write" | "delete", id: string = randomUUID()) {
  const sub = endpointId.split("/")[2];
  return {
    id,
    topic: `/subscriptions/${sub}`,
    subject: endpointId,
    eventType: kind === "write" ? "Microsoft.Resources.ResourceWriteSuccess" : "Microsoft.Resources.ResourceDeleteSuccess",
    eventTime: new Date().toISOString(),
    dataVersion: "2",
    metadataVersion: "1",
    data: {
      resourceUri: endpointId,
      operationName: `Microsoft.Network/privateEndpoints/${kind}`,
      status: "Succeeded",
      subscriptionId: sub,
      resourceProvider: "Microsoft.Network",
    },
  };
}

/** The emulator's call log, counted the way issue 12 counts. */
export interface CallCounts {
  calls: number;
  /** ARM GETs outside Private DNS (operation status polls not included). */
  reads: number;
  /** Status polls of long-running operations. */
  polls: number;
  /** PUT/PATCH/POST/DELETE outside Private DNS. */
  writes: number;
  privateDnsReads: number;
  privateDnsWrites: number;
  /** Answered 429. */
  throttled: number;
  /** Answered 4xx/5xx other than 429 (a refused conditional write is one). */
  refused: number;
}

const PDNS = /\/providers\/microsoft\.network\/privatednszones(\/|$)/i;

export function countCalls(calls: readonly CallLogEntry[]): CallCounts {
  const c: CallCounts = { calls: 0, reads: 0, polls: 0, writes: 0, privateDnsReads: 0, privateDnsWrites: 0, throttled: 0, refused: 0 };
  for (const x of calls) {
    c.calls++;
    if (x.status === 429) c.throttled++;
    else if (x.status >= 400) c.refused++;
    const dns = PDNS.test(x.path);
    if (x.kind === "operation") c.polls++;
    else if (x.kind === "read") dns ? c.privateDnsReads++ : c.reads++;
    else dns ? c.privateDnsWrites++ : c.writes++;
  }
  return c;
}
