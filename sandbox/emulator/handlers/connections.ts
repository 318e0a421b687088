// Provider-side private endpoint connections (Key Vault, Storage, Redis, PLS...).
// The owner may only set Approved or Rejected; the consumer private endpoint's
// matching entry follows, and becomes Disconnected when the owner deletes the
// connection — the consistency real ARM keeps between the two sides.
import type { ArmResource } from "../../../shared/estate/types.js";
import { parentResourceId, sameId } from "../../../shared/arm/resourceId.js";
import type { EmuContext, EmuRequest, Reply } from "../context.js";
import { badRequest, resourceNotFound } from "../errors.js";
import { weakEtag } from "../ids.js";
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
  const existing = ctx.store.get(id);
  // Connections are born from the consumer's private endpoint, never from a PUT here.
  if (!existing) throw resourceNotFound(id);
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
    throw badRequest("PrivateEndpointConnectionDisconnected", `Private endpoint connection '${existing.name}' is Disconnected and cannot be ${status.toLowerCase()}.`);
  }
  const prevState = existing.properties?.privateLinkServiceConnectionState ?? {};
  const state: ConnectionState = { status, description: wanted?.description ?? prevState.description ?? "" };
  // Key Vault, Redis... answer actionsRequired "None" (putPrivateEndpointConnection.json);
  // the Private Link Service example echoes only what was sent.
  const actionsRequired = wanted?.actionsRequired ?? prevState.actionsRequired ?? (info.put === "async" ? "None" : undefined);
  if (actionsRequired !== undefined) state.actionsRequired = actionsRequired;
  const next: ArmResource = structuredClone(existing);
  next.etag = weakEtag();
  next.properties = { ...(next.properties ?? {}), privateLinkServiceConnectionState: state, provisioningState: info.put === "async" ? "Updating" : "Succeeded" };
  ctx.store.put(next);
  // The status is visible at once on both sides; only provisioningState lags behind.
  syncConsumer(ctx, next, state);
  if (info.put === "sync") return { status: 200, body: render(ctx.store, next) };
  const op = startOperation(ctx, id, "PUT", {
    location: parent?.location,
    onDone: () => setProvisioningState(ctx, id, "Succeeded"),
    result: () => (ctx.store.get(id) ? render(ctx.store, ctx.store.get(id)!) : undefined),
  });
  return { status: 200, body: render(ctx.store, next), headers: operationHeaders(ctx, req, op, false) };
}

export function deleteConnection(ctx: EmuContext, req: EmuRequest, id: string, info: TypeInfo): Reply {
  return deleteGeneric(ctx, req, id, info, {
    afterDelete: (removed) => {
      for (const c of removed) syncConsumer(ctx, c, { ...(c.properties?.privateLinkServiceConnectionState ?? {}), status: "Disconnected" });
    },
  });
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
      entry.properties.privateLinkServiceConnectionState = { ...state };
      changed = true;
    }
  }
  if (changed) pe.etag = weakEtag();
}
