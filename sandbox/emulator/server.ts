// The HTTP front: every ARM request passes, in this order, fault injection,
// Authorization (401), api-version (400), the subscription's throttle bucket
// (429), then the router; the answer is logged. `/_emulator/*` is the admin
// surface for a human (no auth, not logged, not throttled).
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import type { Estate } from "../estate.js";
import type { EmuContext, EmuRequest, Reply } from "./context.js";
import { ArmError, errorBody } from "./errors.js";
import { operationRoute, route } from "./router.js";
import { checkRefusals, type EstateRefusals } from "./access.js";
import type { Throttle } from "./throttle.js";
import { isResourceGraphQuery, queryResources, rateLimited, type GraphQuota } from "./handlers/resourceGraph.js";
import type { CallLogEntry, FaultSpec } from "./types.js";

export interface ServerState {
  ctx: EmuContext;
  refusals: EstateRefusals;
  throttle: Throttle;
  /** Resource Graph's per-user query quota. */
  graphQuota: GraphQuota;
  faults: Array<FaultSpec & { remaining: number }>;
  /** Test hooks run before each ARM call (Emulator.beforeCall). */
  hooks: Array<(call: { method: string; path: string }) => void>;
  calls: CallLogEntry[];
  nextSeq: () => number;
  admin: {
    snapshot(): Estate;
    load(estate: Estate): void;
    injectFault(f: FaultSpec): void;
    clearCalls(): void;
    setRefusals(r: EstateRefusals): void;
  };
}

const DEFAULT_CODES: Record<number, string> = {
  400: "BadRequest",
  401: "AuthenticationFailed",
  403: "AuthorizationFailed",
  404: "ResourceNotFound",
  409: "Conflict",
  412: "PreconditionFailed",
  429: "TooManyRequests",
  500: "InternalServerError",
  502: "BadGateway",
  503: "ServiceUnavailable",
  504: "GatewayTimeout",
};

export function createRequestListener(state: ServerState, timers: Set<NodeJS.Timeout>) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let r: Handled;
      try {
        r = handle(state, req, Buffer.concat(chunks).toString("utf8"));
      } catch (e) {
        r = { reply: toReply(e) };
      }
      const log = (status: number) => {
        if (r.entry) state.calls.push({ seq: state.nextSeq(), time: new Date().toISOString(), ...r.entry, status });
      };
      // Injected transport faults: the client sees no answer (status 0 in the call log when nothing was applied).
      if (r.effect === "hang") return log(0);
      if (r.effect === "reset" || r.effect === "reset-after-apply") {
        log(r.effect === "reset" ? 0 : r.reply.status);
        res.socket?.destroy();
        return;
      }
      const finish = (reply: Reply) => {
        log(reply.status);
        write(res, reply);
      };
      const defer = r.reply.defer;
      if (!defer) return finish(r.reply);
      const headers = r.reply.headers;
      const t = setTimeout(() => {
        timers.delete(t);
        if (res.destroyed) return;
        const later = safe(defer.then);
        finish({ ...later, headers: { ...headers, ...later.headers } });
      }, defer.ms);
      timers.add(t);
    });
  };
}

type Handled = { reply: Reply; entry?: Omit<CallLogEntry, "seq" | "time" | "status">; effect?: FaultSpec["effect"] };

