// Maps a decoded ARM path to a handler: subscriptions, resource groups,
// operation status URLs, collections (lists) and single resources.
import type { ArmResource } from "../estate.js";
import { isWithinScope, parseResourceId, sameType } from "../../shared/model/resourceId.js";
import type { EmuContext, EmuRequest, Reply } from "./context.js";
import type { Operation } from "./operations.js";
import { ArmError, badRequest, parentNotFound } from "./errors.js";
import { normalizeLocation } from "./ids.js";
import { render } from "./render.js";
import { PRIVATE_DNS_ZONES, PRIVATE_ENDPOINTS, typeInfo } from "./resourceTypes.js";
import { pagedList } from "./handlers/common.js";
import { managementGroupRequest, managementGroupRoute } from "./handlers/managementGroups.js";
import { deleteConnection, kvOperationAnswer, missingConnection, putConnection } from "./handlers/connections.js";
import { assertParent, deleteGeneric, getOne, methodNotAllowed, patchGeneric, putGeneric } from "./handlers/generic.js";
import { quirksOf } from "./services.js";
import { deletePrivateEndpoint, putPrivateEndpoint } from "./handlers/privateEndpoints.js";
import { allRecordSets, patchRecordSet, putRecordSet, putZone } from "./handlers/privateDns.js";

/** Operation URL segment → "status" (Azure-AsyncOperation) or "results" (Location). */
const OPERATION_SEGMENTS: Record<string, "status" | "results"> = {
  operationstatuses: "status",
  asyncoperations: "status",
  operationsstatus: "status", // Cosmos DB
  privateendpointconnectionazureasyncoperation: "status", // SQL
  operationresults: "results",
  privateendpointconnectionoperationresults: "results", // SQL
};

/**
 * `/subscriptions/{s}[/resourceGroups/{rg}]/providers/{ns}/locations/{loc}/{kind}/{id}`,
 * and Cosmos DB's `{connectionId}/operationResults/{id}`.
 */
export function operationRoute(segments: string[]): { kind: "status" | "results"; id: string } | undefined {
  const l = segments.map((s) => s.toLowerCase());
  const n = segments.length;
  const kind = OPERATION_SEGMENTS[l[n - 2] ?? ""];
  if (l[0] !== "subscriptions" || !kind || n < 6) return undefined;
  if (l[n - 4] === "locations" && l[n - 6] === "providers") return { kind, id: segments[n - 1]! };
  if (kind === "results" && l[n - 4] === "privateendpointconnections") return { kind, id: segments[n - 1]! };
  return undefined;
}

