// A local ARM emulator the unmodified Azure SDK clients talk to over HTTPS.
// See server.ts for the request pipeline and router.ts for what is served.
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { ArmResource, Estate, EstateRefusals } from "../estate.js";
import { mergeRefusals } from "./access.js";
import { makeCertificate } from "./cert.js";
import type { EmuContext } from "./context.js";
import { Operations } from "./operations.js";
import { render } from "./render.js";
import { createRequestListener, type ServerState } from "./server.js";
import { Store } from "./store.js";
import { Throttle } from "./throttle.js";
import { GraphQuota } from "./handlers/resourceGraph.js";
import { DEFAULT_TIME_SCALE, durationMs } from "./timings.js";
import { tryParseResourceId } from "../../shared/model/resourceId.js";
import type { Emulator, EmulatorOptions, FaultSpec } from "./types.js";

export type { Emulator, EmulatorOptions, CallLogEntry, FaultSpec, BucketSpec } from "./types.js";
export type { EstateRefusals } from "../estate.js";
export { API_VERSION_RULES, acceptsApiVersion } from "./apiVersions.js";
export { TIMINGS, DEFAULT_TIME_SCALE } from "./timings.js";

/** Idle connections stay open this long (Node's default is 5 s). */
export const KEEP_ALIVE_MS = 120_000;

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const { cert, key } = await makeCertificate();
  const store = new Store();
  const timeScale = opts.timeScale ?? DEFAULT_TIME_SCALE;
  const ops = new Operations((id, method) =>
    opts.lroDelayMs !== undefined ? opts.lroDelayMs : durationMs(tryParseResourceId(id)?.type, method === "DELETE" ? "delete" : "put", timeScale),
  );
  const refusals: EstateRefusals = {};
  const ctx: EmuContext = { store, ops, pageSize: Math.max(1, opts.pageSize ?? 100), base: "", managementGroups: [], refusals };
  const load = (estate: Estate) => {
    store.load(estate);
    mergeRefusals(refusals, estate?.refusals);
    for (const g of estate?.managementGroups ?? []) {
      ctx.managementGroups = [...ctx.managementGroups.filter((x) => x.name.toLowerCase() !== g.name.toLowerCase()), structuredClone(g)];
    }
  };
  if (opts.estate) load(opts.estate);

  let seq = 0;
  const state: ServerState = {
    ctx,
    refusals,
    throttle: new Throttle(opts.throttle, opts.scaleLimits ? timeScale : 1, opts.throttleClock),
    graphQuota: new GraphQuota(opts.throttle === false ? false : undefined, opts.scaleLimits ? timeScale : 1),
    faults: [],
    hooks: [],
    calls: [],
    nextSeq: () => ++seq,
    admin: {
      snapshot: () => snapshot(),
      load: (e) => load(e),
      injectFault: (f) => injectFault(f),
      clearCalls: () => clearCalls(),
      setRefusals: (r) => setRefusals(r),
    },
  };

  const timers = new Set<NodeJS.Timeout>();
  const server = createServer({ cert, key }, createRequestListener(state, timers));
  // ARM keeps connections alive; clients keep a socket for the server's `Keep-Alive:
  // timeout` minus 1 s, so a short timeout means a new TLS handshake per call. close() ends them.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  ctx.base = `https://127.0.0.1:${port}`;

  function snapshot(): Estate {
    ops.settle();
    const out: Estate = { resources: store.all().map((r) => render(store, r)) };
    if (ctx.managementGroups.length) out.managementGroups = structuredClone(ctx.managementGroups);
    if (refusals.unregisteredNamespaces || refusals.forbiddenScopes) out.refusals = structuredClone(refusals);
    return out;
  }
  function injectFault(f: FaultSpec): void {
    state.faults.push({ ...f, remaining: f.count ?? 1 });
  }
  function clearCalls(): void {
    state.calls.length = 0;
  }
  /** Replaces the refusals (estate ones included) with these. */
  function setRefusals(r: EstateRefusals): void {
    delete refusals.unregisteredNamespaces;
    delete refusals.forbiddenScopes;
    mergeRefusals(refusals, r);
  }

  return {
    url: ctx.base,
    ca: cert,
    calls: state.calls,
    clearCalls,
    injectFault,
    beforeCall(hook) {
      state.hooks.push(hook);
      return () => {
        state.hooks = state.hooks.filter((h) => h !== hook);
      };
    },
    snapshot,
    load,
    setRefusals,
    reset(estate?: Estate) {
      store.clear();
      ops.clear();
      ctx.managementGroups = [];
      state.faults.length = 0;
      state.calls.length = 0;
      state.throttle = new Throttle(opts.throttle, opts.scaleLimits ? timeScale : 1, opts.throttleClock);
      delete refusals.unregisteredNamespaces;
      delete refusals.forbiddenScopes;
      if (estate) load(estate);
    },
    getResource(id: string): ArmResource | undefined {
      ops.settle();
      const r = store.get(id);
      return r ? render(store, r) : undefined;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
