// Reads and writes provider-side private endpoint connections, whatever the
// provider type: each type's client kind (connectionClients.ts: Key Vault SDK,
// Network SDK, generic ARM) does the wire; all return the same ConnectionInfo.
import { isNotFound, isTransient } from "./arm/errors.js";
import { parseResourceId, parentResourceId } from "../model/resourceId.js";
import { canonicalStatus, type ConnectionInfo } from "../model/connection.js";
import type { ArmClients } from "./arm/clients.js";
import { OperationStillRunning } from "./arm/genericClient.js";
import { connectionClientFor, type ConnectionClient, type ConnectionState } from "./connectionClients.js";
import { providerTypeFor, type ProviderType } from "../model/providerTypes.js";
import { ABSENT, PRESENT, WriteGate, type WriteResult } from "./writeGate.js";
/** Sub-resources as the provider reports them: `groupIds` (SQL, Key Vault), singular `groupId` (Cosmos DB), or none (Redis, Storage). */
export function reportedGroupIds(p: { groupIds?: unknown; groupId?: unknown }): string[] {
  if (Array.isArray(p.groupIds)) return p.groupIds.filter((g): g is string => typeof g === "string" && g !== "");
  return typeof p.groupId === "string" && p.groupId ? [p.groupId] : [];
}
export interface SetStateOptions {
  /** Wait at most this long for the provider's operation (default: until it ends). */
  waitMs?: number;
}

export class UnsupportedProviderError extends Error {}

/** A provisioningState that says the provider is still working on the connection. */
function isRunning(state: string | undefined): boolean {
  return (
    !!state && ["updating", "creating", "deleting", "accepted", "inprogress", "running", "provisioning", "approving", "rejecting"].includes(state.toLowerCase())
  );
}

/** The provider is still working on the connection (Key Vault keeps `Updating` until its approval is done). */
export function isSettling(c: Pick<ConnectionInfo, "provisioningState">): boolean {
  return isRunning(c.provisioningState);
}

/** The decision a write carries out, for its write-ahead intent (audited with it if its answer is lost). */
export interface WriteLabel {
  action: string;
  reason: string;
  rule?: string;
}

/** A connection's state as its intent records it (WriteTarget.want). */
export function connectionFingerprint(status: string | undefined, description: string | undefined): string {
  return JSON.stringify([status ?? "", (description ?? "").trim()]);
}

/** Normalises an ARM body (`properties.*`) or an SDK model (flattened) to ConnectionInfo. */
export function toConnectionInfo(body: any): ConnectionInfo {
  const p = body?.properties ?? body ?? {};
  const state = p.privateLinkServiceConnectionState ?? {};
  const id: string = body.id;
  const target = parentResourceId(id)!;
  return {
    id,
    name: body.name ?? parseResourceId(id).name!,
    targetResourceId: target,
    targetType: parseResourceId(target).type!,
    status: canonicalStatus(state.status),
    description: state.description,
    actionsRequired: state.actionsRequired ?? state.actionRequired, // Storage spells it actionRequired (recorded)
    privateEndpointId: p.privateEndpoint?.id,
    provisioningState: p.provisioningState,
    groupIds: reportedGroupIds(p),
    etag: body.etag || undefined,
  };
}

/**
 * The connections a provider resource's own body carries (`properties.privateEndpointConnections`,
 * as a list of the resources returns them), or undefined when they cannot stand in for a list
 * of its connections: absent, or an item without its id under this resource or without a
 * status (Redis Enterprise shows only ids). The items have the connection's own properties
 * type in the services' REST specs (Key Vault PrivateEndpointConnectionItem, SQL
 * ServerPrivateEndpointConnection, Storage/Redis the whole PrivateEndpointConnection).
 */
export function embeddedConnections(resource: { id: string; properties?: { privateEndpointConnections?: unknown } }): ConnectionInfo[] | undefined {
  const items = resource.properties?.privateEndpointConnections;
  if (!Array.isArray(items)) return undefined;
  const out: ConnectionInfo[] = [];
  for (const item of items) {
    const id = (item as { id?: unknown })?.id;
    if (typeof id !== "string" || parentResourceId(id)?.toLowerCase() !== resource.id.toLowerCase()) return undefined;
    const c = toConnectionInfo(item);
    if (!c.status) return undefined;
    out.push(c);
  }
  return out;
}

