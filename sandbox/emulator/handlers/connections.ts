// Provider-side private endpoint connections (Key Vault, Storage, Redis, PLS...).
// The owner may only set Approved or Rejected; the consumer private endpoint's
// matching entry follows, and becomes Disconnected when the owner deletes the
// connection — the consistency real ARM keeps between the two sides.
import type { ArmResource } from "../../estate.js";
import { parentResourceId, parseResourceId, sameId } from "../../../shared/model/resourceId.js";
import type { EmuContext, EmuRequest, Reply } from "../context.js";
import { type ArmError, badRequest, resourceNotFound } from "../errors.js";
import { newGuid, normalizeLocation, weakEtag } from "../ids.js";
import type { Operation, StartOptions } from "../operations.js";
import { quirksOf, type ConnectionQuirks } from "../services.js";
import { render } from "../render.js";
import type { TypeInfo } from "../resourceTypes.js";
import { assertWritable, operationHeaders, startOperation } from "./common.js";
import { assertParent, deleteGeneric, requireObjectBody, setProvisioningState } from "./generic.js";

export interface ConnectionState {
  status: string;
  description?: string;
  actionsRequired?: string;
}

const OWNER_SETTABLE = ["Approved", "Rejected"];
export const CONSUMER_KINDS = ["manualPrivateLinkServiceConnections", "privateLinkServiceConnections"] as const;

export function putConnection(ctx: EmuContext, req: EmuRequest, id: string, info: TypeInfo): Reply {
  const parent = assertParent(ctx, id);
  const q = quirksOf(info.type);
  const existing = ctx.store.get(id);
  // Connections are born from the consumer's private endpoint, never from a PUT here.
  if (!existing) throw missingConnection(id, q);
  assertWritable(ctx, req, id, existing);
  const body = requireObjectBody(req);
  const wanted = body.properties?.privateLinkServiceConnectionState;
  const status = OWNER_SETTABLE.find((s) => s.toLowerCase() === String(wanted?.status ?? "").toLowerCase());
  if (!status) {
    throw badRequest(
      "InvalidPrivateEndpointConnectionState",
      `Private endpoint connection status '${wanted?.status ?? ""}' is not valid: the resource owner can only set 'Approved' or 'Rejected'.`,
    );
  }
  const current = existing.properties?.privateLinkServiceConnectionState?.status;
  if (typeof current === "string" && current.toLowerCase() === "disconnected") {
    throw badRequest(
      "PrivateEndpointConnectionDisconnected",
      `Private endpoint connection '${existing.name}' is Disconnected and cannot be ${status.toLowerCase()}.`,
    );
  }
  if (q.rejectOnlyPending && status === "Rejected" && typeof current === "string" && current.toLowerCase() !== "pending") {
    throw badRequest(
      "PrivateEndpointConnectionStatusNotPending",
      `Private endpoint connection '${existing.name}' is in status '${current}', not 'Pending': only a pending connection can be rejected.`,
    );
  }
  const prevState = existing.properties?.privateLinkServiceConnectionState ?? {};
  const state: ConnectionState = { status, description: wanted?.description ?? prevState.description ?? "" };
  // Key Vault, Redis... answer actionsRequired "None" (putPrivateEndpointConnection.json);
  // the Private Link Service example echoes only what was sent.
  const actionsRequired =
    wanted?.actionsRequired ??
    wanted?.actionRequired ??
    prevState.actionsRequired ??
    prevState.actionRequired ??
    (q.put === "sync" && !q.actionKey ? undefined : "None");
  if (actionsRequired !== undefined) state.actionsRequired = actionsRequired;
  const own = providerState(q, state);
  const apply = () => {
    const cur = ctx.store.get(id);
    if (!cur) return;
    cur.properties = { ...(cur.properties ?? {}), privateLinkServiceConnectionState: own };
    cur.etag = connectionEtag(q) ?? cur.etag;
    syncConsumer(ctx, cur, state);
  };
  const location = parent?.location;
  const result = () => (ctx.store.get(id) ? render(ctx.store, ctx.store.get(id)!) : undefined);

  if (q.put === "enqueued" || q.put === "accepted") {
    // Cosmos DB and SQL accept the change and show it only when it is done;
    // provisioningState does not move (Cosmos DB recording: Succeeded throughout).
    if (q.put === "accepted") {
      // SQL: the status is not recorded as lagging, so it shows at once; the answer is a bare 202.
      apply();
      startOperation(ctx, id, "PUT", { location, result, paths: servicePaths(id, location) });
      return { status: 202 };
    }
    const op = startOperation(ctx, id, "PUT", { location, onDone: apply, result, paths: servicePaths(id, location) });
    return { status: 202, body: { status: "Enqueued" }, headers: { ...operationHeaders(ctx, req, op, true) } };
  }

  const next: ArmResource = structuredClone(existing);
  next.etag = connectionEtag(q);
  if (next.etag === undefined) delete next.etag;
  next.properties = { ...(next.properties ?? {}), privateLinkServiceConnectionState: own, provisioningState: q.put === "sync" ? q.settled : "Updating" };
  ctx.store.put(next);
  // The status is visible at once on both sides; only provisioningState lags behind.
  syncConsumer(ctx, next, state);
  if (q.put === "sync") return { status: 200, body: render(ctx.store, next) };
  const settle = () => {
    setProvisioningState(ctx, id, q.settled);
    // Key Vault gives the settled connection a new etag (recorded: cdd5… while Updating, d4f5… once Succeeded).
    const cur = ctx.store.get(id);
    if (cur && q.etag === "hex") cur.etag = connectionEtag(q);
  };
  const op = startOperation(ctx, id, "PUT", { location, onDone: settle, result });
  if (q.put === "keyvault") {
    const url = kvOperationUrl(ctx, req, op, status === "Approved" ? "approve" : "reject", next.etag);
    return { status: 200, body: render(ctx.store, next), headers: { "azure-asyncoperation": url, "retry-after": "0" } };
  }
  return { status: 200, body: render(ctx.store, next), headers: operationHeaders(ctx, req, op, false) };
}

