// Reads consumer-side private endpoints through @azure/arm-network.
import { isNotFound } from "./arm/errors.js";
import { parseResourceId, tryParseResourceId } from "../model/resourceId.js";
import type { EndpointInfo, EndpointLink, NicIpConfig } from "../model/endpoint.js";
import type { ArmClients } from "./arm/clients.js";
import { ABSENT, PRESENT, WriteGate, type WriteResult } from "./writeGate.js";
import { canonicalStatus } from "../model/connection.js";

/** Normalises an ARM body or the SDK's flattened model. */
export function toEndpointInfo(body: any): EndpointInfo {
  const p = body.properties ?? body;
  const id = parseResourceId(body.id);
  const links = (list: any[] | undefined, manual: boolean): EndpointLink[] =>
    (list ?? []).map((l) => {
      const lp = l.properties ?? l;
      const target: string | undefined = lp.privateLinkServiceId;
      const isId = !!tryParseResourceId(target);
      return {
        name: l.name,
        targetResourceId: isId ? target : undefined,
        alias: !isId ? target : undefined,
        groupIds: lp.groupIds ?? [],
        status: canonicalStatus(lp.privateLinkServiceConnectionState?.status),
        requestMessage: lp.requestMessage,
        manual,
      };
    });
  return {
    id: id.id,
    name: id.name!,
    subscriptionId: id.subscriptionId,
    resourceGroup: id.resourceGroup!,
    location: body.location,
    provisioningState: p.provisioningState,
    links: [...links(p.manualPrivateLinkServiceConnections, true), ...links(p.privateLinkServiceConnections, false)],
    customDnsConfigs: (p.customDnsConfigs ?? []).map((c: any) => ({ fqdn: c.fqdn, ipAddresses: c.ipAddresses ?? [] })),
    networkInterfaceIds: (p.networkInterfaces ?? []).map((n: any) => n.id).filter(Boolean),
    tags: body.tags ?? {},
  };
}

export function toNicIpConfigs(nic: any): NicIpConfig[] {
  const p = nic.properties ?? nic;
  return (p.ipConfigurations ?? []).map((c: any) => {
    const cp = c.properties ?? c;
    const plc = cp.privateLinkConnectionProperties ?? {};
    return { ip: cp.privateIPAddress, groupId: plc.groupId, fqdns: plc.fqdns ?? [] };
  });
}

/** Fresh read of one endpoint (the gateway's, and the inventory's check of a listed one); undefined when it does not exist. */
export async function readEndpoint(clients: ArmClients, endpointId: string): Promise<EndpointInfo | undefined> {
  const id = parseResourceId(endpointId);
  try {
    return toEndpointInfo(await clients.networkFor(id.subscriptionId).privateEndpoints.get(id.resourceGroup!, id.name!));
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export class EndpointsGateway {
  constructor(
    private readonly clients: ArmClients,
    readonly gate: WriteGate = new WriteGate(),
  ) {
    gate.reader("endpoint-delete", async (id) => ((await this.getEndpoint(id)) ? PRESENT : ABSENT));
  }

  /** Deletes a consumer endpoint and waits for the delete (through the write gate). */
  deleteEndpoint(endpointId: string, reason = ""): Promise<WriteResult<void>> {
    const id = parseResourceId(endpointId);
    return this.gate.write("endpoint-delete", { resource: endpointId, want: ABSENT, action: "delete-endpoint", reason }, () =>
      this.clients
        .networkFor(id.subscriptionId)
        .privateEndpoints.beginDeleteAndWait(id.resourceGroup!, id.name!, { updateIntervalInMs: this.clients.settings.pollIntervalMs }),
    );
  }

  /** Fresh read; undefined when the endpoint does not exist (or is not readable: 403 is an error). */
  getEndpoint(endpointId: string): Promise<EndpointInfo | undefined> {
    return readEndpoint(this.clients, endpointId);
  }

  /**
   * The private endpoint a network interface belongs to (the platform sets the NIC's
   * `privateEndpoint.id`); undefined for any other NIC, or one that is gone.
   */
  async endpointOfNic(nicId: string): Promise<string | undefined> {
    const id = tryParseResourceId(nicId);
    if (!id?.resourceGroup || !id.name) return undefined;
    try {
      const nic = await this.clients.networkFor(id.subscriptionId).networkInterfaces.get(id.resourceGroup, id.name);
      return nic.privateEndpoint?.id || undefined;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** The IP configurations of the endpoint's network interfaces (FQDNs and private IPs). */
  async getIpConfigs(pe: EndpointInfo): Promise<NicIpConfig[]> {
    const out: NicIpConfig[] = [];
    for (const nicId of pe.networkInterfaceIds) {
      const id = tryParseResourceId(nicId);
      if (!id?.resourceGroup || !id.name) continue; // not a NIC id we can read
      try {
        out.push(...toNicIpConfigs(await this.clients.networkFor(id.subscriptionId).networkInterfaces.get(id.resourceGroup, id.name)));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return out;
  }
}
