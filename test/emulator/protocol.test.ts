// ARM protocol behaviour: auth and api-version checks, error bodies, 404/409/429
// through the SDKs (429 with Retry-After is retried by the default policy),
// throttling buckets, fault injection, the admin surface, long-running status.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRestError } from "@azure/core-rest-pipeline";
import { startEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import { generic, keyVault, network, raw } from "./helpers.js";

const SUB = "33333333-3333-3333-3333-333333333333";
const RG = "rg1";
const VAULT = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.KeyVault/vaults/kv1`;
const CONN = `${VAULT}/privateEndpointConnections/pe1.conn`;
const PE = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/privateEndpoints/pe1`;
const estate = () => ({
  resources: [
    { id: VAULT, location: "eastus", properties: {} },
    {
      id: CONN,
      properties: {
        privateEndpoint: { id: PE },
        privateLinkServiceConnectionState: { status: "Pending", description: "hi", actionsRequired: "None" },
        provisioningState: "Succeeded",
      },
    },
    { id: `/subscriptions/${SUB}/resourceGroups/rg-empty`, location: "westus" },
  ],
});

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ estate: estate(), throttle: false });
});
afterAll(async () => emu?.close());

describe("request checks and error bodies", () => {
  it("no Authorization header → 401 AuthenticationFailed as an ARM error body", async () => {
    const r = await raw(emu, "GET", `${VAULT}?api-version=2026-02-01`, { auth: false });
    expect(r.status).toBe(401);
    expect(r.headers["content-type"]).toMatch(/^application\/json/);
    expect(r.json).toEqual({ error: { code: "AuthenticationFailed", message: expect.any(String) } });
  });

  it("no api-version → 400 MissingApiVersionParameter; any api-version of a known route is accepted", async () => {
    expect((await raw(emu, "GET", VAULT)).json.error.code).toBe("MissingApiVersionParameter");
    expect((await raw(emu, "GET", `${VAULT}?api-version=2099-01-01-preview`)).status).toBe(200);
  });

  it("unknown type → 400 InvalidResourceType; unknown resource → 404 ResourceNotFound", async () => {
    const t = await raw(emu, "GET", `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Web/sites/app?api-version=2023-01-01`);
    expect(t.status).toBe(400);
    expect(t.json.error.code).toBe("InvalidResourceType");
    const err = await network(emu, SUB)
      .privateEndpoints.get(RG, "missing")
      .catch((e) => e);
    expect(isRestError(err)).toBe(true);
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe("ResourceNotFound");
  });

  it("ids are case-insensitive but keep their stored casing", async () => {
    const r = await raw(emu, "GET", `${VAULT.toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/")}?api-version=2026-02-01`);
    expect(r.status).toBe(200);
    expect(r.json.id).toBe(VAULT);
    expect(r.json.name).toBe("kv1");
    expect(r.json.type).toBe("Microsoft.KeyVault/vaults");
  });

  it("DELETE of something absent → 204 with no body; invalid JSON → 400", async () => {
    const r = await raw(emu, "DELETE", `${VAULT.replace("kv1", "nope")}?api-version=2026-02-01`);
    expect(r.status).toBe(204);
    expect(r.text).toBe("");
    const bad = await raw(emu, "PUT", `${CONN}?api-version=2026-02-01`, { body: "{nope" });
    expect(bad.json.error.code).toBe("InvalidRequestContent");
  });

  it("PUT of a connection that does not exist is 404 (connections are born from endpoints)", async () => {
    const err = await keyVault(emu, SUB)
      .privateEndpointConnections.put(RG, "kv1", "ghost", { privateLinkServiceConnectionState: { status: "Approved" } })
      .catch((e) => e);
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe("ResourceNotFound");
  });

  it("subscriptions and resource groups are derived from the estate", async () => {
    const call = generic(emu);
    const subs = (await call("GET", "/subscriptions?api-version=2022-12-01")).body;
    expect(subs.value.map((s: any) => s.subscriptionId)).toEqual([SUB]);
    expect((await call("GET", `/subscriptions/${SUB}?api-version=2022-12-01`)).body).toMatchObject({ id: `/subscriptions/${SUB}`, state: "Enabled" });
    const rgs = (await call("GET", `/subscriptions/${SUB}/resourcegroups?api-version=2021-04-01`)).body;
    expect(rgs.value.map((g: any) => [g.name, g.location])).toEqual([
      [RG, "eastus"],
      ["rg-empty", "westus"],
    ]);
  });
});