export function deleteConnection(ctx: EmuContext, req: EmuRequest, id: string, info: TypeInfo): Reply {
  const q = quirksOf(info.type);
  const existing = ctx.store.get(id);
  if (!existing && q.missing === "sqlBadRequest") throw missingConnection(id, q);
  const parent = assertParent(ctx, id);
  const reply = deleteGeneric(ctx, req, id, q.syncDelete ? { ...info, del: "sync" } : info, {
    afterDelete: (removed) => {
      for (const c of removed) syncConsumer(ctx, c, { ...(c.properties?.privateLinkServiceConnectionState ?? {}), status: "Disconnected" });
    },
    paths: servicePaths(id, parent?.location),
  });
  if (!existing || reply.status !== 202) return reply;
  const op = ctx.ops.busy(id);
  if (!op) return reply;
  if (q.put === "keyvault") {
    // Recorded: 202, no body, only a Location that is the connection's own URL plus kv-operation.
    return { status: 202, headers: { location: kvOperationUrl(ctx, req, op, "delete", existing.etag), "retry-after": "0" } };
  }
  if (q.put === "enqueued") return { ...reply, body: { status: "Enqueued" } };
  if (q.missing === "sqlBadRequest") return { ...reply, body: { operation: "DropPrivateEndpointConnection", startTime: op.startTime } };
  return reply;
}

/** GET of a connection that is not there: 404, or SQL's 400. */
export function missingConnection(id: string, q: ConnectionQuirks): ArmError {
  if (q.missing === "sqlBadRequest") {
    const p = parseResourceId(id);
    return badRequest("PrivateEndpointConnectionDoesNotExist", `Private endpoint connection '${p.name}' does not exist on server '${p.segments[0]?.name}'.`);
  }
  return resourceNotFound(id);
}

/**
 * Key Vault's operation URL is the connection's own URL plus
 * `kv-operation=<base64url {"code","st","etag"}>` (recorded). A GET of it is
 * answered by kvOperationAnswer().
 */
