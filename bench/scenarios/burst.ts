// A burst (issue 12): 1,000 new endpoints from 20 consumer subscriptions to Key Vaults
// in one provider subscription, the zone in a hub subscription. Every endpoint's write
// event arrives at once through the Event Grid trigger, up to maxInFlight at a time, a
// failed one delivered again on Event Grid's schedule; the app's continuations (DNS once a
// slow approval is done) go through their own queue and trigger (functions/queueContinuations.ts),
// with its own concurrency and host.json's rules (bench/lib/host.ts). The emulator enforces ARM's per-subscription
// buckets and Private DNS's 500 reads per 5 minutes, and approvals take Key Vault's recorded
// 47 s; all of it, the app's pacing and waits included, runs on one clock `timeScale`
// (1 = real time). The app's settings are its defaults unless BENCH_APPROVAL_WAIT_SECONDS /
// BENCH_CONTINUE_AFTER_SECONDS say otherwise.
import { fileURLToPath } from "node:url";
import { ARM_LIMITS } from "../../shared/gateways/arm/pacing.js";
import { MemoryAuditLog } from "../../shared/store/audit/index.js";
import { parseConfigText } from "../../shared/config/index.js";
import { APPROVAL_WAIT_MS, Autopilot, CONTINUE_AFTER_MS } from "../../shared/autopilot/autopilot.js";
import { recordedApprovalMs } from "../../shared/model/approvalTimes.js";
import type { Continuation, ContinuationSink } from "../../shared/autopilot/continuations.js";
import { silentLogger } from "../../shared/model/decision.js";
import { EVENT_BUDGET_MS, handleRawEvent } from "../../shared/runtime/handleEvent.js";
import { MemoryEventLedger } from "../../shared/store/eventLedger.js";
import type { CallLogEntry } from "../../sandbox/emulator/index.js";
import { EventGridTrigger, QueueTrigger, queueRules } from "../lib/host.js";
import { startRemoteEmulator } from "../lib/remoteEmulator.js";
import { round, secs, type ScenarioOptions, type ScenarioOutput } from "../lib/scenario.js";
import { processUsage } from "../lib/usage.js";
import { allowList, endpointEvent, estate, HUB, PROVIDER } from "../lib/world.js";

const HOST_JSON = fileURLToPath(new URL("../../host.json", import.meta.url));
const LRO_SECONDS = 47;

interface RunConfig {
  endpoints: number;
  subscriptions: number;
  maxInFlight: number;
  timeScale: number;
  /** The app's settings for slow approvals: wait this long for one, then continue after this delay (seconds). */
  approvalWaitSeconds: number;
  continueAfterSeconds: number;
  throttle: boolean;
}

export async function run(opts: ScenarioOptions): Promise<ScenarioOutput> {
  const timeScale = Number(process.env.BENCH_TIME_SCALE ?? (opts.quick ? 0.1 : 1));
  const endpoints = opts.quick ? 200 : 1000;
  const base = {
    endpoints,
    subscriptions: 20,
    timeScale,
    approvalWaitSeconds: Number(process.env.BENCH_APPROVAL_WAIT_SECONDS ?? APPROVAL_WAIT_MS / 1000),
    continueAfterSeconds: Number(process.env.BENCH_CONTINUE_AFTER_SECONDS ?? CONTINUE_AFTER_MS / 1000),
    throttle: true,
  };
  // minimalCalls: the same app path with nothing throttled, no status poll (nothing waited for) and the one
  // continuation check landing after its operation is done, per endpoint: GET endpoint, list, PUT; GET connection, GET endpoint, PUT record.
  const calib = await burst({ ...base, endpoints: 50, maxInFlight: 16, throttle: false, timeScale: 0.02, approvalWaitSeconds: 0 });
  const perEndpoint = calib.calls / 50;
  const runs: Array<Awaited<ReturnType<typeof burst>>> = [];
  const concurrencies = (process.env.BENCH_IN_FLIGHT ?? "16,64").split(",").map(Number);
  for (const maxInFlight of concurrencies) runs.push(await burst({ ...base, maxInFlight }, perEndpoint));
  const last = runs[runs.length - 1]!;
  const usage = processUsage();
  const met = (r: (typeof runs)[number]) => r.ratio <= 1.15 && r.failedEvents === 0 && r.calls <= 1.2 * r.minimalCalls;
  return {
    key: "burst",
    result: { ...last, runs, met: runs.every(met), minimalCallsPerEndpoint: round(perEndpoint, 2) },
    extra: {
      memory: {
        peakRssMb: usage.peakRssMb,
        process: "the app process running bench/scenarios/burst.ts (built or not: meta.appProcess); the emulator runs in its own process",
        target: 200,
        met: usage.peakRssMb <= 200,
      },
    },
    summary: [
      ...runs.map(
        (r) =>
          `${String(r.maxInFlight).padStart(2)} in flight: ${r.seconds} s (floor ${r.floorSeconds} s, ratio ${r.ratio}), calls ${r.calls} / minimal ${r.minimalCalls} (${round(r.calls / r.minimalCalls)}x), throttled ${r.throttled}, failed invocations ${r.failedInvocations}, events not done ${r.failedEvents}, approved ${r.approved}/${r.endpoints}, records ${r.records}  ${met(r) ? "meets target" : "MISSES target"}`,
      ),
      `app process peak RSS ${usage.peakRssMb} MB (target <= 200 MB)`,
    ],
  };
}

