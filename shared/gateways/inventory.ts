// What exists, as the sweep lists it: the subscriptions the identity can read, the
// provider resources of the registered types (with the connections their listed
// bodies carry), and the private endpoints of a subscription. Through ARM's paged
// lists, or one Resource Graph query over many subscriptions (settings.resourceGraph),
// whose rows may lag ARM: `endpoint` reads one endpoint as ARM has it now.
import type { ArmClients } from "./arm/clients.js";
import { embeddedConnections } from "./connections.js";
import { readEndpoint, toEndpointInfo } from "./endpoints.js";
import type { ConnectionInfo } from "../model/connection.js";
import type { EndpointInfo } from "../model/endpoint.js";
import { PROVIDER_TYPES, type ProviderType } from "../model/providerTypes.js";
import { PRIVATE_ENDPOINT_TYPE } from "../events/operations.js";

const SUBSCRIPTIONS_API_VERSION = "2022-12-01";

/** A provider resource as listed; `connections`: those its body carries, undefined when it must list its own. */
export interface ListedTarget {
  id: string;
  connections: ConnectionInfo[] | undefined;
}

type ListedResource = { id: string; properties?: { privateEndpointConnections?: unknown } };

const listedTarget = (r: ListedResource): ListedTarget => ({ id: r.id, connections: embeddedConnections(r) });

export class ResourceInventory {
  constructor(private readonly clients: ArmClients) {}

  /** Lists by Resource Graph first (a failure falls back to ARM's lists: the caller's choice). */
  get usesResourceGraph(): boolean {
    return !!this.clients.settings.resourceGraph;
  }

  /** Every subscription the identity can read. */
  async subscriptions(): Promise<string[]> {
    const out: string[] = [];
    for await (const s of this.clients.generic.list<{ subscriptionId: string }>("/subscriptions", SUBSCRIPTIONS_API_VERSION)) out.push(s.subscriptionId);
    return out;
  }

  /** The subscription's resources of one registered type (`/subscriptions/{s}/providers/{type}`, paged). */
  async *targetsOfType(subscriptionId: string, provider: ProviderType): AsyncIterable<ListedTarget> {
    for await (const r of this.clients.generic.list<ListedResource>(`/subscriptions/${subscriptionId}/providers/${provider.type}`, provider.apiVersion))
      yield listedTarget(r);
  }

  /** The resources of every registered type in these subscriptions, by Resource Graph. */
  async *graphTargets(subscriptions: string[]): AsyncIterable<ListedTarget> {
    for await (const r of this.clients.graph.resourcesOfTypes(
      subscriptions,
      PROVIDER_TYPES.map((p) => p.type),
    ))
      yield listedTarget(r);
  }

  /** The subscription's private endpoints (ARM, paged). */
  async *endpointsOf(subscriptionId: string): AsyncIterable<EndpointInfo> {
    for await (const pe of this.clients.networkFor(subscriptionId).privateEndpoints.listBySubscription()) yield toEndpointInfo(pe);
  }

  /** The private endpoints of these subscriptions, by Resource Graph. */
  async *graphEndpoints(subscriptions: string[]): AsyncIterable<EndpointInfo> {
    for await (const r of this.clients.graph.resourcesOfTypes(subscriptions, [PRIVATE_ENDPOINT_TYPE])) yield toEndpointInfo(r);
  }

  /** One endpoint as ARM has it now; undefined when it does not exist. */
  endpoint(endpointId: string): Promise<EndpointInfo | undefined> {
    return readEndpoint(this.clients, endpointId);
  }
}