function kvOperationUrl(ctx: EmuContext, req: EmuRequest, op: Operation, code: string, etag: string | undefined): string {
  const token = Buffer.from(JSON.stringify({ code: `privateEndpointConnections/${code}`, st: op.startTime, etag: etag ?? "" })).toString("base64url");
  ctx.ops.alias(token, op);
  return `${ctx.base}${req.rawPath}?api-version=${encodeURIComponent(req.apiVersion ?? "")}&kv-operation=${token}`;
}

/**
 * What the kv-operation URL answers (modelled, the recording does not poll it):
 * it is the connection's own URL, so for an approve/reject it answers the
 * connection (200, provisioningState Updating until done, then Succeeded; no
 * `status` field). For a delete it answers as the spec's delete responses do:
 * 202 with the same Location while running, then 200 with provisioningState
 * Disconnected (deletePrivateEndpointConnection.json).
 */
export function kvOperationAnswer(ctx: EmuContext, req: EmuRequest, id: string, token: string): Reply | undefined {
  const op = ctx.ops.get(token);
  if (!op) return undefined;
  ctx.ops.settle();
  if (op.method !== "DELETE") return undefined; // the plain GET of the connection
  if (op.status === "InProgress") return { status: 202, headers: { location: `${ctx.base}${req.rawPath}?${req.query.toString()}`, "retry-after": "0" } };
  const p = parseResourceId(id);
  return { status: 200, body: { id: p.id, name: p.name, type: p.type, properties: { provisioningState: "Disconnected" } } };
}

/** Cosmos DB and SQL keep their own operation URLs (recorded). */
function servicePaths(id: string, location: unknown): StartOptions["paths"] {
  const p = parseResourceId(id);
  const ns = (p.provider ?? "").toLowerCase();
  if (ns === "microsoft.documentdb")
    return (base, opId) => ({ statusPath: `${base}/operationsStatus/${opId}`, resultPath: `${p.id}/operationResults/${opId}` });
  if (ns === "microsoft.sql") {
    const b = `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroup}/providers/Microsoft.Sql/locations/${normalizeLocation(location)}`;
    return (_base, opId) => ({
      statusPath: `${b}/privateEndpointConnectionAzureAsyncOperation/${opId}`,
      resultPath: `${b}/privateEndpointConnectionOperationResults/${opId}`,
    });
  }
  return undefined;
}

/** The state as the provider writes it (Storage: `actionRequired`). */
export function providerState(q: ConnectionQuirks, state: ConnectionState): Record<string, string> {
  const { actionsRequired, ...rest } = state;
  const out: Record<string, string> = { ...rest };
  if (actionsRequired !== undefined) out[q.actionKey ?? "actionsRequired"] = actionsRequired;
  return out;
}

function connectionEtag(q: ConnectionQuirks): string | undefined {
  if (q.etag === "none") return undefined;
  return q.etag === "hex" ? newGuid().replace(/-/g, "") : weakEtag();
}

/** Copies the provider-side state onto the consumer endpoint's entry for this provider. */
export function syncConsumer(ctx: EmuContext, connection: ArmResource, state: ConnectionState): void {
  const peId = connection.properties?.privateEndpoint?.id;
  const pe = typeof peId === "string" ? ctx.store.get(peId) : undefined;
  if (!pe) return;
  const providerId = parentResourceId(connection.id);
  let changed = false;
  for (const kind of CONSUMER_KINDS) {
    for (const entry of pe.properties?.[kind] ?? []) {
      if (!sameId(entry?.properties?.privateLinkServiceId, providerId)) continue;
      const { actionRequired, ...rest } = state as ConnectionState & { actionRequired?: string };
      entry.properties.privateLinkServiceConnectionState = {
        ...rest,
        ...(rest.actionsRequired === undefined && actionRequired !== undefined ? { actionsRequired: actionRequired } : {}),
      };
      changed = true;
    }
  }
  if (changed) pe.etag = weakEtag();
}
