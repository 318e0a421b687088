// Fault tests: the event path under the faults ARM and storage really show, injected by
// the emulator (status, Retry-After, dropped connections before and after a write is
// applied, hangs, failed long-running operations) and by flaky stores. Each converges
// once the fault clears: the connection is approved once, the record written once with
// one IP, the event is never acknowledged before its work is done, and the applied
// writes are in the audit trail.
import { afterEach, describe, expect, it } from "vitest";
import { ArmClients } from "../../shared/gateways/arm/clients.js";
import { staticTokenCredential } from "../../shared/gateways/arm/settings.js";
import { MemoryAuditLog, type AuditEntry, type AuditLog } from "../../shared/store/audit/index.js";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import { silentLogger, type Decision } from "../../shared/model/decision.js";
import { Sweeper } from "../../shared/autopilot/sweep.js";
import { handleRawEvent } from "../../shared/runtime/handleEvent.js";
import { DEFAULT_LEASE_MS, MemoryEventLedger, type EventLedger } from "../../shared/store/eventLedger.js";
import { MemoryOwnershipIndex } from "../../shared/store/ownershipIndex.js";
import { MemoryIntentLog } from "../../shared/store/intents.js";
import { auditedSweep } from "../../shared/runtime/auditedSweep.js";
import { recordFingerprint } from "../../shared/gateways/privateDns.js";
import { eventGridEvent } from "../../sandbox/eventFactory.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import type { FaultSpec } from "../../sandbox/emulator/index.js";
import { consumerVnet, CONSUMER, createEndpoint, hubZone, parent, vaultId, SPOKES_ALLOW } from "../helpers/world.js";
import { ResourceInventory } from "../../shared/gateways/inventory.js";

const ALLOW = SPOKES_ALLOW;
const KV = vaultId("kv-1");
const CONN_PATH = "/vaults/kv-1/privateEndpointConnections/";
const RECORD_PATH = "/privateDnsZones/privatelink.vaultcore.azure.net/A/kv-1";

let local: LocalArm | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
});

interface Fixture {
  local: LocalArm;
  arm: ArmClients;
  ledger: EventLedger;
  audit: AuditLog & { query: MemoryAuditLog["query"] };
  index: MemoryOwnershipIndex;
  /** Write-ahead intents, shared by every delivery and sweep (the app's table in Azure). */
  intents: MemoryIntentLog;
  endpointId: string;
  /** The event Azure sends for the endpoint (the same id on every redelivery). */
  event: unknown;
  autopilot(): Autopilot;
  /** One delivery as the Function does it (at `atMs` after the start); a throw is Event Grid's cue to redeliver. */
  deliver(ap?: Autopilot, atMs?: number): Promise<{ decisions?: Decision[]; threw?: unknown }>;
}

async function fixture(opts: { ledger?: EventLedger; audit?: AuditLog & { query: MemoryAuditLog["query"] }; lroDelayMs?: number } = {}): Promise<Fixture> {
  const l = (local = await startLocalArm(
    { resources: [parent(KV, "Microsoft.KeyVault/vaults"), hubZone("privatelink.vaultcore.azure.net"), consumerVnet("rg-app")] },
    { throttle: false, lroDelayMs: opts.lroDelayMs ?? 20 },
  ));
  // One retry, so a fault that outlasts it shows; the sandbox's short backoff (20 ms, not the SDK's 800 ms
  // doubling: a Retry-After still rules a 429); a short client timeout for hangs.
  const arm = new ArmClients({
    endpoint: l.emulator.url,
    ca: l.emulator.ca,
    credential: staticTokenCredential(),
    scope: `${l.emulator.url}/.default`,
    pollIntervalMs: 10,
    maxRetries: 1,
    retryDelayMs: l.arm.settings.retryDelayMs,
    maxRetryDelayMs: l.arm.settings.maxRetryDelayMs,
    requestTimeoutMs: 1_000,
  });
  const endpointId = await createEndpoint(l, "pe-1", KV);
  l.emulator.clearCalls();
  const index = new MemoryOwnershipIndex();
  const start = Date.now();
  const f: Fixture = {
    local: l,
    arm,
    ledger: opts.ledger ?? new MemoryEventLedger(),
    audit: opts.audit ?? new MemoryAuditLog(),
    index,
    intents: new MemoryIntentLog(),
    endpointId,
    event: JSON.parse(JSON.stringify(eventGridEvent({ resourceId: endpointId, operationName: "Microsoft.Network/privateEndpoints/write" }))),
    autopilot: () => new Autopilot({ arm, config: parseConfigText(ALLOW, "allow-list.yaml"), index }),
    async deliver(ap = f.autopilot(), atMs = 0) {
      try {
        const now = () => new Date(start + atMs);
        return { decisions: await handleRawEvent(structuredClone(f.event), ap, silentLogger, { ledger: f.ledger, audit: f.audit, intents: f.intents, now }) };
      } catch (e) {
        return { threw: e };
      }
    },
  };
  return f;
}