export function route(ctx: EmuContext, req: EmuRequest): Reply {
  const s = req.segments;
  const l = s.map((x) => x.toLowerCase());
  if (managementGroupRoute(s)) {
    return managementGroupRequest(ctx, req, ctx.managementGroups, (scope) => (ctx.refusals?.forbiddenScopes ?? []).some((f) => isWithinScope(scope, f)));
  }
  if (l[0] !== "subscriptions") throw new ArmError(404, "NotFound", `No route for '${req.path}'.`);
  if (s.length === 1) return onlyGet(req, () => pagedList(ctx, req, subscriptions(ctx)));
  const sub = s[1]!;
  if (s.length === 2) return onlyGet(req, () => getSubscription(ctx, sub));

  const op = operationRoute(s);
  if (op) return onlyGet(req, () => operation(ctx, req, op.kind, op.id));

  let i = 2;
  if (l[2] === "resourcegroups") {
    if (s.length === 3) return onlyGet(req, () => pagedList(ctx, req, resourceGroups(ctx, sub)));
    if (s.length === 4) return resourceGroup(ctx, req, sub, s[3]!);
    i = 4;
  }
  if (l[i] !== "providers" || !s[i + 1]) throw new ArmError(404, "NotFound", `No route for '${req.path}'.`);
  const ns = s[i + 1]!;
  const rest = s.slice(i + 2);
  if (rest.length === 0) throw new ArmError(404, "NotFound", `No route for '${req.path}'.`);
  const fullType = [ns, ...rest.filter((_, j) => j % 2 === 0)].join("/");
  const info = typeInfo(fullType);
  if (!info) {
    throw badRequest(
      "InvalidResourceType",
      `The resource type '${rest.filter((_, j) => j % 2 === 0).join("/")}' could not be found in the namespace '${ns}' for api version '${req.apiVersion}'.`,
    );
  }

  if (rest.length % 2 === 1) {
    // A collection: list of a top-level type in a scope, or of a parent's children.
    return onlyGet(req, () => {
      if (rest.length === 1) {
        const scope = "/" + s.slice(0, i).join("/");
        return pagedList(
          ctx,
          req,
          ctx.store.all().filter((r) => sameType(r.type, info.type) && isWithinScope(r.id, scope)),
          (r) => render(ctx.store, r),
        );
      }
      const parentId = "/" + s.slice(0, -1).join("/");
      const parent = ctx.store.get(parentId);
      if (!parent) throw parentNotFound(parentId, "read", fullType);
      const items = info.collectionOnly ? allRecordSets(ctx, parent.id) : ctx.store.children(parent.id, rest[rest.length - 1]);
      return pagedList(ctx, req, items, (r) => render(ctx.store, r));
    });
  }

  if (info.collectionOnly) throw badRequest("InvalidResourceType", `'${fullType}' is a collection, not a resource type.`);
  const id = "/" + s.join("/");
  const lower = info.type.toLowerCase();
  switch (req.method) {
    case "GET": {
      if (info.connection) {
        const token = req.query.get("kv-operation");
        const answer = token ? kvOperationAnswer(ctx, req, id, token) : undefined;
        if (answer) return answer;
        if (!ctx.store.get(id)) {
          assertParent(ctx, id, "read");
          throw missingConnection(id, quirksOf(info.type));
        }
      }
      if (rest.length > 2 && !ctx.store.get(id)) assertParent(ctx, id, "read");
      return getOne(ctx, id);
    }
    case "PUT":
      if (lower === PRIVATE_ENDPOINTS) return putPrivateEndpoint(ctx, req, id, info);
      if (lower === PRIVATE_DNS_ZONES) return putZone(ctx, req, id, info);
      if (info.recordSet) return putRecordSet(ctx, req, id, info);
      if (info.connection) return putConnection(ctx, req, id, info);
      return putGeneric(ctx, req, id, info);
    case "PATCH":
      if (info.recordSet) return patchRecordSet(ctx, req, id);
      return patchGeneric(ctx, req, id, info);
    case "DELETE":
      if (lower === PRIVATE_ENDPOINTS) return deletePrivateEndpoint(ctx, req, id, info);
      if (info.connection) return deleteConnection(ctx, req, id, info);
      return deleteGeneric(ctx, req, id, info);
    default:
      throw methodNotAllowed(req);
  }
}

function onlyGet(req: EmuRequest, f: () => Reply): Reply {
  if (req.method !== "GET") throw methodNotAllowed(req);
  return f();
}

/**
 * core-lro waits 2 s between polls and ignores `Retry-After: 0` (a falsy delay),
 * so a poll that arrives while the operation runs is held until the operation
 * ends when that is at most MAX_HOLD_MS away: SDK long-running calls then take
 * about lroDelayMs. With a longer lroDelayMs polls answer InProgress at once.
 */
const MAX_HOLD_MS = 1000;

function operation(ctx: EmuContext, req: EmuRequest, kind: string, opId: string): Reply {
  const op = ctx.ops.get(opId);
  if (!op) throw new ArmError(404, "OperationNotFound", `Operation '${opId}' was not found.`);
  const wait = op.doneAt - Date.now();
  if (op.status === "InProgress" && wait <= MAX_HOLD_MS) {
    // Timers may fire a millisecond before Date.now() reaches doneAt: settle up to it.
    return {
      status: 200,
      defer: { ms: Math.max(0, wait), then: () => (ctx.ops.settle(Math.max(Date.now(), op.doneAt)), operationAnswer(ctx, req, kind, op)) },
    };
  }
  return operationAnswer(ctx, req, kind, op);
}

function operationAnswer(ctx: EmuContext, req: EmuRequest, kind: string, op: Operation): Reply {
  ctx.ops.settle();
  const again = { "retry-after": "0" };
  if (kind === "results") {
    // Location-style polling: 202 while running, then the result (204 for deletes).
    if (op.status === "InProgress")
      return { status: 202, headers: { ...again, location: `${ctx.base}${req.rawPath}?api-version=${encodeURIComponent(req.apiVersion ?? "")}` } };
    if (op.method === "DELETE") return { status: 204 };
    return { status: 200, body: op.result?.() };
  }
  return {
    status: 200,
    headers: again,
    body: {
      id: op.statusPath,
      name: op.id,
      status: op.status,
      startTime: op.startTime,
      ...(op.endTime ? { endTime: op.endTime } : {}),
      ...(op.status === "Failed" && op.failWith ? { error: op.failWith } : {}),
    },
  };
}

