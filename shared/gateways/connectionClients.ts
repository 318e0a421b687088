// One client per kind of provider API, behind one small interface: list, get, update
// and delete a target's private endpoint connections. Which one a provider type uses is
// the registry's `client`, chosen once per type (connectionClientFor). They speak the
// wire: bodies as ARM or the SDK returns them, normalised by the ConnectionsGateway.
import type { PipelineResponse } from "@azure/core-rest-pipeline";
import type { ArmClients } from "./arm/clients.js";
import type { GenericArmClient } from "./arm/genericClient.js";
import { parentResourceId, parseResourceId } from "../model/resourceId.js";
import { CONNECTIONS_CHILD, type ProviderClient, type ProviderType } from "../model/providerTypes.js";

/** What an update writes into `privateLinkServiceConnectionState`. */
export interface ConnectionState {
  status: string;
  description: string;
  actionsRequired: string;
}

/** The connection an update writes: its id and name, and the ETag it was read with (sent as If-Match). */
export interface ConnectionRef {
  id: string;
  name: string;
  targetResourceId: string;
  etag?: string;
}

/** An update the provider accepted; `pollUntilDone` follows its operation and answers with the last status body. */
export interface UpdateOperation {
  pollUntilDone(): Promise<unknown>;
}

export interface ConnectionClient {
  /** The target's connections, as the service lists them. */
  list(targetResourceId: string): AsyncIterable<unknown>;
  /** One connection's body; undefined when it is gone (a 404 may also be thrown). */
  get(connectionId: string): Promise<unknown>;
  /** Sends the state write; the operation it starts is followed by `pollUntilDone` (waitMs: at most that long). */
  beginUpdate(conn: ConnectionRef, state: ConnectionState, waitMs?: number): Promise<UpdateOperation>;
  /** Deletes the connection and waits for the delete. */
  delete(connectionId: string): Promise<void>;
}

/** Every type keeps its connections at `{resourceId}/privateEndpointConnections`: the registry's api-version is all it needs. */
class GenericConnections implements ConnectionClient {
  constructor(
    private readonly generic: GenericArmClient,
    private readonly apiVersion: string,
  ) {}

  list(targetResourceId: string): AsyncIterable<unknown> {
    return this.generic.list(`${targetResourceId}/${CONNECTIONS_CHILD}`, this.apiVersion);
  }

  get(connectionId: string): Promise<unknown> {
    return this.generic.get(connectionId, this.apiVersion);
  }

  async beginUpdate(conn: ConnectionRef, state: ConnectionState, waitMs?: number): Promise<UpdateOperation> {
    // One call sends and polls: a transient failure of the PUT itself is settled like a poll's (the gateway re-reads).
    return {
      pollUntilDone: () =>
        this.generic.putAndWait(conn.id, this.apiVersion, { properties: { privateLinkServiceConnectionState: state } }, ifMatchOf(conn), {
          finalGet: false,
          waitMs,
        }),
    };
  }

  delete(connectionId: string): Promise<void> {
    return this.generic.deleteAndWait(connectionId, this.apiVersion);
  }
}

/** Key Vault through @azure/arm-keyvault; deletes on the generic path (below). */
class KeyVaultConnections implements ConnectionClient {
  constructor(
    private readonly clients: ArmClients,
    private readonly generic: GenericConnections,
  ) {}

  list(targetResourceId: string): AsyncIterable<unknown> {
    const t = parseResourceId(targetResourceId);
    return this.clients.keyVaultFor(t.subscriptionId).privateEndpointConnections.listByResource(t.resourceGroup!, t.name!);
  }

  async get(connectionId: string): Promise<unknown> {
    const { target, name } = partsOf(connectionId);
    // Key Vault may answer a missing connection with 204 and no body, which
    // @azure/arm-keyvault 5.0.0 turns into a TypeError: 204 means gone.
    let status: number | undefined;
    const onResponse = (r: { status: number }) => {
      status = r.status;
    };
    try {
      const body = await this.clients
        .keyVaultFor(target.subscriptionId)
        .privateEndpointConnections.get(target.resourceGroup!, target.name!, name, { onResponse });
      return status === 204 || !body?.id ? undefined : body;
    } catch (e) {
      if (status === 204) return undefined;
      throw e;
    }
  }