async function burst(c: RunConfig, minimalPerEndpoint?: number) {
  const s = c.timeScale;
  const emu = await startRemoteEmulator(
    {
      estate: estate({ vaults: Array.from({ length: c.endpoints }, (_, i) => `kv-${i}`), consumers: c.subscriptions }),
      timeScale: s,
      scaleLimits: true,
      throttle: c.throttle ? undefined : false,
    },
    { endpoints: c.endpoints, consumers: c.subscriptions },
  );
  try {
    const arm = emu.clients({ pollIntervalMs: Math.max(1, 2000 * s), pacing: { ...ARM_LIMITS, timeScale: s } });
    const ledger = new MemoryEventLedger();
    const audit = new MemoryAuditLog();
    const invoke = async (raw: unknown) =>
      (await handleRawEvent(raw, autopilot, silentLogger, { ledger, audit, budgetMs: EVENT_BUDGET_MS * s })).some((d) => d.retryable);
    const events = new EventGridTrigger(invoke, s, c.maxInFlight);
    const continuations = new QueueTrigger(invoke, s, queueRules(HOST_JSON));
    const sink: ContinuationSink = { later: async (cont: Continuation, delayMs: number) => continuations.add(cont, delayMs) };
    const autopilot = new Autopilot({
      arm,
      config: parseConfigText(allowList(c.subscriptions), "bench.yaml"),
      approvals: { waitMs: c.approvalWaitSeconds * 1000 * s, expectedMs: (id) => recordedApprovalMs(id, s) },
      continuations: { sink, delayMs: c.continueAfterSeconds * 1000 * s },
    });
    await emu.clearCalls();
    const t0 = Date.now();
    for (const id of emu.endpoints) events.add(endpointEvent(id, "write"));
    while (events.busy || continuations.busy) await new Promise((r) => setTimeout(r, 20));
    const ms = Math.max(events.stats.lastDoneAt, continuations.stats.lastDoneAt) - t0;
    const failedInvocations = events.stats.failedInvocations + continuations.stats.failedInvocations;
    const redelivered = events.stats.redelivered + continuations.stats.redelivered;
    const dead = events.stats.dead + continuations.stats.dead;
    const invocations = events.stats.invocations + continuations.stats.invocations;
    const calls = await emu.calls(true);
    const counts = await emu.count();
    const seconds = secs(ms / s);
    const floorSeconds = floor(calls, c.endpoints);
    const minimalCalls = Math.round((minimalPerEndpoint ?? calls.length / c.endpoints) * c.endpoints);
    return {
      endpoints: c.endpoints,
      subscriptions: c.subscriptions,
      maxInFlight: c.maxInFlight,
      lroSeconds: LRO_SECONDS,
      timeScale: s,
      seconds,
      floorSeconds,
      ratio: round(seconds / floorSeconds),
      failedEvents: dead + (c.endpoints - (counts.connections.Approved ?? 0)),
      failedInvocations,
      redelivered,
      invocations,
      continuations: continuations.stats.invocations,
      maxContinuationsInFlight: continuations.stats.maxInFlight,
      throttled: calls.filter((x) => x.status === 429).length,
      calls: calls.length,
      minimalCalls,
      callsByKind: tally(calls),
      privateDnsReads: calls.filter((x) => x.kind === "read" && /\/privateDnsZones\//i.test(x.path)).length,
      approved: counts.connections.Approved ?? 0,
      records: counts.recordsWithIp,
      pacedCalls: arm.pacer?.stats.waited ?? 0,
      settings: { approvalWaitSeconds: c.approvalWaitSeconds, continueAfterSeconds: c.continueAfterSeconds, throttle: c.throttle },
    };
  } finally {
    await emu.close();
  }
}

/**
 * What the write buckets alone force (seconds of the emulator's clock): on the busiest
 * subscription, writes beyond the burst at the refill rate (the provider's approvals, the
 * hub's records: one each per endpoint), plus one approval's duration.
 */
function floor(calls: CallLogEntry[], endpoints: number): number {
  const w = ARM_LIMITS.writes;
  const perSub = new Map<string, number>([
    [PROVIDER, endpoints],
    [HUB, endpoints],
  ]);
  for (const x of calls)
    if (x.kind !== "read" && x.kind !== "operation" && x.status < 400 && x.subscriptionId && !perSub.has(x.subscriptionId)) perSub.set(x.subscriptionId, 0);
  const busiest = Math.max(...perSub.values());
  return round(Math.max(0, busiest - w.burst) / w.perSecond + LRO_SECONDS, 1);
}

function tally(calls: CallLogEntry[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const x of calls) t[x.kind] = (t[x.kind] ?? 0) + 1;
  return t;
}
