// Slow approvals do not hold the app (issue 10). Real Key Vault approvals take about 47 s
// each (Azure CLI recording test_private_endpoint_connection_keyvault.yaml); the emulator
// plays that duration times one clock factor (SCALE here). Approvals run side by side (a
// bounded number), DNS does not wait inside the invocation for a running approval (a
// continuation writes it later, audited under its own id), and the sweep's deadline
// applies inside a target.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { APPROVAL_CONCURRENCY, Autopilot, type AutopilotOptions } from "../../shared/autopilot/autopilot.js";
import { MemoryContinuations, parseContinuation, type Continuation } from "../../shared/autopilot/continuations.js";
import { silentLogger } from "../../shared/model/decision.js";
import { Sweeper } from "../../shared/autopilot/sweep.js";
import type { ArmResource } from "../../sandbox/estate.js";
import { MemoryAuditLog } from "../../shared/store/audit/index.js";
import { MemoryCursorStore } from "../../shared/store/marks.js";
import { MemoryEventLedger } from "../../shared/store/eventLedger.js";
import { handleRawEvent } from "../../shared/runtime/handleEvent.js";
import { eventGridEvent } from "../../sandbox/eventFactory.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { CONSUMER, HUB_RG, PROVIDER, vaultId } from "../helpers/world.js";
import { ResourceInventory } from "../../shared/gateways/inventory.js";
import { firstCheckMs, recordedApprovalMs } from "../../shared/model/approvalTimes.js";

/** The clock factor: a 47 s approval takes 940 ms, the 240 s sweep budget 4.8 s. */
const SCALE = 0.02;
const KV_APPROVAL_MS = 47_000 * SCALE;
const SWEEP_BUDGET_MS = 240_000 * SCALE;
/** The app's default 10 s wait for one approval, on the same clock. */
const WAIT_MS = 10_000 * SCALE;
const REQUESTS = 20;
const VAULT = vaultId("kv-busy");
const ZONE_ID = `${HUB_RG}/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net`;
const peId = (name: string) => `/subscriptions/${CONSUMER}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/${name}`;
const connOf = (vault: string, pe: string) => `${vault}/privateEndpointConnections/${pe}.conn`;

/** A consumer endpoint with a Pending manual link to `vault` and its provider-side connection. */
function request(vault: string, name: string, ip: string): ArmResource[] {
  const state = { status: "Pending", description: "please", actionsRequired: "None" };
  const fqdn = `${vault.split("/").pop()}.vault.azure.net`;
  return [
    {
      id: peId(name),
      type: "Microsoft.Network/privateEndpoints",
      location: "westeurope",
      properties: {
        provisioningState: "Succeeded",
        customDnsConfigs: [{ fqdn, ipAddresses: [ip] }],
        manualPrivateLinkServiceConnections: [
          { name: "l", properties: { privateLinkServiceId: vault, groupIds: ["vault"], privateLinkServiceConnectionState: state } },
        ],
        networkInterfaces: [],
      },
    },
    { id: connOf(vault, name), properties: { privateEndpoint: { id: peId(name) }, privateLinkServiceConnectionState: state, provisioningState: "Succeeded" } },
  ];
}

const vault = (id: string): ArmResource => ({ id, type: "Microsoft.KeyVault/vaults", location: "westeurope", properties: {} });
const zone: ArmResource = { id: ZONE_ID, type: "Microsoft.Network/privateDnsZones", location: "global", properties: {} };

const APPROVALS_ONLY = `
approval:
  managedScopes: [/subscriptions/${PROVIDER}]
  rules:
    - name: spokes
      requesterSubscriptions: [${CONSUMER}]
`;
const WITH_DNS = `${APPROVALS_ONLY}
dns:
  zones:
    - name: privatelink.vaultcore.azure.net
      resourceGroupId: ${HUB_RG}
`;

let local: LocalArm | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
});

const statusOf = (l: LocalArm, id: string) => l.emulator.getResource(id)?.properties?.privateLinkServiceConnectionState?.status;
const approvalPuts = (l: LocalArm) => l.emulator.calls.filter((c) => c.method === "PUT" && /privateEndpointConnections/i.test(c.path) && c.status < 400).length;
const record = (l: LocalArm, name: string) => l.emulator.getResource(`${ZONE_ID}/A/${name}`);

/** The recorded approval times on the same clock (Key Vault: 47 s → 940 ms). */
const expectedMs = (id: string) => recordedApprovalMs(id, SCALE);
/** The first continuation check of an approval not done after WAIT_MS: just after the recorded time. */
const FIRST_CHECK_MS = firstCheckMs(KV_APPROVAL_MS) - WAIT_MS;

