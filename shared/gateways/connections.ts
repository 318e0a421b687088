// Reads and writes provider-side private endpoint connections, whatever the
// provider type: Key Vault through @azure/arm-keyvault, Private Link Services
// through @azure/arm-network, everything else through the generic ARM path.
// All three return the same ConnectionInfo.
import type { PipelineResponse } from "@azure/core-rest-pipeline";
import { isNotFound, isTransient } from "./arm/errors.js";
import { parseResourceId, parentResourceId } from "../model/resourceId.js";
import { canonicalStatus, type ConnectionInfo } from "../model/connection.js";
import type { ArmClients } from "./arm/clients.js";
import { OperationStillRunning } from "./arm/genericClient.js";
import { CONNECTIONS_CHILD, providerTypeFor, type ProviderType } from "./registry.js";
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

  async listConnections(targetResourceId: string): Promise<ConnectionInfo[]> {
    const provider = this.providerFor(targetResourceId);
    const t = parseResourceId(targetResourceId);
    const out: ConnectionInfo[] = [];
    if (provider.client === "keyvault") {
      for await (const c of this.clients.keyVaultFor(t.subscriptionId).privateEndpointConnections.listByResource(t.resourceGroup!, t.name!))
        out.push(toConnectionInfo(c));
    } else if (provider.client === "network") {
      for await (const c of this.clients.networkFor(t.subscriptionId).privateLinkServices.listPrivateEndpointConnections(t.resourceGroup!, t.name!))
        out.push(toConnectionInfo(c));
    } else {
      for await (const c of this.clients.generic.list(`${t.id}/${CONNECTIONS_CHILD}`, provider.apiVersion)) out.push(toConnectionInfo(c));
    }
    return out;
  }

  /** Fresh read of one connection; undefined when it (or its parent) is gone. */
  async getConnection(connectionId: string): Promise<ConnectionInfo | undefined> {
    const targetId = parentResourceId(connectionId);
    if (!targetId) throw new UnsupportedProviderError(`not a connection id: ${connectionId}`);
    const provider = this.providerFor(targetId);
    const t = parseResourceId(targetId);
    const name = parseResourceId(connectionId).name!;
    try {
      if (provider.client === "keyvault") {
        // Key Vault may answer a missing connection with 204 and no body, which
        // @azure/arm-keyvault 5.0.0 turns into a TypeError: 204 means gone.
        let status: number | undefined;
        const onResponse = (r: { status: number }) => {
          status = r.status;
        };
        try {
          const body = await this.clients.keyVaultFor(t.subscriptionId).privateEndpointConnections.get(t.resourceGroup!, t.name!, name, { onResponse });
          return status === 204 || !body?.id ? undefined : toConnectionInfo(body);
        } catch (e) {
          if (status === 204) return undefined;
          throw e;
        }
      }
      if (provider.client === "network") {
        return toConnectionInfo(
          await this.clients.networkFor(t.subscriptionId).privateLinkServices.getPrivateEndpointConnection(t.resourceGroup!, t.name!, name),
        );
      }
      const body = await this.clients.generic.get(connectionId, provider.apiVersion);
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
      this.putState(conn, status, description, opts.waitMs),
    );
  }

  /** Deletes a provider-side connection and waits for the delete (through the write gate). */
  deleteConnection(conn: ConnectionInfo, reason = ""): Promise<WriteResult<void>> {
    // The generic path, also for Key Vault: @azure/arm-keyvault 5.0.0 throws on the
    // 204-without-body that ARM answers for a delete of something already gone.
    return this.gate.write("connection-delete", { resource: conn.id, want: ABSENT, action: "delete-connection", reason }, () =>
      this.clients.generic.deleteAndWait(conn.id, this.providerFor(conn.targetResourceId).apiVersion),
    );
  }

  private async putState(conn: ConnectionInfo, status: "Approved" | "Rejected", description: string, waitMs?: number): Promise<ConnectionInfo> {
    const provider = this.providerFor(conn.targetResourceId);
    const t = parseResourceId(conn.targetResourceId);
    const state = { status, description, actionsRequired: "None" };
    // Conditional on the ETag just read: another instance (or a human) that wrote the connection
    // since then makes this write fail with 412 instead of being written over.
    const ifMatch: Record<string, string> = conn.etag ? { "If-Match": conn.etag } : {};
    let raw: PipelineResponse | undefined;
    const onResponse = (r: PipelineResponse) => {
      raw = r;
    };
    if (provider.client === "keyvault") {
      await this.clients
        .keyVaultFor(t.subscriptionId)
        .privateEndpointConnections.put(
          t.resourceGroup!,
          t.name!,
          conn.name,
          { etag: conn.etag, privateLinkServiceConnectionState: state },
          { onResponse, requestOptions: { headers: ifMatch } },
        );
    } else if (provider.client === "network") {
      await this.clients
        .networkFor(t.subscriptionId)
        .privateLinkServices.updatePrivateEndpointConnection(
          t.resourceGroup!,
          t.name!,
          conn.name,
          { name: conn.name, etag: conn.etag, privateLinkServiceConnectionState: state },
          { onResponse, requestOptions: { customHeaders: ifMatch } },
        );
    } else {
      return this.settle(conn, state, () =>
        this.clients.generic.putAndWait(conn.id, provider.apiVersion, { properties: { privateLinkServiceConnectionState: state } }, ifMatch, {
          finalGet: false,
          waitMs,
        }),
      );
    }
    // The typed clients return the first answer ("Updating"); follow its
    // Azure-AsyncOperation on the same pipeline until the provider is done.
    return this.settle(conn, state, async () => (raw ? this.clients.generic.waitFor(raw, "PUT", { finalGet: false, waitMs }) : undefined));
  }

  /**
   * Waits for the provider's operation and says what the connection is now, without
   * the poller's final GET (issue 12: one read fewer per approval): the last status
   * answer is the connection itself (Key Vault) or says the state just written took.
   * A status poll that fails transiently (throttled, timed out) after the write was
   * accepted is not a failed write: ARM's current state decides.
   */
  private async settle(
    conn: ConnectionInfo,
    state: { status: string; description: string; actionsRequired: string },
    wait: () => Promise<any>,
  ): Promise<ConnectionInfo> {
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
