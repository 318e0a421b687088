// Exactly-once effects on at-least-once events: concurrent instances, a crash
// between two writes, duplicates and reordering.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import { Sweeper } from "../../shared/autopilot/sweep.js";
import type { ArmResource } from "../../sandbox/estate.js";
import { MemoryOwnershipIndex } from "../../shared/store/ownershipIndex.js";
import { handleRawEvent } from "../../shared/runtime/handleEvent.js";
import { MemoryEventLedger } from "../../shared/store/eventLedger.js";
import { silentLogger } from "../../shared/model/decision.js";
import { eventGridEvent } from "../../sandbox/eventFactory.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { changingWrites, consumerVnet, CONSUMER, createEndpoint as createPe, hubZone, parent, vaultId, SPOKES_ALLOW } from "../helpers/world.js";
import { ResourceInventory } from "../../shared/gateways/inventory.js";

const KV = vaultId;
const ALLOW = SPOKES_ALLOW;

const resources: ArmResource[] = [
  parent(KV("kv-1"), "Microsoft.KeyVault/vaults"),
  parent(KV("kv-2"), "Microsoft.KeyVault/vaults"),
  hubZone("privatelink.vaultcore.azure.net"),
  consumerVnet("rg-app"),
];

let local: LocalArm | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
});

const config = () => parseConfigText(ALLOW, "allow-list.yaml");
const changes = changingWrites;

const createEndpoint = (l: LocalArm, name: string, vault: string) => createPe(l, name, KV(vault));

/** What matters of the final state: connection states and records. */
function state(l: LocalArm) {
  const r = l.emulator.snapshot().resources;
  return {
    connections: r
      .filter((x) => x.type?.endsWith("/privateEndpointConnections"))
      .map((x) => [x.id.split("/vaults/")[1]!.split("/")[0], x.properties!.privateLinkServiceConnectionState.status])
      .sort(),
    records: r
      .filter((x) => x.type === "Microsoft.Network/privateDnsZones/A")
      .map((x) => [x.name, x.properties!.aRecords.map((a: any) => a.ipv4Address).join(), x.properties!.metadata?.owner?.split("/").pop()])
      .sort(),
  };
}

describe("exactly-once effects", () => {
  it("two instances handling the same endpoint at once: one approval, one record, no overwrite", async () => {
    local = await startLocalArm({ resources }, { throttle: false });
    const id = await createEndpoint(local, "pe-1", "kv-1");
    const a = new Autopilot({ arm: local.arm, config: config(), index: new MemoryOwnershipIndex() });
    const b = new Autopilot({ arm: local.arm, config: config(), index: new MemoryOwnershipIndex() });
    const ev = {
      id: "same",
      schema: "eventgrid" as const,
      eventType: "Microsoft.Resources.ResourceWriteSuccess",
      kind: "write" as const,
      resourceId: id,
      resourceType: "Microsoft.Network/privateEndpoints",
      caller: {},
    };
    const [da, db] = await Promise.all([a.handleEvent(ev), b.handleEvent(ev)]);
    const all = [...da, ...db];
    // The emulator refuses a second write while the first approval is Updating (409), or the re-read sees it Approved.
    expect(all.filter((d) => d.action === "approve" && d.outcome === "applied")).toHaveLength(1);
    expect(all.filter((d) => d.action === "dns-create" && d.outcome === "applied")).toHaveLength(1);
    expect(local.emulator.calls.filter((c) => c.method === "PUT" && c.path.includes("/A/") && c.status < 400)).toHaveLength(1);
    expect(state(local).records).toEqual([["kv-1", expect.stringMatching(/^10\.10\.1\.\d+$/), "pe-1"]]);
  });

  it("a crash between the approval and the DNS write converges on the next event, and on the next sweep", async () => {
    local = await startLocalArm({ resources }, { throttle: false });
    const id = await createEndpoint(local, "pe-1", "kv-1");
    const ap = new Autopilot({ arm: local.arm, config: config() });
    local.emulator.injectFault({ method: "PUT", pathIncludes: "/A/kv-1", status: 500, count: 4 }); // outlasts the SDK's 3 retries
    const first = await ap.handleEvent({
      id: "e1",
      schema: "eventgrid",
      eventType: "Microsoft.Resources.ResourceWriteSuccess",
      kind: "write",
      resourceId: id,
      resourceType: "Microsoft.Network/privateEndpoints",
      caller: {},
    });
    expect(first.map((d) => [d.action, d.outcome, d.retryable ?? false])).toEqual([
      ["approve", "applied", false],
      ["dns-create", "failed", true],
    ]);
    expect(state(local).records).toEqual([]);
    // Event Grid redelivers the same event: the approval is not repeated, the record is written.
    const again = await ap.handleEvent({
      id: "e1",
      schema: "eventgrid",
      eventType: "Microsoft.Resources.ResourceWriteSuccess",
      kind: "write",
      resourceId: id,
      resourceType: "Microsoft.Network/privateEndpoints",
      caller: {},
    });
    expect(again.map((d) => [d.action, d.outcome])).toEqual([
      ["ignore", "skipped"],
      ["dns-create", "applied"],
    ]);

    // Same crash, but the event is lost: the sweep converges.
    const id2 = await createEndpoint(local, "pe-2", "kv-2");
    local.emulator.injectFault({ method: "PUT", pathIncludes: "/A/kv-2", status: 500, count: 4 });
    await ap.handleEvent({
      id: "e2",
      schema: "eventgrid",
      eventType: "Microsoft.Resources.ResourceWriteSuccess",
      kind: "write",
      resourceId: id2,
      resourceType: "Microsoft.Network/privateEndpoints",
      caller: {},
    });
    const report = await new Sweeper(ap, new ResourceInventory(local.arm)).sweep({ subscriptions: [CONSUMER] });
    expect(report.totals).toMatchObject({ "dns-create": 1 });
    expect(state(local).records.map((r) => r[0])).toEqual(["kv-1", "kv-2"]);
  }, 60_000);

  it("duplicate and reordered events end in the state of the clean sequence, with no extra writes for duplicates", async () => {
    const run = async (order: "clean" | "shuffled") => {
      const l = await startLocalArm({ resources }, { throttle: false });
      const ap = new Autopilot({ arm: l.arm, config: config() });
      const ledger = new MemoryEventLedger();
      const ids = [await createEndpoint(l, "pe-1", "kv-1"), await createEndpoint(l, "pe-2", "kv-2")];
      const evs = ids.map((resourceId) =>
        JSON.parse(JSON.stringify(eventGridEvent({ resourceId, operationName: "Microsoft.Network/privateEndpoints/write" }))),
      );
      const seq = order === "clean" ? evs : [evs[1], evs[0], evs[1], evs[0], evs[1]];
      l.emulator.clearCalls();
      const outs = [];
      for (const e of seq) outs.push(...(await handleRawEvent(e, ap, silentLogger, { ledger })));
      // Status polls are left out: how many a long-running operation needs depends on timing, not on the app.
      const result = { state: state(l), changes: changes(l), calls: l.emulator.calls.filter((c) => c.kind !== "operation").length, outs };
      await l.close();
      return result;
    };
    const clean = await run("clean");
    const shuffled = await run("shuffled");
    expect(shuffled.state).toEqual(clean.state);
    expect(shuffled.changes).toBe(clean.changes);
    // Duplicates are recognised by event id before any ARM call.
    expect(shuffled.calls).toBe(clean.calls);
    expect(shuffled.outs.filter((d) => d.reason.match(/duplicate/))).toHaveLength(3);
  });
});
