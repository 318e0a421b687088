// The event ledger in the event pipeline (issue 8, defect 6): an id is recorded as
// done only after its work and its audit rows committed; a redelivery while the
// first is still running is not acknowledged; a crash or a failed forget never
// turns into a lost event.
import { afterEach, describe, expect, it } from "vitest";
import { ArmClients } from "../../shared/gateways/arm/clients.js";
import { MemoryAuditLog } from "../../shared/store/audit/index.js";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import { silentLogger, type Decision } from "../../shared/model/decision.js";
import { handleRawEvent } from "../../shared/runtime/handleEvent.js";
import { DEFAULT_LEASE_MS, MemoryEventLedger } from "../../shared/store/eventLedger.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { consumerVnet, createEndpoint, hubZone, parent, vaultId, SPOKES_ALLOW } from "../helpers/world.js";

const KV = vaultId("kv-shared");
const ZONE = "privatelink.vaultcore.azure.net";
const ALLOW = SPOKES_ALLOW;
const T0 = new Date("2026-12-01T10:00:00Z");
const later = (ms: number) => () => new Date(T0.getTime() + ms);

let local: LocalArm | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
});

const delivery = (id: string, resourceId: string) => ({
  id,
  eventType: "Microsoft.Resources.ResourceWriteSuccess",
  subject: resourceId,
  eventTime: T0.toISOString(),
  dataVersion: "2",
  data: { resourceUri: resourceId, operationName: "Microsoft.Network/privateEndpoints/write", status: "Succeeded" },
});

async function setup() {
  local = await startLocalArm({ resources: [parent(KV, "Microsoft.KeyVault/vaults"), hubZone(ZONE), consumerVnet("rg-app")] }, { throttle: false });
  const pe = await createEndpoint(local, "pe-1", KV);
  const config = parseConfigText(ALLOW, "allow-list.yaml");
  return { local, pe, autopilot: () => new Autopilot({ arm: local!.arm, config }) };
}

const records = (l: LocalArm) =>
  l.emulator
    .snapshot()
    .resources.filter((r) => r.type === "Microsoft.Network/privateDnsZones/A")
    .map((r) => r.name);
const connStatus = (l: LocalArm) =>
  l.emulator.snapshot().resources.find((r) => r.type === "Microsoft.KeyVault/vaults/privateEndpointConnections")!.properties!.privateLinkServiceConnectionState
    .status;
const acts = (ds: Decision[]) => ds.map((d) => `${d.action}:${d.outcome}${d.retryable ? ":retry" : ""}`);

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 20));
}

describe("event ledger in the pipeline", () => {
  it("an instance dies between the approval and the DNS write: an in-flight redelivery is not acknowledged, a later one is handled", async () => {
    const { local: l, pe, autopilot } = await setup();
    const ledger = new MemoryEventLedger();
    // Instance A approves, then hangs forever on the record write (as good as kill -9 there).
    l.emulator.injectFault({ status: 0, hang: true, method: "PUT", pathIncludes: "/A/kv-shared" });
    const a = new Autopilot({ arm: new ArmClients({ ...l.arm.settings, requestTimeoutMs: 3_600_000 }), config: parseConfigText(ALLOW, "a.yaml") });
    const dying = handleRawEvent(delivery("ev-1", pe), a, silentLogger, { ledger, now: later(0) }).catch(() => undefined);
    await until(() => l.emulator.calls.some((c) => c.status === 0));
    expect(connStatus(l)).toBe("Approved");
    expect(records(l)).toEqual([]);

    // Redelivered while A still holds it: not handled, not acknowledged (the host fails it, Event Grid retries).
    const inFlight = await handleRawEvent(delivery("ev-1", pe), autopilot(), silentLogger, { ledger, now: later(60_000) });
    expect(acts(inFlight)).toEqual(["ignore:skipped:retry"]);
    expect(inFlight[0]!.reason).toMatch(/still being handled/);

    // A never finishes: once its lease is over, the redelivery is handled and the record written.
    const after = await handleRawEvent(delivery("ev-1", pe), autopilot(), silentLogger, { ledger, now: later(DEFAULT_LEASE_MS + 1) });
    expect(acts(after)).toContain("dns-create:applied");
    expect(records(l)).toEqual(["kv-shared"]);
    // Now it is done: a further redelivery is a duplicate.
    expect(acts(await handleRawEvent(delivery("ev-1", pe), autopilot(), silentLogger, { ledger, now: later(DEFAULT_LEASE_MS + 2) }))).toEqual([
      "ignore:skipped",
    ]);
    local = undefined; // closed here, so that A's hung call ends
    await l.close();
    await dying;
  });

  it("a failed forget does not lose the event: the redelivery waits for the lease, then is handled", async () => {
    const { local, pe, autopilot } = await setup();
    const ledger = new MemoryEventLedger();
    ledger.forget = async () => {
      throw new Error("storage blip");
    };
    local.emulator.injectFault({ status: 500, method: "PUT", pathIncludes: "/privateEndpointConnections/", count: 4 }); // outlasts the SDK's retries
    const first = await handleRawEvent(delivery("ev-2", pe), autopilot(), silentLogger, { ledger, now: later(0) });
    expect(first.some((d) => d.retryable)).toBe(true);
    expect(connStatus(local)).toBe("Pending");
    expect((await handleRawEvent(delivery("ev-2", pe), autopilot(), silentLogger, { ledger, now: later(1_000) })).every((d) => d.retryable)).toBe(true);
    const after = await handleRawEvent(delivery("ev-2", pe), autopilot(), silentLogger, { ledger, now: later(DEFAULT_LEASE_MS + 1) });
    expect(acts(after)).toContain("approve:applied");
    expect(connStatus(local)).toBe("Approved");
  });

  it("the id is done only once the audit rows are committed: a failed audit write leaves it to the redelivery", async () => {
    const { local, pe, autopilot } = await setup();
    const ledger = new MemoryEventLedger();
    const audit = new MemoryAuditLog();
    const record = audit.record.bind(audit);
    let failures = 1;
    audit.record = async (entries) => {
      if (failures-- > 0) throw new Error("table unavailable");
      return record(entries);
    };
    await expect(handleRawEvent(delivery("ev-3", pe), autopilot(), silentLogger, { ledger, audit, now: later(0) })).rejects.toThrow(/audit trail write failed/);
    expect(await ledger.claim("ev-3", later(1)(), 1)).not.toBe("done");
    await ledger.forget("ev-3");
    const again = await handleRawEvent(delivery("ev-3", pe), autopilot(), silentLogger, { ledger, audit, now: later(2) });
    expect(again.map((d) => d.reason)).not.toContainEqual(expect.stringMatching(/duplicate/)); // handled, not a duplicate
    expect(records(local)).toEqual(["kv-shared"]);
    expect(await ledger.claim("ev-3", later(3)(), 1)).toBe("done");
  });
});
