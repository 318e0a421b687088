// GET/PUT/PATCH/DELETE for any known type without special behaviour. Writes of
// long-running types (Microsoft.Network, Private DNS zones) answer with
// Azure-AsyncOperation and show "Updating"/"Deleting" until the operation ends.
import type { ArmResource } from "../../estate.js";
import { idKey, parentResourceId, parseResourceId } from "../../../shared/model/resourceId.js";
import type { EmuContext, EmuRequest, Reply } from "../context.js";
import { ArmError, badRequest, parentNotFound, resourceNotFound } from "../errors.js";
import { render } from "../render.js";
import { newEtagFor, type TypeInfo } from "../resourceTypes.js";
import { takeEmbedded } from "../store.js";
import type { StartOptions } from "../operations.js";
import { assertPreconditions, assertWritable, operationHeaders, startOperation } from "./common.js";

export function getOne(ctx: EmuContext, id: string): Reply {
  const res = ctx.store.get(id);
  if (!res) throw resourceNotFound(id);
  return { status: 200, body: render(ctx.store, res) };
}

export function requireObjectBody(req: EmuRequest): Record<string, any> {
  const b = req.body ?? {};
  if (typeof b !== "object" || Array.isArray(b)) throw badRequest("InvalidRequestContent", "The request content must be a JSON object.");
  return b;
}

/** 404 ParentResourceNotFound when a child's parent does not exist. */
export function assertParent(ctx: EmuContext, id: string, action: "read" | "write" | "delete" = "write"): ArmResource | undefined {
  const p = parseResourceId(id);
  if (p.segments.length < 2) return undefined;
  const parentId = parentResourceId(id)!;
  const parent = ctx.store.get(parentId);
  if (!parent) throw parentNotFound(parentId, action, p.type);
  return parent;
}

export function putGeneric(ctx: EmuContext, req: EmuRequest, id: string, info: TypeInfo): Reply {
  const existing = ctx.store.get(id);
  assertWritable(ctx, req, id, existing);
  const parent = assertParent(ctx, id);
  const body = requireObjectBody(req);
  const p = parseResourceId(id);
  const properties: Record<string, any> = { ...(body.properties ?? {}) };
  // Embedded child lists are children of their own: connections are read-only
  // here, subnets given in a VNet PUT replace the VNet's subnets.
  const embeddedList = info.embeds ? properties[info.embeds.property] : undefined;
  if (info.embeds) delete properties[info.embeds.property];
  properties.provisioningState = info.put === "async" ? "Updating" : "Succeeded";
  const res: ArmResource = {
    ...body,
    id: existing?.id ?? p.id,
    name: existing?.name ?? p.name,
    type: existing?.type ?? info.type,
    etag: newEtagFor(info.type),
    properties,
  };
  if (res.location === undefined && existing?.location !== undefined) res.location = existing.location;
  ctx.store.put(res);
  if (info.embeds?.writable && Array.isArray(embeddedList)) replaceChildren(ctx, res, info.embeds.property, embeddedList);
  const status = existing ? 200 : 201;
  if (info.put === "sync") return { status, body: render(ctx.store, res) };
  const op = startOperation(ctx, id, "PUT", {
    location: res.location ?? parent?.location,
    onDone: () => setProvisioningState(ctx, id, "Succeeded"),
    result: () => (ctx.store.get(id) ? render(ctx.store, ctx.store.get(id)!) : undefined),
  });
  return { status, body: render(ctx.store, res), headers: operationHeaders(ctx, req, op, false) };
}

/** PATCH: tags replaced when given, properties merged key by key. */
export function patchGeneric(ctx: EmuContext, req: EmuRequest, id: string, info: TypeInfo): Reply {
  const existing = ctx.store.get(id);
  if (!existing) {
    assertPreconditions(req, existing, id);
    throw resourceNotFound(id);
  }
  assertWritable(ctx, req, id, existing);
  const body = requireObjectBody(req);
  const next: ArmResource = structuredClone(existing);
  if (body.tags !== undefined) next.tags = body.tags;
  if (body.properties && typeof body.properties === "object") {
    const props = { ...body.properties };
    if (info.embeds) delete props[info.embeds.property];
    delete props.provisioningState;
    next.properties = { ...(next.properties ?? {}), ...props };
  }
  next.etag = newEtagFor(info.type);
  ctx.store.put(next);
  return { status: 200, body: render(ctx.store, next) };
}

export interface DeleteHooks {
  /** Runs when the resource is actually gone, with everything removed. */
  afterDelete?: (removed: ArmResource[]) => void;
  /** The service's own operation URLs. */
  paths?: StartOptions["paths"];
}

export function deleteGeneric(ctx: EmuContext, req: EmuRequest, id: string, info: TypeInfo, hooks: DeleteHooks = {}): Reply {
  const existing = ctx.store.get(id);
  assertPreconditions(req, existing, id);
  // ARM convention: deleting what is not there is 204 with no body.
  if (!existing) return { status: 204 };
  assertWritable(ctx, req, id, existing);
  const finish = () => {
    const removed = ctx.store.delete(id);
    if (removed.length) hooks.afterDelete?.(removed);
  };
  if (info.del === "sync") {
    finish();
    return { status: 200 };
  }
  setProvisioningState(ctx, id, "Deleting");
  const parent = parseResourceId(id).segments.length >= 2 ? ctx.store.get(parentResourceId(id)!) : undefined;
  const op = startOperation(ctx, id, "DELETE", { location: existing.location ?? parent?.location, onDone: finish, paths: hooks.paths });
  return { status: 202, headers: operationHeaders(ctx, req, op, true) };
}

export function setProvisioningState(ctx: EmuContext, id: string, state: string): void {
  const res = ctx.store.get(id);
  if (!res) return;
  res.properties = { ...(res.properties ?? {}), provisioningState: state };
}

export function methodNotAllowed(req: EmuRequest): ArmError {
  return new ArmError(405, "MethodNotAllowed", `The requested resource does not support http method '${req.method}'.`);
}

function replaceChildren(ctx: EmuContext, parent: ArmResource, property: string, list: unknown[]): void {
  const given = takeEmbedded({ id: parent.id, type: parent.type, properties: { [property]: list } });
  const keep = new Set(given.map((c) => idKey(c.id)));
  for (const old of ctx.store.children(parent.id, property)) if (!keep.has(idKey(old.id))) ctx.store.delete(old.id);
  for (const c of given) {
    c.etag = newEtagFor(c.type);
    c.properties = { ...(c.properties ?? {}), provisioningState: "Succeeded" };
    ctx.store.put(c);
  }
}
