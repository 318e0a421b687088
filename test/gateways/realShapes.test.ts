// The app reads connections in the shapes real services send (issue 10): Cosmos DB's
// singular `groupId`, no group ids at all (Redis, Storage), SQL's settled state
// `Ready`, Key Vault's 204 and SQL's 400 for a missing connection, and statuses in
// any casing. Through the real SDK clients, against the emulator or a stand-in server.
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ArmClients } from "../../shared/gateways/arm/clients.js";
import { staticTokenCredential } from "../../shared/gateways/arm/settings.js";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import type { ArmResource } from "../../sandbox/estate.js";
import { ConnectionsGateway, toConnectionInfo } from "../../shared/gateways/connections.js";
import { toEndpointInfo } from "../../shared/gateways/endpoints.js";
import { makeCertificate } from "../../sandbox/emulator/cert.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { CONSUMER, PROVIDER, providerId } from "../helpers/world.js";

const PE = (name: string) => `/subscriptions/${CONSUMER}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/${name}`;

/** A provider resource with one connection in the given shape, and the requester's endpoint. */
function world(
  type: string,
  name: string,
  connProps: Record<string, unknown>,
  linkGroupIds: string[],
): { target: string; conn: string; resources: ArmResource[] } {
  const target = providerId(type, name);
  const conn = `${target}/privateEndpointConnections/pe-${name}.conn`;
  return {
    target,
    conn,
    resources: [
      { id: target, type, location: "westeurope", properties: {} },
      {
        id: conn,
        type: `${type}/privateEndpointConnections`,
        properties: { privateEndpoint: { id: PE(`pe-${name}`) }, provisioningState: "Succeeded", ...connProps },
      },
      {
        id: PE(`pe-${name}`),
        type: "Microsoft.Network/privateEndpoints",
        location: "westeurope",
        properties: {
          provisioningState: "Succeeded",
          manualPrivateLinkServiceConnections: [
            { name: "l", properties: { privateLinkServiceId: target, groupIds: linkGroupIds, privateLinkServiceConnectionState: { status: "Pending" } } },
          ],
          networkInterfaces: [],
        },
      },
    ],
  };
}

const pending = (s = "Pending") => ({ privateLinkServiceConnectionState: { status: s, description: "please", actionsRequired: "None" } });

const allowList = (groupIds: string) => `
approval:
  managedScopes: [/subscriptions/${PROVIDER}]
  rules:
    - name: by-group
      requesterSubscriptions: [${CONSUMER}]
      groupIds: [${groupIds}]
`;

let local: LocalArm | undefined;
let stub: Server | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
  if (stub) await new Promise<void>((r) => stub!.close(() => r()));
  stub = undefined;
});

const statusOf = (id: string) => local!.emulator.getResource(id)?.properties?.privateLinkServiceConnectionState?.status;

describe("connection shapes", () => {
  it("reads singular groupId (Cosmos DB), groupIds (SQL) and none (Redis) alike", () => {
    const id = `${providerId("Microsoft.DocumentDB/databaseAccounts", "c")}/privateEndpointConnections/x`;
    expect(toConnectionInfo({ id, properties: { groupId: "Sql" } }).groupIds).toEqual(["Sql"]);
    expect(toConnectionInfo({ id, properties: { groupIds: ["sqlServer"] } }).groupIds).toEqual(["sqlServer"]);
    expect(toConnectionInfo({ id, properties: {} }).groupIds).toEqual([]);
  });

  it("compares statuses case-insensitively: a `pending` connection is Pending, an `approved` link is Approved", () => {
    const id = `${providerId("Microsoft.Storage/storageAccounts", "s")}/privateEndpointConnections/x`;
    expect(toConnectionInfo({ id, properties: pending("pending") }).status).toBe("Pending");
    expect(toConnectionInfo({ id, properties: pending("APPROVED") }).status).toBe("Approved");
    const pe = toEndpointInfo({
      id: PE("p"),
      properties: {
        privateLinkServiceConnections: [{ properties: { privateLinkServiceId: id, privateLinkServiceConnectionState: { status: "disconnected" } } }],
      },
    });
    expect(pe.links[0]!.status).toBe("Disconnected");
  });

  it("a Cosmos DB connection with a singular groupId matches a rule on that group id and is approved", async () => {
    const w = world("Microsoft.DocumentDB/databaseAccounts", "cosmos1", { groupId: "Sql", ...pending() }, []);
    local = await startLocalArm({ resources: w.resources }, { throttle: false });
    const autopilot = new Autopilot({ arm: local.arm, config: parseConfigText(allowList("Sql"), "a.yaml") });
    const d = await autopilot.handleTarget("t", w.target, autopilot.configOrFailClosed("t", "x") as any, false);
    expect(d).toEqual([expect.objectContaining({ action: "approve", resource: w.conn, rule: "by-group", outcome: "applied" })]);
    expect(statusOf(w.conn)).toBe("Approved");
  });

  it.each([
    ["Redis Enterprise", "Microsoft.Cache/redisEnterprise", "redisEnterprise"],
    ["Storage", "Microsoft.Storage/storageAccounts", "blob"],
  ])("%s connections carry no group ids: the requester endpoint's link decides", async (_l, type, group) => {
    const ok = world(type, "ok1", pending(), [group]);
    const other = world(type, "other1", pending(), ["something-else"]);
    local = await startLocalArm({ resources: [...ok.resources, ...other.resources] }, { throttle: false });
    const autopilot = new Autopilot({ arm: local.arm, config: parseConfigText(allowList(group), "a.yaml") });
    const config = autopilot.configOrFailClosed("t", "x") as any;
    expect(await autopilot.handleTarget("t", ok.target, config, false)).toEqual([expect.objectContaining({ action: "approve", rule: "by-group" })]);
    expect(await autopilot.handleTarget("t", other.target, config, false)).toEqual([expect.objectContaining({ action: "leave-pending" })]);
    expect([statusOf(ok.conn), statusOf(other.conn)]).toEqual(["Approved", "Pending"]);
  });

  it("a connection whose status arrives lower-case is approved like a Pending one", async () => {
    const w = world("Microsoft.Sql/servers", "sql1", { groupIds: ["sqlServer"], ...pending("pending") }, []);
    local = await startLocalArm({ resources: w.resources }, { throttle: false });
    const autopilot = new Autopilot({ arm: local.arm, config: parseConfigText(allowList("sqlServer"), "a.yaml") });
    const d = await autopilot.handleTarget("t", w.target, autopilot.configOrFailClosed("t", "x") as any, false);
    expect(d).toEqual([expect.objectContaining({ action: "approve", outcome: "applied" })]);
    expect(statusOf(w.conn)).toBe("Approved");
  });
});

