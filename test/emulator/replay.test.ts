// Replays real response bodies (test/fixtures/recorded/SOURCES.md: Azure CLI
// recordings for Key Vault, Cosmos DB, SQL, Storage; REST spec examples for
// Redis, Redis Enterprise and Private Link Service, which have no recording)
// through the real SDK clients and the app's ConnectionsGateway. The emulator
// answers each call with the recorded body verbatim (a canned fault), and the
// test compares what the app makes of it with what the body says, read
// independently here: every field must match.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ArmClients } from "../../shared/gateways/arm/clients.js";
import { staticTokenCredential } from "../../shared/gateways/arm/settings.js";
import { ConnectionsGateway, toConnectionInfo } from "../../shared/gateways/connections.js";
import { startEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import { example, keyVault } from "./helpers.js";
import type { ConnectionInfo } from "../../shared/model/connection.js";

const REC = fileURLToPath(new URL("../fixtures/recorded/", import.meta.url));
const recorded = (path: string): { status: number; headers?: Record<string, string>; body: any } => JSON.parse(readFileSync(REC + path, "utf8"));
/** A spec example's response as a recorded answer. */
const fromExample = (path: string, status = "200") => ({ status: Number(status), body: example(path).responses[status].body });

/** What a connection body says, read without the app's code. */
function truth(body: any) {
  const p = body.properties ?? {};
  const st = p.privateLinkServiceConnectionState ?? {};
  return {
    id: body.id,
    name: body.name ?? body.id.split("/").pop(),
    status: st.status,
    description: st.description,
    actionsRequired: st.actionsRequired ?? st.actionRequired,
    privateEndpointId: p.privateEndpoint?.id,
    provisioningState: p.provisioningState,
    groupIds: Array.isArray(p.groupIds) ? p.groupIds : typeof p.groupId === "string" ? [p.groupId] : [],
    etag: body.etag || undefined,
  };
}

function mismatches(got: ConnectionInfo | undefined, body: any): string[] {
  if (!got) return ["no connection"];
  const want = truth(body);
  const out: string[] = [];
  for (const [k, v] of Object.entries(want)) {
    const g = (got as any)[k];
    if (JSON.stringify(g) !== JSON.stringify(v) && !(k === "id" && String(g).toLowerCase() === String(v).toLowerCase()))
      out.push(`${k}: app ${JSON.stringify(g)}, recorded ${JSON.stringify(v)}`);
  }
  return out;
}

let emu: Emulator;
let gateway: ConnectionsGateway;
let arm: ArmClients;
beforeAll(async () => {
  emu = await startEmulator({ throttle: false });
  arm = new ArmClients({ endpoint: emu.url, ca: emu.ca, credential: staticTokenCredential(), scope: `${emu.url}/.default`, pollIntervalMs: 10, maxRetries: 0 });
  gateway = new ConnectionsGateway(arm);
});
afterAll(async () => emu?.close());
beforeEach(() => emu.clearCalls());

/** The next matching call answers this recorded response; recorded management.azure.com URLs point at the emulator. */
function answer(method: string, path: string, rec: { status: number; headers?: Record<string, string>; body: any }): void {
  const headers = Object.fromEntries(Object.entries(rec.headers ?? {}).map(([k, v]) => [k, v.replace("https://management.azure.com", emu.url)]));
  emu.injectFault({ method, pathIncludes: path, status: rec.status, body: rec.body ?? undefined, headers });
}
const pathOf = (url: string) => decodeURIComponent(new URL(url, "https://x").pathname);

const gets: Array<[string, string, () => { status: number; body: any }]> = [
  ["Key Vault", "auto-approved, no etag", () => recorded("keyvault/connection-get-approved.json")],
  ["Key Vault", "Rejected, Updating", () => recorded("keyvault/connection-get-rejected-updating.json")],
  ["Key Vault", "settled", () => recorded("keyvault/connection-get-settled.json")],
  ["Cosmos DB", "Approved (singular groupId)", () => recorded("cosmosdb/connection-get-approved.json")],
  ["Cosmos DB", "Rejected", () => recorded("cosmosdb/connection-get-rejected.json")],
  ["SQL", "Ready, groupIds", () => recorded("sql/connection-get.json")],
  ["Storage", "actionRequired, no groupIds", () => recorded("storage/connection-get-approved.json")],
  ["Redis", "spec example", () => fromExample("redis/2024-11-01/RedisCacheGetPrivateEndpointConnection.json")],
  ["Redis Enterprise", "spec example", () => fromExample("redisenterprise/2025-04-01/RedisEnterpriseGetPrivateEndpointConnection.json")],
  ["Private Link Service", "spec example", () => fromExample("network/2025-03-01/PrivateLinkServiceGetPrivateEndpointConnection.json")],
];

describe("recorded connection GETs through the SDK clients and ConnectionsGateway.getConnection", () => {
  for (const [service, what, rec] of gets) {
    it(`${service}: ${what}`, async () => {
      const r = rec();
      answer("GET", r.body.id, r);
      const got = await gateway.getConnection(r.body.id);
      expect(emu.calls.map((c) => c.status)).toEqual([r.status]); // the recorded answer was the one used
      expect(mismatches(got, r.body)).toEqual([]);
    });
  }
});

const lists: Array<[string, string, () => { status: number; body: any }]> = [
  ["SQL", "sql/connections-list.json", () => recorded("sql/connections-list.json")],
  ["Storage", "storage/connections-list.json", () => recorded("storage/connections-list.json")],
  ["Redis", "spec example", () => fromExample("redis/2024-11-01/RedisCacheListPrivateEndpointConnections.json")],
  ["Redis Enterprise", "spec example", () => fromExample("redisenterprise/2025-04-01/RedisEnterpriseListPrivateEndpointConnections.json")],
  ["Private Link Service", "spec example", () => fromExample("network/2025-03-01/PrivateLinkServiceListPrivateEndpointConnection.json")],
];

describe("recorded connection lists through ConnectionsGateway.listConnections", () => {
  for (const [service, what, rec] of lists) {
    it(`${service}: ${what}`, async () => {
      const r = rec();
      const target = r.body.value[0].id.replace(/\/privateEndpointConnections\/[^/]+$/i, "");
      answer("GET", `${target}/privateEndpointConnections`, r);
      const got = await gateway.listConnections(target);
      expect(got).toHaveLength(r.body.value.length);
      const bad = r.body.value.flatMap((b: any, i: number) => mismatches(got[i], b).map((m) => `${b.id}: ${m}`));
      expect(bad).toEqual([]);
    });
  }
});

describe("recorded parent GETs: the embedded connection list", () => {
  it("Key Vault vault GET through @azure/arm-keyvault: the embedded entry (id, etag, properties) reads the same", async () => {
    const r = recorded("keyvault/vault-get.json");
    answer("GET", r.body.id, r);
    const [, , sub, , rg, , , , name] = r.body.id.split("/");
    const vault = await keyVault(emu, sub).vaults.get(rg, name);
    const embedded = vault.properties.privateEndpointConnections ?? [];
    expect(embedded).toHaveLength(1);
    expect(mismatches(toConnectionInfo(embedded[0]), r.body.properties.privateEndpointConnections[0])).toEqual([]);
  });
});

describe("recorded writes through ConnectionsGateway.setState", () => {
  it("Storage reject: synchronous 200 (no operation header) is taken as done, with the recorded result", async () => {
    const r = recorded("storage/connection-put-reject.json");
    answer("PUT", r.body.id, r);
    const before = toConnectionInfo(recorded("storage/connection-get-approved.json").body);
    const res = await gateway.setState(before, "Rejected", "");
    expect(res.applied).toBe(true);
    expect(emu.calls.map((c) => `${c.method} ${c.status}`)).toEqual(["PUT 200"]);
    expect(mismatches(res.applied ? res.value : undefined, r.body)).toEqual([]);
  });

  it("Key Vault approve: 200 Updating with the kv-operation URL; the app follows it to the settled connection", async () => {
    const put = recorded("keyvault/connection-put-approve.json");
    const settled = recorded("keyvault/connection-get-settled.json");
    answer("PUT", put.body.id, put);
    // The kv-operation URL is the connection's own URL: it answers the connection (modelled; README),
    // "Updating" as the recorded GETs at 06:14:53-06:15:17, then the settled one of 06:15:29.
    answer("GET", put.body.id, { status: 200, body: put.body });
    answer("GET", put.body.id, settled);
    // core-lro's final GET of the resource once the operation reads Succeeded.
    answer("GET", put.body.id, settled);
    const before = toConnectionInfo(recorded("keyvault/connection-get-approved.json").body);
    const res = await gateway.setState(before, "Approved", "You are approved!");
    expect(res.applied).toBe(true);
    expect(emu.calls[0]).toMatchObject({ method: "PUT", status: 200 });
    expect(mismatches(res.applied ? res.value : undefined, settled.body)).toEqual([]);
  });

  it("Cosmos DB reject: 202 {status: Enqueued} with Cosmos DB's own operation URLs; the app ends on the connection's new state", async () => {
    const put = recorded("cosmosdb/connection-put-reject.json");
    const after = recorded("cosmosdb/connection-get-rejected.json");
    const id = after.body.id;
    answer("PUT", id, put);
    // Not recorded (the CLI polled the connection instead): the operation status answer.
    answer("GET", pathOf(put.headers!["azure-asyncoperation"]!), { status: 200, body: { status: "Succeeded" } });
    answer("GET", id, after);
    answer("GET", pathOf(put.headers!["location"]!), after);
    const before = toConnectionInfo(recorded("cosmosdb/connection-get-approved.json").body);
    const res = await gateway.setState(before, "Rejected", "You are rejected!");
    expect(res.applied).toBe(true);
    expect(emu.calls[0]).toMatchObject({ method: "PUT", status: 202 });
    const final = res.applied ? res.value : undefined;
    // Whatever the app read last, it is the recorded connection, not the "Enqueued" envelope.
    expect(final?.status).toBe("Rejected");
    expect(mismatches(final, after.body)).toEqual([]);
  });
});