function handle(state: ServerState, req: IncomingMessage, text: string): Handled {
  const url = new URL(req.url ?? "/", state.ctx.base);
  const rawPath = url.pathname.replace(/\/+$/, "");
  let segments: string[];
  try {
    segments = rawPath
      .split("/")
      .filter(Boolean)
      .map((x) => decodeURIComponent(x));
  } catch {
    return { reply: toReply(new ArmError(400, "InvalidUri", "The request URI is not valid.")) };
  }
  const path = "/" + segments.join("/");
  const method = (req.method ?? "GET").toUpperCase();
  if (segments[0] === "_emulator") return { reply: safe(() => admin(state, method, segments, text)) };

  const apiVersion = url.searchParams.get("api-version") ?? undefined;
  const subscriptionId = segments[0]?.toLowerCase() === "subscriptions" ? segments[1] : undefined;
  const graph = isResourceGraphQuery(segments);
  // Key Vault's operation URL is the connection's own URL plus `kv-operation=`: a status poll all the same.
  // A Resource Graph query is a POST that reads.
  const kind: CallLogEntry["kind"] =
    operationRoute(segments) || url.searchParams.has("kv-operation")
      ? "operation"
      : graph || method === "GET" || method === "HEAD"
        ? "read"
        : method === "DELETE"
          ? "delete"
          : "write";
  const entry = { method, path, kind, ...(apiVersion ? { apiVersion } : {}), ...(subscriptionId ? { subscriptionId } : {}) };

  for (const h of [...state.hooks]) h({ method, path });
  const fault = takeFault(state, method, path);
  if (fault?.effect === "hang" || fault?.effect === "reset") return { entry, effect: fault.effect, reply: { status: 0 } };
  const applied = (reply: Reply): Handled => {
    if (fault?.effect === "lro-failed") failOperation(state, reply);
    return { entry, reply, ...(fault?.effect === "reset-after-apply" ? { effect: fault.effect } : {}) };
  };
  if (fault && !fault.effect) return { entry, reply: faultReply(fault, method, path) };
  return applied(
    safe(() => {
      const auth = req.headers.authorization;
      if (!auth || !/^Bearer\s+\S+/i.test(auth)) {
        throw new ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing or is not a Bearer token.");
      }
      if (!apiVersion) throw new ArmError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
      if (graph)
        return resourceGraph(state, method, auth, text, {
          method,
          path,
          rawPath,
          segments,
          query: url.searchParams,
          headers: req.headers,
          body: undefined,
          apiVersion,
        });
      checkRefusals(state.refusals, state.ctx.store, method, path, segments, apiVersion);
      const bucket = kind === "read" || kind === "operation" ? "reads" : "writes";
      const taken = state.throttle.take(subscriptionId ?? "tenant", bucket);
      if (taken && !taken.ok) {
        throw new ArmError(
          429,
          "TooManyRequests",
          `Number of ${bucket === "reads" ? "read" : "write"} requests for subscription '${subscriptionId ?? "tenant"}' exceeded the limit. Please try again after '${taken.retryAfterSeconds}' seconds.`,
          retryHeaders(state.throttle, taken),
        );
      }
      // Private DNS answers carry its own budget (recorded header name: Azure CLI
      // privatedns test_ListRecordSetsByType_NoRecordSetsPresent_ExpectNoRecordSetsRetrieved.yaml).
      let dns: ReturnType<Throttle["take"]>;
      if (bucket === "reads" && kind === "read" && /\/providers\/microsoft\.network\/privatednszones(\/|$)/i.test(path)) {
        dns = state.throttle.take(subscriptionId ?? "tenant", "privateDnsReads");
        if (dns && !dns.ok) {
          throw new ArmError(
            429,
            "TooManyRequests",
            `The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:05:00 (Private DNS, subscription '${subscriptionId}'). Please try again after '${dns.retryAfterSeconds}' seconds.`,
            retryHeaders(state.throttle, dns),
          );
        }
      }
      let body: unknown;
      if (text.trim()) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.");
        }
      }
      const emuReq: EmuRequest = { method, path, rawPath, segments, query: url.searchParams, headers: req.headers, body, apiVersion };
      state.ctx.ops.settle();
      const reply = route(state.ctx, emuReq);
      if (taken?.ok) reply.headers = { ...reply.headers, [`x-ms-ratelimit-remaining-subscription-${bucket}`]: String(taken.remaining) };
      if (dns?.ok) reply.headers = { ...reply.headers, "x-ms-ratelimit-remaining-subscription-resource-requests": String(dns.remaining) };
      return reply;
    }),
  );
}

/** ARM's whole-second Retry-After; on a faster clock also the scaled wait (the SDK prefers `retry-after-ms`). */
function retryHeaders(throttle: Throttle, t: { retryAfterSeconds: number; retryAfterMs: number }): Record<string, string> {
  const h: Record<string, string> = { "retry-after": String(t.retryAfterSeconds) };
  if (throttle.timeScale !== 1) h["retry-after-ms"] = String(t.retryAfterMs);
  return h;
}

/** Resource Graph: its own per-user quota instead of ARM's per-subscription buckets (handlers/resourceGraph.ts). */
function resourceGraph(state: ServerState, method: string, user: string, text: string, req: EmuRequest): Reply {
  if (method !== "POST") throw new ArmError(405, "MethodNotAllowed", `The requested resource does not support http method '${method}'.`);
  const quota = state.graphQuota.take(user);
  if (!quota.ok) throw rateLimited(quota.headers);
  let body: unknown;
  try {
    body = text.trim() ? JSON.parse(text) : undefined;
  } catch {
    throw new ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.");
  }
  const reply = queryResources(state.ctx, { ...req, body });
  reply.headers = { ...reply.headers, ...quota.headers };
  return reply;
}