  async beginUpdate(conn: ConnectionRef, state: ConnectionState, waitMs?: number): Promise<UpdateOperation> {
    const t = parseResourceId(conn.targetResourceId);
    const answer = captureAnswer();
    await this.clients
      .keyVaultFor(t.subscriptionId)
      .privateEndpointConnections.put(
        t.resourceGroup!,
        t.name!,
        conn.name,
        { etag: conn.etag, privateLinkServiceConnectionState: state },
        { onResponse: answer.onResponse, requestOptions: { headers: ifMatchOf(conn) } },
      );
    return followAnswer(this.clients.generic, answer.raw(), waitMs);
  }

  delete(connectionId: string): Promise<void> {
    // @azure/arm-keyvault 5.0.0 throws on the 204-without-body ARM answers for a delete of something already gone.
    return this.generic.delete(connectionId);
  }
}

/** Private Link Services through @azure/arm-network; deletes on the generic path. */
class NetworkConnections implements ConnectionClient {
  constructor(
    private readonly clients: ArmClients,
    private readonly generic: GenericConnections,
  ) {}

  list(targetResourceId: string): AsyncIterable<unknown> {
    const t = parseResourceId(targetResourceId);
    return this.clients.networkFor(t.subscriptionId).privateLinkServices.listPrivateEndpointConnections(t.resourceGroup!, t.name!);
  }

  get(connectionId: string): Promise<unknown> {
    const { target, name } = partsOf(connectionId);
    return this.clients.networkFor(target.subscriptionId).privateLinkServices.getPrivateEndpointConnection(target.resourceGroup!, target.name!, name);
  }

  async beginUpdate(conn: ConnectionRef, state: ConnectionState, waitMs?: number): Promise<UpdateOperation> {
    const t = parseResourceId(conn.targetResourceId);
    const answer = captureAnswer();
    await this.clients
      .networkFor(t.subscriptionId)
      .privateLinkServices.updatePrivateEndpointConnection(
        t.resourceGroup!,
        t.name!,
        conn.name,
        { name: conn.name, etag: conn.etag, privateLinkServiceConnectionState: state },
        { onResponse: answer.onResponse, requestOptions: { customHeaders: ifMatchOf(conn) } },
      );
    return followAnswer(this.clients.generic, answer.raw(), waitMs);
  }

  delete(connectionId: string): Promise<void> {
    return this.generic.delete(connectionId);
  }
}

const CLIENT_KINDS: Record<ProviderClient, (clients: ArmClients, p: ProviderType) => ConnectionClient> = {
  keyvault: (clients, p) => new KeyVaultConnections(clients, new GenericConnections(clients.generic, p.apiVersion)),
  network: (clients, p) => new NetworkConnections(clients, new GenericConnections(clients.generic, p.apiVersion)),
  generic: (clients, p) => new GenericConnections(clients.generic, p.apiVersion),
};

/** The client the registry names for this provider type. */
export function connectionClientFor(clients: ArmClients, provider: ProviderType): ConnectionClient {
  return CLIENT_KINDS[provider.client](clients, provider);
}

/**
 * Conditional on the ETag just read: another instance (or a human) that wrote the
 * connection since then makes the write fail with 412 instead of being written over.
 */
function ifMatchOf(conn: ConnectionRef): Record<string, string> {
  return conn.etag ? { "If-Match": conn.etag } : {};
}

/** The parent resource's id parts and the connection's name (the gateway has checked the id has a parent). */
function partsOf(connectionId: string) {
  return { target: parseResourceId(parentResourceId(connectionId)!), name: parseResourceId(connectionId).name! };
}

/** The typed clients return the first answer ("Updating"); its raw response is what the poller follows. */
function captureAnswer() {
  let raw: PipelineResponse | undefined;
  return {
    onResponse: (r: PipelineResponse) => {
      raw = r;
    },
    raw: () => raw,
  };
}

/** Follows the typed client's answer (its Azure-AsyncOperation) on the same pipeline until the provider is done. */
function followAnswer(generic: GenericArmClient, raw: PipelineResponse | undefined, waitMs?: number): UpdateOperation {
  return { pollUntilDone: async () => (raw ? generic.waitFor(raw, "PUT", { finalGet: false, waitMs }) : undefined) };
}