/** Event Grid's view: the delivery failed (it will redeliver) when the handler threw or reported a retryable decision. */
const failed = (r: { decisions?: Decision[]; threw?: unknown }) => r.threw !== undefined || !!r.decisions?.some((d) => d.retryable);

/** Redelivers until the event succeeds (at most n times, at `atMs`); returns every result. */
async function redeliverUntilDone(f: Fixture, n = 4, atMs = 0) {
  const results = [];
  for (let i = 0; i < n; i++) {
    const r = await f.deliver(undefined, atMs);
    results.push(r);
    if (!failed(r)) break;
  }
  return results;
}

/** The promise of every test: approved once, one record with the endpoint's one IP, both writes audited once. */
async function expectConverged(f: Fixture, opts: { approvalAudited?: boolean } = {}) {
  const emu = f.local.emulator;
  const conns = emu.snapshot().resources.filter((r) => r.type?.toLowerCase().endsWith("/privateendpointconnections"));
  expect(conns.map((c) => c.properties!.privateLinkServiceConnectionState.status)).toEqual(["Approved"]);
  const records = emu.snapshot().resources.filter((r) => r.type === "Microsoft.Network/privateDnsZones/A");
  const pe = emu.getResource(f.endpointId)!;
  const ip = pe.properties!.customDnsConfigs[0].ipAddresses[0];
  expect(records.map((r) => [r.name, r.properties!.aRecords.map((a: any) => a.ipv4Address), r.properties!.metadata.owner])).toEqual([
    ["kv-1", [ip], f.endpointId],
  ]);
  const rows: AuditEntry[] = await f.audit.query({ limit: 1000 });
  if (opts.approvalAudited !== false) expect(rows.filter((r) => r.action === "approve" && r.outcome === "applied")).toHaveLength(1);
  expect(rows.filter((r) => r.action === "dns-create" && r.outcome === "applied")).toHaveLength(1);
}

const inject = (f: Fixture, spec: FaultSpec) => f.local.emulator.injectFault(spec);
const okWrites = (f: Fixture, path: string) =>
  f.local.emulator.calls.filter((c) => c.method === "PUT" && c.path.includes(path) && c.status > 0 && c.status < 400).length;