function autopilot(l: LocalArm, allow: string, extra: Partial<AutopilotOptions> = {}): Autopilot {
  return new Autopilot({ arm: l.arm, config: parseConfigText(allow, "allow.yaml"), approvals: { waitMs: WAIT_MS, expectedMs }, ...extra });
}

/** Waits (real time) until the provider has finished every operation on these connections. */
async function untilSettled(l: LocalArm, ids: string[]): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (ids.every((id) => l.emulator.getResource(id)?.properties?.provisioningState === "Succeeded")) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("operations did not settle");
}

describe("slow approvals: many pending requests on one target", () => {
  const many = () => [vault(VAULT), ...Array.from({ length: REQUESTS }, (_, i) => request(VAULT, `pe-${i}`, `10.1.0.${i + 4}`)).flat()];

  it(`${REQUESTS} pending requests on one Key Vault are all approved within one sweep budget, at most ${APPROVAL_CONCURRENCY} at a time`, async () => {
    // One at a time the approvals alone would take about four budgets.
    expect(REQUESTS * KV_APPROVAL_MS).toBeGreaterThan(3 * SWEEP_BUDGET_MS);
    local = await startLocalArm({ resources: many() }, { timeScale: SCALE, throttle: false });
    const l = local;
    // Every approval waited for, so the bound seen is the concurrency's, not the waiters' cap (test/approval/waits.test.ts).
    const ap = autopilot(l, APPROVALS_ONLY, { approvals: { waitMs: WAIT_MS, expectedMs, maxWaiting: APPROVAL_CONCURRENCY } });
    // Count the approvals the app has in flight (sent, and waited for).
    let inFlight = 0;
    let maxInFlight = 0;
    const setState = ap.connections.setState.bind(ap.connections);
    ap.connections.setState = async (...args) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        return await setState(...args);
      } finally {
        inFlight--;
      }
    };
    const report = await new Sweeper(ap, new ResourceInventory(l.arm), new MemoryCursorStore()).sweep({
      subscriptions: [],
      deadline: Date.now() + SWEEP_BUDGET_MS,
    });
    expect(report.complete).toBe(true);
    expect(report.decisions.filter((d) => d.action === "approve" && d.outcome === "applied")).toHaveLength(REQUESTS);
    expect(report.decisions.filter((d) => d.action === "leave-pending")).toEqual([]);
    for (let i = 0; i < REQUESTS; i++) expect(statusOf(l, connOf(VAULT, `pe-${i}`))).toBe("Approved");
    expect(approvalPuts(l)).toBe(REQUESTS);
    expect(maxInFlight).toBe(APPROVAL_CONCURRENCY);
  }, 60_000);

  it("the sweep's deadline applies inside a target: no approval starts after it, the rest is said to wait, and the next sweep finishes it (each approved once)", async () => {
    local = await startLocalArm({ resources: many() }, { timeScale: SCALE, throttle: false });
    const l = local;
    // The sweep's clock: the deadline passes as the 3rd approval is sent.
    let now = 0;
    let sent = 0;
    l.emulator.beforeCall((c) => {
      if (c.method === "PUT" && /privateEndpointConnections/i.test(c.path) && ++sent === 3) now = 1_000;
    });
    const cursors = new MemoryCursorStore();
    const sweeper = new Sweeper(
      autopilot(l, APPROVALS_ONLY, { approvals: { concurrency: 3, waitMs: WAIT_MS } }),
      new ResourceInventory(l.arm),
      cursors,
      () => now,
    );
    const first = await sweeper.sweep({ subscriptions: [], deadline: 1_000 });
    expect(first.complete).toBe(false);
    const applied = first.decisions.filter((d) => d.action === "approve" && d.outcome === "applied");
    expect(applied).toHaveLength(3); // the three already in flight, none after
    const waiting = first.decisions.filter((d) => d.action === "leave-pending");
    expect(waiting).toHaveLength(REQUESTS - 3);
    for (const d of waiting) expect(d.reason).toMatch(/deadline came before this request was reached: left for the next run/);
    expect((await cursors.get())?.phase).toBe("approvals");

    now = 0;
    const second = await sweeper.sweep({ subscriptions: [], deadline: 60_000 });
    expect(second.complete).toBe(true);
    expect(second.runId).toBe(first.runId);
    expect(second.decisions.filter((d) => d.action === "approve" && d.outcome === "applied")).toHaveLength(REQUESTS - 3);
    for (let i = 0; i < REQUESTS; i++) expect(statusOf(l, connOf(VAULT, `pe-${i}`))).toBe("Approved");
    expect(approvalPuts(l)).toBe(REQUESTS);
  }, 60_000);
});