/** Subscriptions seen in the estate (resources or Microsoft.Resources/subscriptions entries). */
function subscriptions(ctx: EmuContext): ReturnType<typeof subscriptionBody>[] {
  const seen = new Map<string, { sub: string; entry?: ArmResource }>();
  for (const r of ctx.store.all()) {
    const p = parseResourceId(r.id);
    const isSub = !p.resourceGroup && !p.type;
    const cur = seen.get(p.subscriptionId.toLowerCase());
    if (!cur) seen.set(p.subscriptionId.toLowerCase(), { sub: p.subscriptionId, entry: isSub ? r : undefined });
    else if (isSub) cur.entry = r;
  }
  return [...seen.values()].map(({ sub, entry }) => subscriptionBody(sub, entry));
}

function subscriptionBody(sub: string, entry: ArmResource | undefined) {
  return {
    id: `/subscriptions/${sub}`,
    subscriptionId: sub,
    tenantId: (entry?.tenantId as string | undefined) ?? "00000000-0000-0000-0000-000000000000",
    displayName: (entry?.displayName as string | undefined) ?? `Emulated subscription ${sub}`,
    state: (entry?.state as string | undefined) ?? "Enabled",
    subscriptionPolicies: { locationPlacementId: "Public_2014-09-01", quotaId: "PayAsYouGo_2014-09-01", spendingLimit: "Off" },
    authorizationSource: "RoleBased",
  };
}

function getSubscription(ctx: EmuContext, sub: string): Reply {
  const found = subscriptions(ctx).find((x) => x.subscriptionId.toLowerCase() === sub.toLowerCase());
  if (!found) throw new ArmError(404, "SubscriptionNotFound", `The subscription '${sub}' could not be found.`);
  return { status: 200, body: found };
}

/** Resource groups: explicit entries plus every group a resource lives in. */
function resourceGroups(ctx: EmuContext, sub: string): unknown[] {
  const out = new Map<string, { id: string; name: string; location?: string; tags?: unknown; managedBy?: unknown }>();
  for (const r of ctx.store.all()) {
    const p = parseResourceId(r.id);
    if (p.subscriptionId.toLowerCase() !== sub.toLowerCase() || !p.resourceGroup) continue;
    const k = p.resourceGroup.toLowerCase();
    const explicit = !p.type;
    if (out.has(k) && !explicit) continue;
    out.set(k, {
      id: `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroup}`,
      name: p.resourceGroup,
      location: explicit ? r.location : (out.get(k)?.location ?? r.location),
      ...(explicit && r.tags ? { tags: r.tags } : {}),
    });
  }
  return [...out.values()].map((g) => ({
    id: g.id,
    name: g.name,
    type: "Microsoft.Resources/resourceGroups",
    location: normalizeLocation(g.location === "global" || !g.location ? "eastus" : g.location),
    ...(g.tags ? { tags: g.tags } : {}),
    properties: { provisioningState: "Succeeded" },
  }));
}

function resourceGroup(ctx: EmuContext, req: EmuRequest, sub: string, rg: string): Reply {
  const find = () => resourceGroups(ctx, sub).find((g: any) => g.name.toLowerCase() === rg.toLowerCase());
  if (req.method === "GET") {
    const g = find();
    if (!g) throw new ArmError(404, "ResourceGroupNotFound", `Resource group '${rg}' could not be found.`);
    return { status: 200, body: g };
  }
  if (req.method === "PUT") {
    const existed = !!find();
    const body = req.body && typeof req.body === "object" ? req.body : {};
    ctx.store.put({
      id: `/subscriptions/${sub}/resourceGroups/${rg}`,
      name: rg,
      type: "Microsoft.Resources/resourceGroups",
      location: body.location ?? "eastus",
      ...(body.tags ? { tags: body.tags } : {}),
      properties: { provisioningState: "Succeeded" },
    });
    return { status: existed ? 200 : 201, body: find() };
  }
  throw methodNotAllowed(req);
}