describe("ARM faults on the event path", () => {
  it("429 with Retry-After: the SDK waits as told and retries; one delivery does the work", async () => {
    const f = await fixture();
    inject(f, { method: "PUT", pathIncludes: CONN_PATH, status: 429, retryAfterSeconds: 1 });
    const r = await f.deliver();
    expect(failed(r)).toBe(false);
    expect(f.local.emulator.calls.filter((c) => c.status === 429)).toHaveLength(1);
    await expectConverged(f);
  });

  it("429 without Retry-After that outlasts the retries: the event fails (not acknowledged), the redelivery converges", async () => {
    const f = await fixture();
    inject(f, { method: "PUT", pathIncludes: CONN_PATH, status: 429, count: 3 });
    const first = await f.deliver();
    expect(failed(first)).toBe(true);
    const rest = await redeliverUntilDone(f);
    expect(rest.flatMap((r) => r.decisions ?? []).some((d) => /duplicate/.test(d.reason))).toBe(false);
    await expectConverged(f);
  });

  it("5xx on the record write: the approval stays done, the redelivery writes the record once", async () => {
    const f = await fixture();
    inject(f, { method: "PUT", pathIncludes: RECORD_PATH, status: 503, count: 2 });
    expect(failed(await f.deliver())).toBe(true);
    await redeliverUntilDone(f);
    expect(okWrites(f, CONN_PATH)).toBe(1);
    await expectConverged(f);
  });

  it("connection reset before the approval is applied: nothing written, the redelivery approves", async () => {
    const f = await fixture();
    inject(f, { method: "PUT", pathIncludes: CONN_PATH, effect: "reset", count: 2 });
    expect(failed(await f.deliver())).toBe(true);
    expect(f.local.emulator.calls.filter((c) => c.status === 0)).toHaveLength(2); // refused before handling
    await redeliverUntilDone(f);
    await expectConverged(f);
  });

  // Issue 8 defect 9 (lost answer): the record was created but its answer lost; the retry's
  // If-None-Match finds it and has nothing to do. Its write-ahead intent says it was this
  // event's write, and ARM shows it done: audited `applied`, once.
  it("connection reset after the record write was applied: the retry finds its own record, no duplicate, and it is audited", async () => {
    const f = await fixture();
    inject(f, { method: "PUT", pathIncludes: RECORD_PATH, effect: "reset-after-apply" });
    await redeliverUntilDone(f);
    expect(okWrites(f, RECORD_PATH)).toBe(1);
    await expectConverged(f);
    const row = (await f.audit.query({ action: "dns-create" }))[0]!;
    expect(row.reason).toMatch(/answer or audit row was lost, and ARM shows it done/);
    expect(f.intents.size).toBe(0); // resolved once audited
  });

  // Issue 8 defect 9 (`gate`: every applied write is audited, whatever fails afterwards): the
  // approval was applied but its answer lost; the retry sees Approved, the intent says it was ours.
  it("connection reset after the approval was applied: converges, and the approval is in the audit trail", async () => {
    const f = await fixture();
    inject(f, { method: "PUT", pathIncludes: CONN_PATH, effect: "reset-after-apply" });
    await redeliverUntilDone(f);
    expect(okWrites(f, CONN_PATH)).toBe(1);
    await expectConverged(f);
    expect(f.intents.size).toBe(0);
  });

  it("without write-ahead intents the lost answer is converged but not audited (what the intents are for)", async () => {
    const f = await fixture();
    inject(f, { method: "PUT", pathIncludes: CONN_PATH, effect: "reset-after-apply" });
    for (let i = 0; i < 4; i++) {
      const r = await handleRawEvent(structuredClone(f.event), f.autopilot(), silentLogger, { ledger: f.ledger, audit: f.audit }).catch(() => undefined);
      if (r && !r.some((d) => d.retryable)) break;
    }
    expect((await f.audit.query({ action: "approve" })).filter((r) => r.outcome === "applied")).toEqual([]);
  });

  it("a long-running approval that ends Failed: reported as failed and retried; the redelivery converges", async () => {
    const f = await fixture();
    inject(f, { method: "PUT", pathIncludes: CONN_PATH, effect: "lro-failed" });
    const first = await f.deliver();
    expect(first.decisions?.find((d) => d.action === "approve")).toMatchObject({ outcome: "failed", retryable: true });
    expect(failed(first)).toBe(true);
    await redeliverUntilDone(f);
    const conn = f.local.emulator.snapshot().resources.find((r) => r.type?.toLowerCase().endsWith("/privateendpointconnections"))!;
    expect(conn.properties!.privateLinkServiceConnectionState.status).toBe("Approved");
  });

  it("a hung ARM call times out as a retryable failure; the redelivery converges", async () => {
    const f = await fixture();
    inject(f, { method: "PUT", pathIncludes: RECORD_PATH, effect: "hang", count: 2 }); // outlasts the SDK's one retry
    expect(failed(await f.deliver())).toBe(true);
    expect(f.local.emulator.calls.filter((c) => c.status === 0)).toHaveLength(2);
    await redeliverUntilDone(f);
    await expectConverged(f);
  });

  it("the sweep converges what failed deliveries left behind, and its second run changes nothing", async () => {
    const f = await fixture();
    inject(f, { method: "PUT", pathIncludes: RECORD_PATH, status: 500, count: 2 });
    await f.deliver(); // fails on the record; no redelivery comes (the event was lost)
    const ap = f.autopilot();
    const one = await new Sweeper(ap, new ResourceInventory(f.arm)).sweep({ subscriptions: [CONSUMER] });
    expect(one.totals["dns-create"]).toBe(1);
    f.local.emulator.clearCalls();
    await new Sweeper(ap, new ResourceInventory(f.arm)).sweep({ subscriptions: [CONSUMER] });
    expect(f.local.emulator.calls.filter((c) => c.method !== "GET")).toEqual([]);
  });
});

