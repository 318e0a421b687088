// Azure Resource Graph as the emulator answers it (sandbox/emulator/handlers/resourceGraph.ts,
// each behaviour from the source named there), through the app's own client.
import { afterEach, describe, expect, it } from "vitest";
import { isRestError } from "@azure/core-rest-pipeline";
import { ResourceGraph, RESOURCE_GRAPH_API_VERSION } from "../../shared/gateways/arm/resourceGraph.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { SCALE_PROVIDER, scaleEstate } from "../../sandbox/scaleEstate.js";
import { GRAPH_QUOTA } from "../../sandbox/emulator/handlers/resourceGraph.js";

let local: LocalArm | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
});

const PE_TYPE = "microsoft.network/privateendpoints";
// A 2 s quota window: 15 queries fit in it even on a loaded machine (0.5 s did not).
const CLOCK = 0.4;
const query = (subs: string[], q: string, options: Record<string, unknown> = {}) =>
  local!.arm.generic.send("POST", "/providers/Microsoft.ResourceGraph/resources", RESOURCE_GRAPH_API_VERSION, { subscriptions: subs, query: q, options });

describe("emulated Resource Graph", () => {
  it("pages 1,000 rows at a time with $skipToken, over the asked subscriptions only, types lower-cased, provider bodies with their connections", async () => {
    const scale = scaleEstate({ endpoints: 2500, subscriptions: 5 });
    local = await startLocalArm(scale.estate, { throttle: false });
    const first = await query(scale.subscriptions.slice(0, 4), `Resources | where type =~ '${PE_TYPE}' | project id, type, properties | order by id asc`, {
      $top: 1000,
    });
    expect(first.body).toMatchObject({ totalRecords: 2000, count: 1000, resultTruncated: "false", facets: [] });
    expect(typeof first.body.$skipToken).toBe("string");
    expect(first.body.data[0].type).toBe(PE_TYPE);
    const second = await query(scale.subscriptions.slice(0, 4), `Resources | where type =~ '${PE_TYPE}' | project id, type, properties | order by id asc`, {
      $skipToken: first.body.$skipToken,
    });
    expect(second.body).toMatchObject({ count: 1000 });
    expect(second.body.$skipToken).toBeUndefined();
    const ids = [...first.body.data, ...second.body.data].map((r: { id: string }) => r.id);
    expect(new Set(ids).size).toBe(2000);
    expect(ids.every((id) => !id.includes(scale.subscriptions[4]!))).toBe(true);
    // The client pages the same way; a vault row carries its connections.
    const rows = [];
    for await (const r of new ResourceGraph(local.arm.generic).resourcesOfTypes([SCALE_PROVIDER], ["Microsoft.KeyVault/vaults"])) rows.push(r);
    expect(rows).toHaveLength(2500);
    expect(rows[0]!.properties!.privateEndpointConnections).toEqual([
      expect.objectContaining({ properties: expect.objectContaining({ privateLinkServiceConnectionState: expect.objectContaining({ status: "Approved" }) }) }),
    ]);
  });

  it("its own quota: 15 queries per 5 s per user with the quota headers, then 429 RateLimiting; the client waits the window out instead", async () => {
    const scale = scaleEstate({ endpoints: 10, subscriptions: 1 });
    // The quota window on a faster clock; its headers still count whole seconds.
    local = await startLocalArm(scale.estate, { timeScale: CLOCK, scaleLimits: true });
    const seen: string[] = [];
    let refused: unknown;
    for (let i = 0; i < 16; i++) {
      try {
        const r = await query(scale.subscriptions, `Resources | where type =~ '${PE_TYPE}' | project id`);
        seen.push(r.headers["x-ms-user-quota-remaining"]!);
        expect(r.headers["x-ms-user-quota-resets-after"]).toMatch(/^00:00:0[0-5]$/);
      } catch (e) {
        refused = e;
      }
    }
    expect(seen[0]).toBe("14");
    expect(seen.at(-1)).toBe("0");
    expect(isRestError(refused) && refused.statusCode).toBe(429);
    expect(isRestError(refused) && refused.code).toBe("RateLimiting");
    // The client read "0 remaining" and waits for the window before its next query.
    const waits: number[] = [];
    const graph = new ResourceGraph(local.arm.generic, async (ms) => {
      waits.push(ms);
      await new Promise((r) => setTimeout(r, ms));
    });
    await new Promise((r) => setTimeout(r, GRAPH_QUOTA.windowMs * CLOCK + 100));
    for (let i = 0; i < 16; i++) for await (const _ of graph.resourcesOfTypes(scale.subscriptions, [PE_TYPE])) void _;
    expect(waits).toHaveLength(1);
  });

  it("answers a query outside the modelled subset, a bad $top or api-version with 400", async () => {
    local = await startLocalArm({ resources: [] }, { throttle: false });
    for (const [q, options] of [
      ["Resources | summarize count() by type", {}],
      ["ResourceContainers | project id", {}],
      ["Resources | project id", { $top: 5000 }],
    ] as const) {
      await expect(query([], q, options)).rejects.toMatchObject({ statusCode: 400 });
    }
    await expect(local.arm.generic.send("POST", "/providers/Microsoft.ResourceGraph/resources", "2015-01-01", { query: "Resources" })).rejects.toMatchObject({
      statusCode: 400,
    });
  });
});
