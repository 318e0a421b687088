// The sweep over a generated estate (sandbox/scaleEstate.ts, small here; 10,000 endpoints
// in bench/scenarios/reconcile.ts): in sync it reads only list pages and writes nothing;
// with drift it repairs every drifted endpoint, and then is in sync again.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/core/autopilot.js";
import { Sweeper } from "../../shared/core/sweep.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { SCALE_HUB_RG, SCALE_ZONE, scaleEstate } from "../../sandbox/scaleEstate.js";

let local: LocalArm | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
});

async function setUp(drift?: number) {
  const scale = scaleEstate({ endpoints: 60, subscriptions: 6, drift });
  local = await startLocalArm(scale.estate, { throttle: false, lroDelayMs: 0, pageSize: 25 });
  const config = parseConfigText(scale.allowList, "scale.yaml");
  expect(config.ok).toBe(true);
  const sweeper = new Sweeper(new Autopilot({ arm: local.arm, config }), local.arm);
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
    const lists = new Set([...scale.subscriptions.map((s) => `/subscriptions/${s}/providers/Microsoft.Network/privateEndpoints`), `${SCALE_HUB_RG}/providers/Microsoft.Network/privateDnsZones/${SCALE_ZONE}/A`]);
    expect(calls.filter((c) => !lists.has(c.path) && !/^\/subscriptions\/[^/]+\/providers\/[^/]+\/[^/]+$/.test(c.path)).map((c) => c.path)).toEqual([]);
    expect(report.decisions.filter((d) => d.outcome === "applied" || d.outcome === "failed")).toEqual([]);
  });

  it("with drift: repairs each drifted endpoint (records missing or stale, connections Pending), then writes nothing more", async () => {
    const { scale, l, sweep } = await setUp(0.1);
    expect(new Set(scale.drifted.values())).toEqual(new Set(["missing-record", "stale-ip", "pending"]));
    const report = await sweep();
    expect(report.complete).toBe(true);
    expect(report.decisions.filter((d) => d.outcome === "failed")).toEqual([]);
    const approved = report.decisions.filter((d) => d.action === "approve" && d.outcome === "applied").map((d) => d.resource.split("/privateEndpointConnections/")[1]!.split(".")[0]);
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