/** lro-failed: the operation this answer started ends Failed, and its resource's provisioningState says so. */
function failOperation(state: ServerState, reply: Reply): void {
  const url = reply.headers?.["azure-asyncoperation"] ?? reply.headers?.["location"];
  // Key Vault's operation URL is the connection's URL plus a kv-operation token (an alias of the operation).
  const u = url ? new URL(url) : undefined;
  const op = u ? state.ctx.ops.get(u.searchParams.get("kv-operation") ?? u.pathname.split("/").pop() ?? "") : undefined;
  if (!op) return;
  op.failWith = { code: "InjectedOperationFailure", message: `Injected fault: operation ${op.method} on ${op.resourceId} failed.` };
  const onDone = op.onDone;
  op.onDone = () => {
    onDone?.();
    const r = state.ctx.store.get(op.resourceId);
    if (r) r.properties = { ...(r.properties ?? {}), provisioningState: "Failed" };
  };
}

function takeFault(state: ServerState, method: string, path: string): FaultSpec | undefined {
  const lowerPath = path.toLowerCase();
  const f = state.faults.find(
    (x) => x.remaining > 0 && (!x.method || x.method.toUpperCase() === method) && (!x.pathIncludes || lowerPath.includes(x.pathIncludes.toLowerCase())),
  );
  if (!f) return undefined;
  f.remaining--;
  state.faults = state.faults.filter((x) => x.remaining > 0);
  return f.hang ? { ...f, effect: "hang" } : f;
}

function faultReply(f: FaultSpec, method: string, path: string): Reply {
  const status = f.status ?? 500;
  const headers: Record<string, string> = {
    ...(f.retryAfterSeconds !== undefined ? { "retry-after": String(f.retryAfterSeconds) } : {}),
    ...(f.headers ?? {}),
  };
  if (status < 400 || f.body !== undefined) return { status, headers, body: f.body ?? undefined };
  return {
    status,
    headers,
    body: errorBody(f.code ?? DEFAULT_CODES[status] ?? "InjectedFault", f.message ?? `Injected fault (${status}) for ${method} ${path}.`),
  };
}

function admin(state: ServerState, method: string, segments: string[], text: string): Reply {
  const what = segments.slice(1).join("/").toLowerCase();
  const json = () => {
    try {
      return text.trim() ? JSON.parse(text) : undefined;
    } catch {
      throw new ArmError(400, "InvalidRequestContent", "Body is not JSON.");
    }
  };
  if (what === "calls" && method === "GET") return { status: 200, body: state.calls };
  if (what === "calls" && method === "DELETE") {
    state.admin.clearCalls();
    return { status: 204 };
  }
  if (what === "estate" && method === "GET") return { status: 200, body: state.admin.snapshot() };
  if (what === "estate" && method === "POST") {
    const estate = json();
    if (!estate || !Array.isArray(estate.resources)) throw new ArmError(400, "InvalidRequestContent", "Expected an Estate: { resources: [...] }.");
    state.admin.load(estate);
    return { status: 200, body: { loaded: estate.resources.length } };
  }
  if (what === "refusals" && method === "GET") return { status: 200, body: state.refusals };
  if (what === "refusals" && method === "POST") {
    const r = json();
    if (!r || typeof r !== "object")
      throw new ArmError(400, "InvalidRequestContent", "Expected { unregisteredNamespaces?: { sub: [ns] }, forbiddenScopes?: [scope] }.");
    state.admin.setRefusals(r);
    return { status: 200, body: state.refusals };
  }
  if (what === "faults" && method === "GET") return { status: 200, body: state.faults };
  if (what === "faults" && method === "POST") {
    const f = json();
    if (!f || (typeof f.status !== "number" && !f.effect && !f.hang))
      throw new ArmError(
        400,
        "InvalidRequestContent",
        "Expected a FaultSpec: { status | effect | hang, method?, pathIncludes?, count?, code?, message?, retryAfterSeconds? }.",
      );
    state.admin.injectFault(f);
    return { status: 201, body: f };
  }
  throw new ArmError(
    404,
    "NotFound",
    "Admin routes: GET|DELETE /_emulator/calls, GET|POST /_emulator/estate, GET|POST /_emulator/faults, GET|POST /_emulator/refusals.",
  );
}

function safe(f: () => Reply): Reply {
  try {
    return f();
  } catch (e) {
    return toReply(e);
  }
}

function toReply(e: unknown): Reply {
  if (e instanceof ArmError) return { status: e.status, headers: e.headers, body: errorBody(e.code, e.message) };
  return { status: 500, body: errorBody("InternalServerError", `Emulator error: ${e instanceof Error ? e.message : String(e)}`) };
}

function write(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { "x-ms-request-id": randomUUID(), "x-ms-correlation-request-id": randomUUID(), ...(reply.headers ?? {}) };
  let text: string | undefined;
  if (reply.body !== undefined && reply.status !== 204) {
    text = JSON.stringify(reply.body);
    headers["content-type"] = "application/json; charset=utf-8";
  }
  headers["content-length"] = String(text ? Buffer.byteLength(text) : 0);
  res.writeHead(reply.status, headers);
  res.end(text);
}