export class ConnectionsGateway {
  /** Provider type (lower-cased) -> the client its registry entry names, made once. */
  private readonly byType = new Map<string, ConnectionClient>();

  constructor(
    private readonly clients: ArmClients,
    readonly gate: WriteGate = new WriteGate(),
  ) {
    // How a lost write's intent is checked (WriteGate.recover): what the connection looks like now.
    gate.reader("connection-state", async (id) => {
      const c = await this.getConnection(id);
      return c ? connectionFingerprint(c.status, c.description) : ABSENT;
    });
    gate.reader("connection-delete", async (id) => ((await this.getConnection(id)) ? PRESENT : ABSENT));
  }

  providerFor(targetResourceId: string): ProviderType {
    const type = parseResourceId(targetResourceId).type;
    const provider = providerTypeFor(type);
    if (!provider) throw new UnsupportedProviderError(`no provider registered for type ${type}`);
    return provider;
  }

  private clientFor(targetResourceId: string): ConnectionClient {
    const provider = this.providerFor(targetResourceId);
    const key = provider.type.toLowerCase();
    let client = this.byType.get(key);
    if (!client) this.byType.set(key, (client = connectionClientFor(this.clients, provider)));
    return client;
  }

  async listConnections(targetResourceId: string): Promise<ConnectionInfo[]> {
    const out: ConnectionInfo[] = [];
    for await (const c of this.clientFor(targetResourceId).list(targetResourceId)) out.push(toConnectionInfo(c));
    return out;
  }

  /** Fresh read of one connection; undefined when it (or its parent) is gone. */
  async getConnection(connectionId: string): Promise<ConnectionInfo | undefined> {
    const targetId = parentResourceId(connectionId);
    if (!targetId) throw new UnsupportedProviderError(`not a connection id: ${connectionId}`);
    const client = this.clientFor(targetId);
    try {
      const body = await client.get(connectionId);
      return body ? toConnectionInfo(body) : undefined;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Sets Approved/Rejected and waits for the provider's long-running update to finish (through the write gate). */
  setState(
    conn: ConnectionInfo,
    status: "Approved" | "Rejected",
    description: string,
    why: WriteLabel = { action: status === "Approved" ? "approve" : "reject", reason: "" },
    opts: SetStateOptions = {},
  ): Promise<WriteResult<ConnectionInfo>> {
    return this.gate.write("connection-state", { resource: conn.id, want: connectionFingerprint(status, description), ...why }, () =>
      this.putState(conn, { status, description, actionsRequired: "None" }, opts.waitMs),
    );
  }

  /** Deletes a provider-side connection and waits for the delete (through the write gate). */
  deleteConnection(conn: ConnectionInfo, reason = ""): Promise<WriteResult<void>> {
    return this.gate.write("connection-delete", { resource: conn.id, want: ABSENT, action: "delete-connection", reason }, () =>
      this.clientFor(conn.targetResourceId).delete(conn.id),
    );
  }

  private async putState(conn: ConnectionInfo, state: ConnectionState, waitMs?: number): Promise<ConnectionInfo> {
    const op = await this.clientFor(conn.targetResourceId).beginUpdate(conn, state, waitMs);
    return this.settle(conn, state, () => op.pollUntilDone());
  }

  /**
   * Waits for the provider's operation and says what the connection is now, without
   * the poller's final GET (issue 12: one read fewer per approval): the last status
   * answer is the connection itself (Key Vault) or says the state just written took.
   * A status poll that fails transiently (throttled, timed out) after the write was
   * accepted is not a failed write: ARM's current state decides.
   */
  private async settle(conn: ConnectionInfo, state: ConnectionState, wait: () => Promise<any>): Promise<ConnectionInfo> {
    let final: any;
    try {
      final = await wait();
    } catch (e) {
      // Accepted, and the provider is still at it: not waited for any longer (the caller continues later).
      if (e instanceof OperationStillRunning) return { ...conn, operationRunning: true };
      if (!isTransient(e)) throw e;
      const now = await this.getConnection(conn.id).catch(() => undefined);
      if (now && now.status === state.status && !isRunning(now.provisioningState)) return now;
      throw e;
    }
    if (final?.id && (final.properties ?? final.privateLinkServiceConnectionState)) return toConnectionInfo(final);
    return {
      ...conn,
      status: state.status,
      description: state.description,
      actionsRequired: state.actionsRequired,
      provisioningState: "Succeeded",
      etag: undefined,
    };
  }
}