describe("a missing connection is gone, whatever the service answers", () => {
  it("Key Vault's 204 without a body (which @azure/arm-keyvault 5.0.0 cannot parse) reads as gone", async () => {
    const w = world("Microsoft.KeyVault/vaults", "kv1", { groupIds: ["vault"], ...pending() }, ["vault"]);
    local = await startLocalArm({ resources: w.resources }, { throttle: false });
    const gw = new ConnectionsGateway(local.arm);
    local.emulator.injectFault({ method: "GET", pathIncludes: "/privateEndpointConnections/pe-kv1.conn", status: 204 });
    expect(await gw.getConnection(w.conn)).toBeUndefined();
    expect((await gw.getConnection(w.conn))?.status).toBe("Pending"); // the fault was one call: a real read still works
  });

  it("SQL's 400 PrivateEndpointConnectionDoesNotExist reads as gone, and the approval then writes nothing", async () => {
    const w = world("Microsoft.Sql/servers", "sql2", { groupIds: ["sqlServer"], ...pending() }, []);
    local = await startLocalArm({ resources: w.resources }, { throttle: false });
    const autopilot = new Autopilot({ arm: local.arm, config: parseConfigText(allowList("sqlServer"), "a.yaml") });
    // The re-read right before the write finds the connection gone.
    local.emulator.injectFault({
      method: "GET",
      pathIncludes: "/privateEndpointConnections/pe-sql2.conn",
      status: 400,
      code: "PrivateEndpointConnectionDoesNotExist",
      message: "The private endpoint connection does not exist.",
    });
    const d = await autopilot.handleTarget("t", w.target, autopilot.configOrFailClosed("t", "x") as any, false);
    expect(d).toEqual([expect.objectContaining({ action: "ignore", reason: expect.stringMatching(/now gone/) })]);
    expect(local.emulator.calls.filter((c) => c.method === "PUT")).toHaveLength(0);
  });

  it("another 400 is not taken for gone", async () => {
    const w = world("Microsoft.Sql/servers", "sql3", { groupIds: ["sqlServer"], ...pending() }, []);
    local = await startLocalArm({ resources: w.resources }, { throttle: false });
    local.emulator.injectFault({ method: "GET", pathIncludes: "/privateEndpointConnections/pe-sql3.conn", status: 400, code: "InvalidRequest" });
    await expect(new ConnectionsGateway(local.arm).getConnection(w.conn)).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe("SQL settles approvals in `Ready`", () => {
  it("a 202 without an operation header, then Approving, then Ready: the wait ends at Ready after a few polls", async () => {
    const { cert, key } = await makeCertificate();
    const conn = `${providerId("Microsoft.Sql/servers", "sql9")}/privateEndpointConnections/pe.conn`;
    const body = (provisioningState: string, status: string) => ({
      id: conn,
      name: "pe.conn",
      properties: {
        groupIds: ["sqlServer"],
        provisioningState,
        privateEndpoint: { id: PE("pe") },
        privateLinkServiceConnectionState: { status, description: "ok", actionsRequired: "None" },
      },
    });
    let gets = 0;
    stub = createServer({ cert, key }, (req, res) => {
      req.resume();
      req.on("end", () => {
        const reply =
          req.method === "PUT"
            ? { code: 202, body: body("Approving", "Pending") }
            : { code: 200, body: ++gets < 3 ? body("Approving", "Pending") : body("Ready", "Approved") };
        res.writeHead(reply.code, { "content-type": "application/json" });
        res.end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((r) => stub!.listen(0, "127.0.0.1", () => r()));
    const url = `https://127.0.0.1:${(stub.address() as AddressInfo).port}`;
    const arm = new ArmClients({ endpoint: url, ca: cert, credential: staticTokenCredential(), scope: `${url}/.default`, pollIntervalMs: 1 });
    const after = await new ConnectionsGateway(arm).setState(toConnectionInfo(body("Ready", "Pending")), "Approved", "ok");
    expect(after).toMatchObject({ applied: true, value: { status: "Approved", provisioningState: "Ready" } });
    expect(gets).toBe(3); // polled until Ready, and not once more
  });
});
