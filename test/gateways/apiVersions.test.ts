// The api-versions the app sends (shared/model/providerTypes.ts, README "api-versions"):
// the emulator, which refuses retired versions as ARM does, must accept each of them;
// and Azure Managed Redis / Redis Enterprise works end to end with the current one.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import type { ResourceEvent } from "../../shared/events/index.js";
import { PROVIDER_TYPES } from "../../shared/model/providerTypes.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { allowList } from "../helpers/allowList.js";
import { CONSUMER, HUB, PROVIDER, consumerVnet, createEndpoint, hubZone, parent, providerId } from "../helpers/world.js";

let local: LocalArm | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
});

describe("api-versions the app sends", () => {
  it("Azure Managed Redis / Redis Enterprise uses a version from 2025-07-01 on (earlier ones are retired)", () => {
    expect(PROVIDER_TYPES.find((p) => p.type === "Microsoft.Cache/redisEnterprise")!.apiVersion >= "2025-07-01").toBe(true);
  });

  it.each(PROVIDER_TYPES.filter((p) => p.client === "generic").map((p) => [p.label, p] as const))(
    "the emulator accepts the version sent for %s (list, connections, one connection)",
    async (_l, p) => {
      const target = providerId(p.type, "t1");
      const conn = `${target}/privateEndpointConnections/c1`;
      local = await startLocalArm(
        {
          resources: [
            parent(target, p.type),
            {
              id: conn,
              properties: {
                privateEndpoint: { id: `/subscriptions/${CONSUMER}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/pe` },
                privateLinkServiceConnectionState: { status: "Pending" },
              },
            },
          ],
        },
        { throttle: false },
      );
      const listed: string[] = [];
      for await (const r of local.arm.generic.list<{ id: string }>(`/subscriptions/${PROVIDER}/providers/${p.type}`, p.apiVersion)) listed.push(r.id);
      expect(listed).toEqual([target]);
      const conns: string[] = [];
      for await (const c of local.arm.generic.list<{ id: string }>(`${target}/privateEndpointConnections`, p.apiVersion)) conns.push(c.id);
      expect(conns).toEqual([conn]);
      expect(await local.arm.generic.get(conn, p.apiVersion)).toMatchObject({ id: conn });
      const refused = local.emulator.calls.filter((c) => c.status >= 400);
      expect(refused).toEqual([]);
      expect(new Set(local.emulator.calls.map((c) => c.apiVersion))).toEqual(new Set([p.apiVersion]));
    },
  );
});

describe("Azure Managed Redis end to end with the current api-version", () => {
  it("approves, writes {cache}.{region} in privatelink.redis.azure.net, and removes it when the endpoint goes", async () => {
    const cache = providerId("Microsoft.Cache/redisEnterprise", "amr1");
    local = await startLocalArm(
      { resources: [parent(cache, "Microsoft.Cache/redisEnterprise"), consumerVnet("rg-app"), hubZone("privatelink.redis.azure.net")] },
      { throttle: false },
    );
    const pe = await createEndpoint(local, "pe-amr", cache, { groupId: "redisEnterprise" });
    const allow = allowList({ rule: "teams", zones: ["privatelink.redis.azure.net"] });
    const autopilot = new Autopilot({ arm: local.arm, config: parseConfigText(allow, "a.yaml") });
    const event = (kind: "write" | "delete"): ResourceEvent => ({
      id: `ev-${kind}`,
      schema: "eventgrid",
      eventType: kind === "write" ? "Microsoft.Resources.ResourceWriteSuccess" : "Microsoft.Resources.ResourceDeleteSuccess",
      kind,
      resourceId: pe,
      resourceType: "Microsoft.Network/privateEndpoints",
      operationName: `Microsoft.Network/privateEndpoints/${kind}`,
      caller: {},
    });

    const written = await autopilot.handleEvent(event("write"));
    expect(written).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: "approve", outcome: "applied" }),
        expect.objectContaining({
          action: "dns-create",
          outcome: "applied",
          dns: expect.objectContaining({ zone: "privatelink.redis.azure.net", record: "amr1.westeurope" }),
        }),
      ]),
    );
    const recordId = `/subscriptions/${HUB}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.redis.azure.net/A/amr1.westeurope`;
    expect(local.emulator.getResource(recordId)).toBeDefined();

    await local.arm.networkFor(CONSUMER).privateEndpoints.beginDeleteAndWait("rg-app", "pe-amr");
    const cleaned = await autopilot.handleEvent(event("delete"));
    expect(cleaned).toEqual(expect.arrayContaining([expect.objectContaining({ action: "dns-delete", outcome: "applied" })]));
    expect(local.emulator.getResource(recordId)).toBeUndefined();

    // Every call on the cache carried the current version, and none was refused.
    const onCache = local.emulator.calls.filter((c) => c.path.toLowerCase().includes("/microsoft.cache/redisenterprise/"));
    expect(onCache.length).toBeGreaterThan(0);
    expect(new Set(onCache.filter((c) => c.kind !== "operation").map((c) => c.apiVersion))).toEqual(new Set(["2025-07-01"]));
    expect(onCache.filter((c) => c.status >= 400)).toEqual([]);
  });
});