describe("faults, retries and throttling", () => {
  it("an injected 429 with Retry-After is retried by the SDK's default policy and then succeeds", async () => {
    // The suite's one real-time throttling test. Instead of timing the SDK, a read bucket
    // that one raw GET empties and that refills in 0.8 s: a retry sooner than that would be
    // refused (a second 429); a retry after the 1 s Retry-After finds a token.
    const paced = await startEmulator({ estate: estate(), throttle: { reads: { burst: 1, perSecond: 1.25 } } });
    try {
      expect((await raw(paced, "GET", `${VAULT}?api-version=2026-02-01`)).status).toBe(200);
      paced.injectFault({ method: "GET", pathIncludes: "/privateEndpointConnections/PE1.CONN", status: 429, retryAfterSeconds: 1 });
      const c = await keyVault(paced, SUB).privateEndpointConnections.get(RG, "kv1", "pe1.conn");
      expect(c.privateLinkServiceConnectionState?.status).toBe("Pending");
      expect(paced.calls.map((x) => x.status)).toEqual([200, 429, 200]);
    } finally {
      await paced.close();
    }
  });

  it("injected faults take precedence over auth and carry the given code; 409 surfaces as RestError", async () => {
    emu.injectFault({ pathIncludes: "kv1", status: 503, code: "ServerBusy", count: 1 });
    const r = await raw(emu, "GET", `${VAULT}?api-version=2026-02-01`, { auth: false });
    expect(r.status).toBe(503);
    expect(r.json.error.code).toBe("ServerBusy");
    emu.injectFault({ method: "PUT", pathIncludes: "privateEndpointConnections", status: 409 });
    const err = await keyVault(emu, SUB)
      .privateEndpointConnections.put(RG, "kv1", "pe1.conn", { privateLinkServiceConnectionState: { status: "Approved" } })
      .catch((e) => e);
    expect(isRestError(err)).toBe(true);
    expect(err.statusCode).toBe(409);
    expect(err.code).toBe("Conflict");
  });

  it("the admin surface shows calls and estate, and takes faults and estates", async () => {
    const calls = await raw(emu, "GET", "/_emulator/calls", { auth: false });
    expect(calls.status).toBe(200);
    expect(calls.json.at(-1)).toMatchObject({ method: "PUT", status: 409, kind: "write", subscriptionId: SUB, apiVersion: "2026-02-01" });
    const id = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/st1`;
    const loaded = await raw(emu, "POST", "/_emulator/estate", {
      auth: false,
      body: JSON.stringify({ resources: [{ id, location: "eastus", properties: {} }] }),
    });
    expect(loaded.json).toEqual({ loaded: 1 });
    expect(emu.getResource(id)).toMatchObject({ name: "st1", type: "Microsoft.Storage/storageAccounts", properties: { privateEndpointConnections: [] } });
    await raw(emu, "POST", "/_emulator/faults", { auth: false, body: JSON.stringify({ pathIncludes: "st1", status: 500 }) });
    expect((await raw(emu, "GET", `${id}?api-version=2023-05-01`)).status).toBe(500);
    expect((await raw(emu, "GET", `${id}?api-version=2023-05-01`)).status).toBe(200);
    const snap = await raw(emu, "GET", "/_emulator/estate", { auth: false });
    expect(snap.json.resources.map((r: any) => r.id)).toContain(id);
  });

  it("token buckets: an empty read bucket answers 429 TooManyRequests with Retry-After; headers show what is left", async () => {
    const tiny = await startEmulator({ estate: estate(), throttle: { reads: { burst: 2, perSecond: 1 }, writes: { burst: 1, perSecond: 1 } } });
    try {
      const path = `${VAULT}?api-version=2026-02-01`;
      const a = await raw(tiny, "GET", path);
      expect(a.headers["x-ms-ratelimit-remaining-subscription-reads"]).toBe("1");
      await raw(tiny, "GET", path);
      const c = await raw(tiny, "GET", path);
      expect(c.status).toBe(429);
      expect(Number(c.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      expect(c.json.error.code).toBe("TooManyRequests");
      // Writes have their own bucket.
      const w = await raw(tiny, "PATCH", path, { body: JSON.stringify({ tags: { a: "b" } }) });
      expect(w.status).toBe(200);
      expect(w.headers["x-ms-ratelimit-remaining-subscription-writes"]).toBe("0");
      // The SDK waits Retry-After and gets through.
      const kv = await keyVault(tiny, SUB).privateEndpointConnections.get(RG, "kv1", "pe1.conn");
      expect(kv.name).toBe("pe1.conn");
      expect(tiny.calls.filter((x) => x.status === 429).length).toBeGreaterThanOrEqual(2);
    } finally {
      await tiny.close();
    }
  });
});

describe("long-running operation status", () => {
  it("with a long lroDelayMs the Key Vault operation URL (kv-operation) answers the connection, still Updating; further writes are refused (409)", async () => {
    const slow = await startEmulator({ estate: estate(), lroDelayMs: 60_000 });
    try {
      let headers: Record<string, string> = {};
      const kv = keyVault(slow, SUB);
      const put = await kv.privateEndpointConnections.put(
        RG,
        "kv1",
        "pe1.conn",
        { privateLinkServiceConnectionState: { status: "Approved" } },
        { onResponse: (r: any) => (headers = r.headers.toJSON()) },
      );
      expect(put.provisioningState).toBe("Updating");
      const op = await generic(slow)("GET", headers["azure-asyncoperation"]!);
      expect(op.body).toMatchObject({ name: "pe1.conn", properties: { provisioningState: "Updating" } });
      const err = await kv.privateEndpointConnections.put(RG, "kv1", "pe1.conn", { privateLinkServiceConnectionState: { status: "Rejected" } }).catch((e) => e);
      expect(err.statusCode).toBe(409);
      expect(err.code).toBe("AnotherOperationInProgress");
    } finally {
      await slow.close();
    }
  });
});