describe("crashes and concurrency", () => {
  it("a crash between the approval and the record write: the in-flight redelivery is not acknowledged, a later one converges", async () => {
    const f = await fixture();
    inject(f, { method: "PUT", pathIncludes: RECORD_PATH, effect: "hang" });
    const dying = new Autopilot({
      arm: new ArmClients({ ...f.arm.settings, requestTimeoutMs: 3_600_000 }),
      config: parseConfigText(ALLOW, "a.yaml"),
      index: f.index,
    });
    const crashed = f.deliver(dying); // the instance dies here: its record write never returns
    for (let i = 0; i < 500 && !f.local.emulator.calls.some((c) => c.path.includes(RECORD_PATH)); i++) await new Promise((r) => setTimeout(r, 10));
    const inFlight = await f.deliver(f.autopilot(), 60_000); // another instance gets a redelivery meanwhile
    expect(failed(inFlight)).toBe(true); // not handled, and not acknowledged either: Event Grid retries
    expect(inFlight.decisions?.some((d) => /duplicate/.test(d.reason))).toBe(false);
    const later = await redeliverUntilDone(f, 2, DEFAULT_LEASE_MS + 1); // the dead instance's lease ran out
    expect(failed(later.at(-1)!)).toBe(false);
    // The approval the dead instance wrote is audited by the later delivery: its intent was never resolved.
    await expectConverged(f);
    await f.local.close(); // ends the hung call
    local = undefined;
    await crashed;
  });

  // Issue 8 defect 4 (`cleanup`: re-check state and description, or the ETag, right before the write):
  // both instances read Pending, then both write; with instant long-running operations (no 409 window) the
  // second approval overwrites the first.
  it("two instances handle two events for one endpoint at once: one approval, one record", async () => {
    const f = await fixture({ lroDelayMs: 0 });
    const other = JSON.parse(JSON.stringify(eventGridEvent({ resourceId: f.endpointId, operationName: "Microsoft.Network/privateEndpoints/write" })));
    const [a, b] = [f.autopilot(), f.autopilot()];
    await Promise.all([
      handleRawEvent(structuredClone(f.event), a, silentLogger, { ledger: f.ledger, audit: f.audit }),
      handleRawEvent(other, b, silentLogger, { ledger: f.ledger, audit: f.audit }),
    ]);
    expect(okWrites(f, CONN_PATH)).toBe(1);
    expect(okWrites(f, RECORD_PATH)).toBe(1);
    await expectConverged(f);
  });
});

describe("storage blips", () => {
  /** A store whose named method fails the next `n` calls. */
  function flaky<T extends object>(inner: T, method: keyof T, n: number): T {
    let left = n;
    return new Proxy(inner, {
      get(t, k, r) {
        const v = Reflect.get(t, k, r);
        if (k !== method || typeof v !== "function") return typeof v === "function" ? v.bind(t) : v;
        return async (...args: unknown[]) => {
          if (left > 0) {
            left--;
            throw new Error(`storage blip: ${String(k)} (503 ServerBusy)`);
          }
          return v.apply(t, args);
        };
      },
    });
  }

  it("the ledger fails once when asked about the event: the delivery fails, the redelivery does the work once", async () => {
    const f = await fixture({ ledger: flaky(new MemoryEventLedger(), "claim", 1) });
    expect(failed(await f.deliver())).toBe(true);
    await redeliverUntilDone(f);
    await expectConverged(f);
  });

  it("the ledger fails to record the event as done: the delivery fails, and once the lease is over the redelivery converges, idempotently", async () => {
    const f = await fixture({ ledger: flaky(new MemoryEventLedger(), "complete", 1) });
    expect(failed(await f.deliver())).toBe(true);
    await redeliverUntilDone(f, 3, DEFAULT_LEASE_MS + 1);
    expect(okWrites(f, CONN_PATH)).toBe(1);
    expect(okWrites(f, RECORD_PATH)).toBe(1);
    const done = await f.deliver(undefined, DEFAULT_LEASE_MS + 2);
    expect(done.decisions?.map((d) => d.reason).join()).toMatch(/duplicate/);
  });

  // Issue 8 defect 9 (`gate`: every applied write audited, whatever fails afterwards): the first delivery's
  // applied rows are lost with the failed audit write, and the redelivery finds nothing left to do.
  it("the audit trail fails once after the work is done: the delivery fails, the redelivery is not taken for a duplicate and the audit gets its rows", async () => {
    const f = await fixture({ audit: flaky(new MemoryAuditLog(), "record", 1) });
    expect(failed(await f.deliver())).toBe(true);
    const rest = await redeliverUntilDone(f);
    expect(rest.flatMap((r) => r.decisions ?? []).some((d) => /duplicate/.test(d.reason))).toBe(false);
    expect(okWrites(f, CONN_PATH)).toBe(1);
    await expectConverged(f);
  });
});

