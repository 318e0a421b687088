// The sweep over a generated estate (sandbox/scaleEstate.ts, small here; 10,000 endpoints
// in bench/scenarios/reconcile.ts): in sync it reads only list pages and writes nothing;
// with drift it repairs every drifted endpoint, and then is in sync again.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import { Sweeper } from "../../shared/autopilot/sweep.js";
import { ArmClients } from "../../shared/gateways/arm/clients.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { SCALE_HUB_RG, SCALE_ZONE, scaleEstate } from "../../sandbox/scaleEstate.js";
import { ResourceInventory } from "../../shared/gateways/inventory.js";

let local: LocalArm | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
});

async function setUp(drift?: number, resourceGraph = false) {
  const scale = scaleEstate({ endpoints: 60, subscriptions: 6, drift });
  local = await startLocalArm(scale.estate, { throttle: false, lroDelayMs: 0, pageSize: 25 });
  const config = parseConfigText(scale.allowList, "scale.yaml");
  expect(config.ok).toBe(true);
  const arm = resourceGraph ? new ArmClients({ ...local.arm.settings, resourceGraph: true }) : local.arm;
  const sweeper = new Sweeper(new Autopilot({ arm, config }), new ResourceInventory(arm));
  return { scale, l: local, sweep: () => sweeper.sweep({ subscriptions: scale.subscriptions }) };
}