describe("slow approvals in the sweep with a continuation queue", () => {
  const vaults = Array.from({ length: 6 }, (_, i) => vaultId(`kv-${i}`));
  it("the sweep does not wait for them: every approval is sent at once, none is polled, and each one's DNS is a continuation timed just after the recorded time", async () => {
    local = await startLocalArm(
      { resources: [zone, ...vaults.map(vault), ...vaults.flatMap((v, i) => request(v, `pe-${i}`, `10.1.0.${i + 4}`))] },
      { timeScale: SCALE, throttle: false },
    );
    const l = local;
    let clock = 0;
    const continuations = new MemoryContinuations(() => clock);
    const ap = autopilot(l, WITH_DNS, { continuations: { sink: continuations, delayMs: 30_000 } });
    l.emulator.clearCalls();
    const report = await new Sweeper(ap, new ResourceInventory(l.arm), new MemoryCursorStore()).sweep({
      subscriptions: [],
      deadline: Date.now() + SWEEP_BUDGET_MS,
    });
    const approvals = report.decisions.filter((d) => d.action === "approve");
    expect(approvals).toHaveLength(6);
    for (const d of approvals) expect(d).toMatchObject({ outcome: "applied", reason: expect.stringMatching(/still applying it, not waited for/) });
    expect(l.emulator.calls.filter((c) => c.kind === "operation")).toEqual([]); // no status poll
    expect(continuations.queued.map((q) => q.dueAt)).toEqual(Array(6).fill(firstCheckMs(KV_APPROVAL_MS)));
    expect(continuations.queued.map((q) => q.c.attempt)).toEqual(Array(6).fill(1));

    await untilSettled(
      l,
      vaults.map((v, i) => connOf(v, `pe-${i}`)),
    );
    clock = firstCheckMs(KV_APPROVAL_MS);
    // Each continuation writes its endpoint's record, or finds it written (the sweep's endpoint phase may have come after the provider finished).
    const due = continuations.due();
    expect(due).toHaveLength(6);
    for (const c of due) {
      const ds = await ap.handleContinuation(c);
      expect(ds).toHaveLength(1);
      expect(["dns-create applied", "dns-skip skipped"]).toContain(`${ds[0]!.action} ${ds[0]!.outcome}`);
    }
    const recordPuts = l.emulator.calls.filter((c) => c.method === "PUT" && /\/A\/kv-/.test(c.path) && c.status < 400);
    expect(recordPuts).toHaveLength(6); // each record written once
    for (let i = 0; i < 6; i++) expect(record(l, `kv-${i}`)?.properties?.aRecords).toEqual([{ ipv4Address: `10.1.0.${i + 4}` }]);
  }, 60_000);
});