describe("lost answers and audit failures on the sweep path", () => {
  const sweep = (f: Fixture, sinks: { audit?: AuditLog; at?: number } = {}) =>
    auditedSweep(
      new Sweeper(f.autopilot(), new ResourceInventory(f.arm)),
      { subscriptions: [CONSUMER] },
      { audit: sinks.audit ?? f.audit, intents: f.intents, now: () => new Date(Date.now() + (sinks.at ?? 0)) },
    );

  it("a sweep whose approval and record answers are lost: converges in that sweep, both audited applied once; the next sweep writes nothing", async () => {
    const f = await fixture();
    inject(f, { method: "PUT", pathIncludes: CONN_PATH, effect: "reset-after-apply" });
    inject(f, { method: "PUT", pathIncludes: RECORD_PATH, effect: "reset-after-apply" });
    await sweep(f);
    expect(okWrites(f, CONN_PATH)).toBe(1);
    expect(okWrites(f, RECORD_PATH)).toBe(1);
    await expectConverged(f);
    expect(f.intents.size).toBe(0);
    f.local.emulator.clearCalls();
    await sweep(f, { at: 900_000 });
    expect(f.local.emulator.calls.filter((c) => c.method !== "GET")).toEqual([]);
    await expectConverged(f); // still once each
  });

  it("the audit trail fails after a sweep's writes: the next sweep finds them done and audits them", async () => {
    const f = await fixture();
    const broken: AuditLog = {
      record: async () => Promise.reject(new Error("storage blip: record (503 ServerBusy)")),
      query: async () => [],
      purge: async () => 0,
    };
    await expect(sweep(f, { audit: broken })).rejects.toThrow(/storage blip/);
    expect(await f.audit.query({})).toEqual([]);
    expect(f.intents.size).toBe(2); // approval and record: open until audited
    const open = await f.intents.list({ trigger: "", before: new Date(8.64e15) });
    expect(open.map((i) => i.trigger)).toEqual([open[0]!.trigger, open[0]!.trigger]);
    expect(open[0]!.trigger).toMatch(/^sweep:[0-9a-f-]{36}$/); // named by its run: another sweep waits out the lease
    f.local.emulator.clearCalls();
    await sweep(f, { at: 900_000 });
    expect(f.local.emulator.calls.filter((c) => c.method !== "GET")).toEqual([]); // nothing written twice
    await expectConverged(f);
    expect(f.intents.size).toBe(0);
  });

  it("a sweep leaves another sweep's intents alone while that one may still run (the timer and a manual reconcile)", async () => {
    const f = await fixture();
    await sweep(f);
    const record = f.local.emulator.snapshot().resources.find((r) => r.type === "Microsoft.Network/privateDnsZones/A")!;
    const want = recordFingerprint({
      ttl: record.properties!.ttl,
      ips: record.properties!.aRecords.map((a: any) => a.ipv4Address),
      metadata: record.properties!.metadata,
    });
    // Another sweep is rewriting this very record right now (its audit rows are not written yet).
    await f.intents.open({
      trigger: "sweep:other-run",
      kind: "dns-write",
      resource: record.id,
      want,
      action: "dns-update",
      reason: "r",
      at: new Date().toISOString(),
    });
    await sweep(f, { at: 60_000 });
    expect(await f.audit.query({ action: "dns-update" })).toEqual([]);
    expect(f.intents.size).toBe(1);
  });

  it("an event whose audit write failed and that is never redelivered: a sweep after the lease audits its writes", async () => {
    const inner = new MemoryAuditLog();
    let blips = 1;
    const audit = {
      record: async (e: AuditEntry[]) => (blips-- > 0 ? Promise.reject(new Error("storage blip: record (503 ServerBusy)")) : inner.record(e)),
      query: inner.query.bind(inner),
      purge: inner.purge.bind(inner),
    };
    const f = await fixture({ audit });
    expect(failed(await f.deliver())).toBe(true); // Event Grid gives up on it later: no redelivery here
    expect(f.intents.size).toBe(2);
    // A sweep soon after leaves the event's intents alone (the event may still be in flight)...
    await sweep(f, { at: 60_000 });
    expect((await f.audit.query({})).filter((r) => r.outcome === "applied")).toEqual([]);
    // ...one after the lease finds both writes done and audits them, once.
    await sweep(f, { at: DEFAULT_LEASE_MS + 60_000 });
    await expectConverged(f);
    expect((await f.audit.query({ action: "approve" }))[0]!.reason).toMatch(/written by .* its answer or audit row was lost/);
    expect(f.intents.size).toBe(0);
  });
});