describe("sweep at scale (generated estate)", () => {
  it("in sync: no write, no list of connections per resource, no read beyond the list pages", async () => {
    const { scale, l, sweep } = await setUp();
    l.emulator.clearCalls();
    const report = await sweep();
    expect(report.complete).toBe(true);
    const calls = l.emulator.calls;
    expect(calls.filter((c) => c.method !== "GET")).toEqual([]);
    // The vault list carries each vault's connections: none listed per vault, no record read one by one.
    expect(calls.filter((c) => /privateEndpointConnections/i.test(c.path))).toEqual([]);
    expect(calls.filter((c) => /\/A\/kv-/i.test(c.path) || /networkInterfaces\//i.test(c.path))).toEqual([]);
    // 60 vaults / 25 per page = 3 pages; 6 endpoint lists; 60 records / 25 = 3 pages; one list per other provider type (6).
    expect(calls.filter((c) => /Microsoft\.KeyVault\/vaults$/i.test(c.path))).toHaveLength(3);
    expect(calls.filter((c) => /privateEndpoints$/i.test(c.path))).toHaveLength(6);
    expect(calls.filter((c) => /privateDnsZones\/[^/]+\/A$/i.test(c.path))).toHaveLength(3);
    // Nothing but those lists (and the other provider types' lists, empty here).
    const lists = new Set([
      ...scale.subscriptions.map((s) => `/subscriptions/${s}/providers/Microsoft.Network/privateEndpoints`),
      `${SCALE_HUB_RG}/providers/Microsoft.Network/privateDnsZones/${SCALE_ZONE}/A`,
      `${SCALE_HUB_RG}/providers/Microsoft.Network/privateDnsZones/${SCALE_ZONE}/AAAA`,
    ]);
    expect(calls.filter((c) => !lists.has(c.path) && !/^\/subscriptions\/[^/]+\/providers\/[^/]+\/[^/]+$/.test(c.path)).map((c) => c.path)).toEqual([]);
    expect(report.decisions.filter((d) => d.outcome === "applied" || d.outcome === "failed")).toEqual([]);
  });

  it("with drift: repairs each drifted endpoint (records missing or stale, connections Pending), then writes nothing more", async () => {
    const { scale, l, sweep } = await setUp(0.1);
    expect(new Set(scale.drifted.values())).toEqual(new Set(["missing-record", "stale-ip", "pending"]));
    const report = await sweep();
    expect(report.complete).toBe(true);
    expect(report.decisions.filter((d) => d.outcome === "failed")).toEqual([]);
    const approved = report.decisions
      .filter((d) => d.action === "approve" && d.outcome === "applied")
      .map((d) => d.resource.split("/privateEndpointConnections/")[1]!.split(".")[0]);
    const pending = [...scale.drifted].filter(([, k]) => k === "pending").map(([id]) => id.split("/").pop());
    expect(approved.sort()).toEqual(pending.sort());
    // Every endpoint resolves to its own IP now.
    const estate = l.emulator.snapshot().resources;
    for (const id of scale.endpointIds) {
      const pe = estate.find((r) => r.id === id)!;
      const { fqdn, ipAddresses } = pe.properties!.customDnsConfigs[0];
      const rec = estate.find((r) => r.id === `${SCALE_HUB_RG}/providers/Microsoft.Network/privateDnsZones/${SCALE_ZONE}/A/${fqdn.split(".")[0]}`);
      expect(rec?.properties?.aRecords, id).toEqual([{ ipv4Address: ipAddresses[0] }]);
    }
    l.emulator.clearCalls();
    const again = await sweep();
    expect(again.complete).toBe(true);
    expect(l.emulator.calls.filter((c) => c.method !== "GET")).toEqual([]);
  });
});

const GRAPH = "/providers/Microsoft.ResourceGraph/resources";
const recordPath = (vault: string) => `${SCALE_HUB_RG}/providers/Microsoft.Network/privateDnsZones/${SCALE_ZONE}/A/${vault}`;

describe("sweep at scale through Resource Graph", () => {
  it("in sync: one query for the provider resources, one for the endpoints, the zone's pages; no write", async () => {
    const { l, sweep } = await setUp(undefined, true);
    l.emulator.clearCalls();
    const report = await sweep();
    expect(report.complete).toBe(true);
    const calls = l.emulator.calls;
    expect(calls.filter((c) => c.path === GRAPH).map((c) => [c.method, c.status])).toEqual([
      ["POST", 200],
      ["POST", 200],
    ]);
    expect(calls.filter((c) => c.path !== GRAPH && !/privateDnsZones\/[^/]+\/(A|AAAA)$/i.test(c.path)).map((c) => c.path)).toEqual([]);
    expect(calls.filter((c) => c.kind !== "read")).toEqual([]);
    expect(report.decisions.filter((d) => d.outcome !== "skipped" || d.action === "error")).toEqual([]);
  });

  it("with drift: each write is decided on ARM's own body of the endpoint (read first), and repairs as the ARM path does", async () => {
    const { scale, l, sweep } = await setUp(0.1, true);
    const report = await sweep();
    expect(report.complete).toBe(true);
    expect(report.decisions.filter((d) => d.outcome === "failed")).toEqual([]);
    const calls = l.emulator.calls;
    for (const [id, kind] of scale.drifted) {
      const vault = `kv-${id.split("pe-").pop()}`;
      const firstRecordWrite = calls.findIndex((c) => c.method === "PUT" && c.path === recordPath(vault));
      expect(firstRecordWrite, `${kind} ${id}`).toBeGreaterThan(-1);
      expect(
        calls.slice(0, firstRecordWrite).some((c) => c.method === "GET" && c.path === id),
        `${id} read before its record is written`,
      ).toBe(true);
    }
    l.emulator.clearCalls();
    await sweep();
    expect(l.emulator.calls.filter((c) => c.kind !== "read")).toEqual([]);
  });

  it("Resource Graph refused (403): lists through ARM instead, says so, and writes nothing in sync", async () => {
    const { l, scale, sweep } = await setUp(undefined, true);
    l.emulator.injectFault({ method: "POST", pathIncludes: "Microsoft.ResourceGraph", status: 403, code: "AuthorizationFailed", count: 2 });
    l.emulator.clearCalls();
    const report = await sweep();
    expect(report.complete).toBe(true);
    expect(report.decisions.filter((d) => d.action === "error")).toEqual([
      expect.objectContaining({
        outcome: "skipped",
        reason: expect.stringMatching(/Resource Graph did not list the managed provider resources \(403 AuthorizationFailed\): listed through ARM/),
      }),
      expect.objectContaining({ outcome: "skipped", reason: expect.stringMatching(/Resource Graph did not list the private endpoints/) }),
    ]);
    for (const sub of scale.subscriptions)
      expect(l.emulator.calls.some((c) => c.path === `/subscriptions/${sub}/providers/Microsoft.Network/privateEndpoints`)).toBe(true);
    expect(l.emulator.calls.filter((c) => c.kind !== "read")).toEqual([]);
  });

  it("a lagging Resource Graph (an endpoint missing, another with a stale IP) releases nothing and rewrites nothing", async () => {
    const { l, scale, sweep } = await setUp(undefined, true);
    const [late, stale] = [scale.endpointIds[7]!, scale.endpointIds[8]!];
    const rows = l.emulator
      .snapshot()
      .resources.filter((r) => r.type === "Microsoft.Network/privateEndpoints" && r.id !== late)
      .map((r) => {
        const row = {
          id: r.id,
          name: r.name,
          type: "microsoft.network/privateendpoints",
          location: r.location,
          etag: r.etag,
          tags: r.tags ?? {},
          properties: structuredClone(r.properties),
        };
        if (r.id === stale) row.properties!.customDnsConfigs[0].ipAddresses = ["10.254.0.9"];
        return row;
      });
    // The endpoints query is the second one; the first (provider resources) answers as the emulator does.
    let graphCalls = 0;
    l.emulator.beforeCall((c) => {
      if (c.path === GRAPH && ++graphCalls === 1) return;
      if (graphCalls === 1 && c.path !== GRAPH && /privateDnsZones/.test(c.path)) {
        graphCalls++;
        l.emulator.injectFault({
          method: "POST",
          pathIncludes: "Microsoft.ResourceGraph",
          status: 200,
          body: { totalRecords: rows.length, count: rows.length, resultTruncated: "false", facets: [], data: rows },
        });
      }
    });
    l.emulator.clearCalls();
    const report = await sweep();
    expect(report.complete).toBe(true);
    const calls = l.emulator.calls;
    expect(calls.filter((c) => c.kind !== "read")).toEqual([]);
    // The missing endpoint's record: its owner was asked about (it exists), nothing released.
    expect(calls.some((c) => c.method === "GET" && c.path === late)).toBe(true);
    // The stale row planned an update; ARM's own body says the record is right.
    expect(calls.some((c) => c.method === "GET" && c.path === stale)).toBe(true);
    expect(l.emulator.getResource(recordPath(`kv-${late.split("pe-").pop()}`))).toBeDefined();
  });
});
