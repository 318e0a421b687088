// ARM calls per event (issue 12), counted in the emulator's call log through the real
// SDK clients, and the safety the fewer calls must keep: the approval is conditional on
// the listed ETag, and a throttled status poll is not a failed approval.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import { MemoryContinuations } from "../../shared/autopilot/continuations.js";
import type { ResourceEvent } from "../../shared/events/index.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import type { CallLogEntry } from "../../sandbox/emulator/index.js";
import { CONSUMER, SPOKES_ALLOW, consumerVnet, createEndpoint, hubZone, parent, vaultId } from "../helpers/world.js";

let l: LocalArm | undefined;
afterEach(async () => {
  await l?.close();
  l = undefined;
});

async function setup(opts: { lroDelayMs?: number; timeScale?: number } = {}) {
  l = await startLocalArm(
    { resources: [hubZone("privatelink.vaultcore.azure.net"), consumerVnet("rg-app"), parent(vaultId("kv-1"), "Microsoft.KeyVault/vaults")] },
    { throttle: false, ...opts },
  );
  return { l, autopilot: new Autopilot({ arm: l.arm, config: parseConfigText(SPOKES_ALLOW, "allow-list.yaml") }) };
}

let n = 0;
const ev = (resourceId: string, kind: ResourceEvent["kind"] = "write"): ResourceEvent => ({
  id: `ev-${++n}`,
  schema: "eventgrid",
  eventType: kind === "delete" ? "Microsoft.Resources.ResourceDeleteSuccess" : "Microsoft.Resources.ResourceWriteSuccess",
  kind,
  resourceId,
  resourceType: "Microsoft.Network/privateEndpoints",
  operationName: `Microsoft.Network/privateEndpoints/${kind}`,
  caller: {},
});