describe("slow approvals: DNS continues later", () => {
  const KV = vaultId("kv-slow");
  const CONN = connOf(KV, "pe-slow");
  const delivery = () => ({
    ...eventGridEvent({ resourceId: peId("pe-slow"), operationName: "Microsoft.Network/privateEndpoints/write" }),
    eventTime: new Date().toISOString(),
  });
  const start = () => startLocalArm({ resources: [vault(KV), zone, ...request(KV, "pe-slow", "10.1.0.9")] }, { timeScale: SCALE, throttle: false });

  it("an approval still running when the wait ends is applied and audited now; its record is written later by a continuation, audited under its own id", async () => {
    local = await start();
    const l = local;
    let clock = 0;
    const continuations = new MemoryContinuations(() => clock); // the test decides when they are due
    const audit = new MemoryAuditLog();
    const ledger = new MemoryEventLedger();
    const ap = autopilot(l, WITH_DNS, { continuations: { sink: continuations, delayMs: 30_000 } });
    const event = delivery();

    const first = await handleRawEvent(event, ap, silentLogger, { audit, ledger });
    expect(first.find((d) => d.action === "approve")).toMatchObject({ outcome: "applied", resource: CONN });
    expect(first.find((d) => d.action === "approve")!.reason).toMatch(/still applying it, not done after a wait of 0.2 s/);
    expect(first.find((d) => d.action === "dns-skip")?.reason).toMatch(/still applying the approval .* continuation continuation:/);
    expect(first.some((d) => d.retryable)).toBe(false); // acknowledged: the continuation is stored
    expect(l.emulator.getResource(CONN)?.properties?.provisioningState).toBe("Updating");
    expect(record(l, "kv-slow")).toBeUndefined();
    // The first check comes just after Key Vault's recorded 47 s (on this clock), not before.
    clock += FIRST_CHECK_MS - 1;
    expect(continuations.due()).toEqual([]);
    clock += 1;
    let queued = continuations.due();
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ connectionId: CONN, attempt: 1 });

    // Delivered while the provider is still at it: no record, checked again later.
    const early = await handleRawEvent(JSON.parse(JSON.stringify(queued[0])), ap, silentLogger, { audit, ledger });
    expect(early.map((d) => d.action)).toEqual(["dns-skip"]);
    expect(record(l, "kv-slow")).toBeUndefined();
    clock += 30_000;
    queued = continuations.due();
    expect(queued[0]).toMatchObject({ connectionId: CONN, attempt: 2 });

    await untilSettled(l, [CONN]);
    const later = await handleRawEvent(JSON.parse(JSON.stringify(queued[0])), ap, silentLogger, { audit, ledger });
    expect(later.find((d) => d.action === "dns-create")).toMatchObject({
      outcome: "applied",
      event: queued[0]!.id,
      dns: { zone: "privatelink.vaultcore.azure.net", record: "kv-slow", ips: ["10.1.0.9"] },
    });
    expect(record(l, "kv-slow")?.properties?.aRecords).toEqual([{ ipv4Address: "10.1.0.9" }]);
    expect(continuations.queued).toEqual([]);

    // Both halves are in the audit trail: the approval under the event, the record under the continuation.
    const rows = await audit.query({});
    expect(rows.find((r) => r.action === "approve")).toMatchObject({ trigger: event.id, outcome: "applied" });
    expect(rows.find((r) => r.action === "dns-create")).toMatchObject({ trigger: queued[0]!.id, outcome: "applied" });
    // A duplicate delivery of the continuation changes nothing.
    const dup = await handleRawEvent(JSON.parse(JSON.stringify(queued[0])), ap, silentLogger, { audit, ledger });
    expect(dup.map((d) => d.reason)).toEqual(["duplicate event (same id already handled)"]);
  }, 60_000);

  it("nothing acknowledged is lost when the continuation cannot be stored: the event fails after auditing the approval, and its redelivery writes the record", async () => {
    local = await start();
    const l = local;
    const audit = new MemoryAuditLog();
    const ledger = new MemoryEventLedger();
    const broken = {
      later: async (_c: Continuation) => {
        throw new Error("queue unavailable (503)");
      },
    };
    const event = delivery();

    const first = await handleRawEvent(event, autopilot(l, WITH_DNS, { continuations: { sink: broken } }), silentLogger, { audit, ledger });
    expect(first.find((d) => d.action === "approve")?.outcome).toBe("applied");
    expect(first.find((d) => d.retryable)).toMatchObject({ action: "error", error: "queue unavailable (503)" });
    expect((await audit.query({ action: "approve" }))[0]).toMatchObject({ trigger: event.id, outcome: "applied" });
    // Not acknowledged: the ledger lets the same event id through again.
    expect(await ledger.claim(event.id, new Date())).toBe("new");
    await ledger.forget(event.id);

    await untilSettled(l, [CONN]);
    const again = await handleRawEvent(event, autopilot(l, WITH_DNS, { continuations: { sink: new MemoryContinuations() } }), silentLogger, { audit, ledger });
    expect(again.find((d) => d.action === "dns-create")).toMatchObject({ outcome: "applied" });
    expect(again.some((d) => d.retryable)).toBe(false);
    expect(record(l, "kv-slow")?.properties?.aRecords).toEqual([{ ipv4Address: "10.1.0.9" }]);
    expect(approvalPuts(l)).toBe(1);
  }, 60_000);

  it("without a continuation queue the next sweep writes the record; a continuation message is checked before it is trusted", async () => {
    expect(
      parseContinuation({ mark: "privatelink-autopilot/continuation", kind: "dns-after-approval", id: "c1", connectionId: "not an id", attempt: 1 }),
    ).toMatchObject({ error: expect.stringMatching(/not an ARM resource id/) });
    expect(parseContinuation({ id: "x" })).toBeUndefined();
    const bad = await handleRawEvent(
      { mark: "privatelink-autopilot/continuation", kind: "dns-after-approval", id: "c1", connectionId: CONN, attempt: 0 },
      autopilot(local ?? (local = await start()), WITH_DNS),
      silentLogger,
    );
    expect(bad).toMatchObject([{ action: "error", reason: expect.stringMatching(/malformed continuation/) }]);

    const l = local;
    const ap = autopilot(l, WITH_DNS);
    const first = await handleRawEvent(delivery(), ap, silentLogger);
    expect(first.find((d) => d.action === "dns-skip")?.reason).toMatch(/by the next sweep/);
    expect(record(l, "kv-slow")).toBeUndefined();
    await untilSettled(l, [CONN]);
    const sweep = await new Sweeper(ap, new ResourceInventory(l.arm)).sweep({ subscriptions: [CONSUMER] });
    expect(sweep.decisions.find((d) => d.action === "dns-create")).toMatchObject({ outcome: "applied" });
    expect(record(l, "kv-slow")).toBeDefined();
  }, 60_000);
});