const isDns = (c: CallLogEntry) => /\/privateDnsZones\//i.test(c.path);
const count = (calls: CallLogEntry[]) => ({
  reads: calls.filter((c) => c.kind === "read" && !isDns(c)).length,
  writes: calls.filter((c) => (c.kind === "write" || c.kind === "delete") && !isDns(c)).length,
  privateDnsReads: calls.filter((c) => c.kind === "read" && isDns(c)).length,
  privateDnsWrites: calls.filter((c) => (c.kind === "write" || c.kind === "delete") && isDns(c)).length,
});
const connectionOf = (l: LocalArm) => l.emulator.snapshot().resources.find((r) => /\/privateEndpointConnections\//i.test(r.id))!;

describe("ARM calls per event", () => {
  it("approves a Pending allow-listed connection and writes its record from 2 reads (endpoint, list), 1 conditional write and the status polls", async () => {
    const { l, autopilot } = await setup();
    const pe = await createEndpoint(l, "pe-1", vaultId("kv-1"));
    l.emulator.clearCalls();
    const ds = await autopilot.handleEvent(ev(pe));
    expect(ds.map((d) => [d.action, d.outcome])).toEqual([
      ["approve", "applied"],
      ["dns-create", "applied"],
    ]);
    expect(count(l.emulator.calls)).toEqual({ reads: 2, writes: 1, privateDnsReads: 0, privateDnsWrites: 1 });
    // No re-read of the connection and no final GET: the PUT carried the listed ETag instead.
    const conn = connectionOf(l);
    expect(l.emulator.calls.filter((c) => c.kind === "read" && c.path.toLowerCase() === conn.id.toLowerCase())).toEqual([]);
    expect(conn.properties?.privateLinkServiceConnectionState?.status).toBe("Approved");
  });

  it("writes an approved endpoint's record from 1 read and no Private DNS read; the same change under a new event id writes nothing", async () => {
    const { l, autopilot } = await setup();
    const pe = await createEndpoint(l, "pe-1", vaultId("kv-1"), { auto: true });
    l.emulator.clearCalls();
    expect((await autopilot.handleEvent(ev(pe))).map((d) => [d.action, d.outcome])).toContainEqual(["dns-create", "applied"]);
    expect(count(l.emulator.calls)).toEqual({ reads: 1, writes: 0, privateDnsReads: 0, privateDnsWrites: 1 });

    l.emulator.clearCalls();
    const again = await autopilot.handleEvent(ev(pe));
    expect(again.filter((d) => d.outcome === "applied")).toEqual([]);
    expect(l.emulator.calls.filter((c) => c.method !== "GET")).toEqual([]);
    expect(count(l.emulator.calls).privateDnsReads).toBe(1);
  });

  it("a delete costs one Private DNS read and the delete", async () => {
    const { l, autopilot } = await setup();
    const pe = await createEndpoint(l, "pe-1", vaultId("kv-1"), { auto: true });
    await autopilot.handleEvent(ev(pe));
    await l.arm.networkFor(CONSUMER).privateEndpoints.beginDeleteAndWait("rg-app", "pe-1");
    l.emulator.clearCalls();
    expect((await autopilot.handleEvent(ev(pe, "delete"))).map((d) => [d.action, d.outcome])).toEqual([["dns-delete", "applied"]]);
    expect(count(l.emulator.calls)).toMatchObject({ privateDnsReads: 1, privateDnsWrites: 1 });
  });
});

describe("fewer calls, same safety", () => {
  it("a connection changed by a human between the list and the write is not written over (412 on the listed ETag)", async () => {
    const { l, autopilot } = await setup();
    const pe = await createEndpoint(l, "pe-1", vaultId("kv-1"));
    const stop = l.emulator.beforeCall(({ method, path }) => {
      if (method !== "PUT" || !/\/privateEndpointConnections\//i.test(path)) return;
      const c = connectionOf(l);
      const state = { ...c.properties!.privateLinkServiceConnectionState, status: "Rejected", description: "Rejected by alice" };
      l.emulator.load({ resources: [{ ...c, etag: `W/"human"`, properties: { ...c.properties, privateLinkServiceConnectionState: state } }] });
      stop();
    });
    const ds = await autopilot.handleEvent(ev(pe));
    expect(ds[0]).toMatchObject({ action: "ignore", outcome: "skipped", reason: expect.stringMatching(/412/) });
    expect(ds.some((d) => d.outcome === "applied")).toBe(false);
    expect(connectionOf(l).properties?.privateLinkServiceConnectionState).toMatchObject({ status: "Rejected", description: "Rejected by alice" });
  });

  it("a status poll throttled past the SDK's retries is not a failed approval when ARM shows the connection Approved", async () => {
    const { l, autopilot } = await setup({ lroDelayMs: 0 });
    const pe = await createEndpoint(l, "pe-1", vaultId("kv-1"));
    // Every poll of the operation is throttled (the first answer and the SDK's 3 retries).
    l.emulator.injectFault({ method: "GET", pathIncludes: "/privateEndpointConnections/pe-1", status: 429, retryAfterSeconds: 0, count: 4 });
    l.emulator.clearCalls();
    const ds = await autopilot.handleEvent(ev(pe));
    expect(l.emulator.calls.filter((c) => c.status === 429)).toHaveLength(4);
    expect(ds.map((d) => [d.action, d.outcome])).toEqual([
      ["approve", "applied"],
      ["dns-create", "applied"],
    ]);
  });

  it("a status poll throttled past the retries while the provider is still working is reported for a redelivery", async () => {
    // Recorded durations at 1/20: the endpoint takes 2.1 s to create, the approval 2.35 s.
    const { l, autopilot } = await setup({ timeScale: 0.05 });
    const pe = await createEndpoint(l, "pe-1", vaultId("kv-1"));
    l.emulator.injectFault({ method: "GET", pathIncludes: "/privateEndpointConnections/pe-1", status: 429, retryAfterSeconds: 0, count: 4 });
    const ds = await autopilot.handleEvent(ev(pe));
    expect(ds[0]).toMatchObject({ action: "approve", outcome: "failed", retryable: true });
  });
});

describe("an approval not waited for (approvals.waitMs 0)", () => {
  it("costs no status poll: the event writes and leaves DNS to a continuation, which writes the record once the provider is done", async () => {
    l = await startLocalArm(
      { resources: [hubZone("privatelink.vaultcore.azure.net"), consumerVnet("rg-app"), parent(vaultId("kv-1"), "Microsoft.KeyVault/vaults")] },
      { throttle: false, lroDelayMs: 200 },
    );
    let clock = 0;
    const sink = new MemoryContinuations(() => clock);
    const autopilot = new Autopilot({
      arm: l.arm,
      config: parseConfigText(SPOKES_ALLOW, "allow-list.yaml"),
      // This world's approvals take 200 ms: the one check comes at 220 ms.
      approvals: { waitMs: 0, expectedMs: () => 200 },
      continuations: { sink, delayMs: 0 },
    });
    const pe = await createEndpoint(l, "pe-1", vaultId("kv-1"));
    l.emulator.clearCalls();
    const ds = await autopilot.handleEvent(ev(pe));
    expect(ds[0]).toMatchObject({ action: "approve", outcome: "applied" });
    expect(l.emulator.calls.map((c) => `${c.method} ${c.kind}`)).toEqual(["GET read", "GET read", "PUT write"]);
    clock = 219;
    expect(sink.due()).toEqual([]);
    clock = 220;
    const due = sink.due();
    expect(due).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 250));
    const later = await autopilot.handleContinuation(due[0]!);
    expect(later.map((d) => [d.action, d.outcome])).toEqual([["dns-create", "applied"]]);
  });
});
