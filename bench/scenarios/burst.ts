// A burst (issue 12): 1,000 new endpoints from 20 consumer subscriptions to Key Vaults
// in one provider subscription, the zone in a hub subscription. Every endpoint's write
// event arrives at once; the host runs up to maxInFlight invocations at a time, and a
// failed invocation is delivered again on Event Grid's schedule (10 s, 30 s, 1 min, 5 min,
// 10 min, 30 min, 1 h: learn.microsoft.com/azure/event-grid/delivery-and-retry). The app's
// continuations (DNS once a slow approval is done) share the host's pool, as they share its
// queue. The emulator enforces ARM's per-subscription buckets and Private DNS's 500 reads per
// 5 minutes, and approvals take Key Vault's recorded 47 s; all of it, the app's pacing and
// waits included, runs on one clock `timeScale` (1 = real time).
import { ARM_LIMITS } from "../../shared/gateways/arm/pacing.js";
import { MemoryAuditLog } from "../../shared/store/audit/index.js";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import type { Continuation, ContinuationSink } from "../../shared/autopilot/continuations.js";
import { silentLogger } from "../../shared/model/decision.js";
import { EVENT_BUDGET_MS, handleRawEvent } from "../../shared/runtime/handleEvent.js";
import { MemoryEventLedger } from "../../shared/store/eventLedger.js";
import type { CallLogEntry } from "../../sandbox/emulator/index.js";
import { startRemoteEmulator } from "../lib/remoteEmulator.js";
import { round, secs, type ScenarioOptions, type ScenarioOutput } from "../lib/scenario.js";
import { processUsage } from "../lib/usage.js";
import { allowList, endpointEvent, estate, HUB, PROVIDER } from "../lib/world.js";

/** Event Grid's retry schedule, in seconds of its clock. */
const REDELIVERY_S = [10, 30, 60, 300, 600, 1800, 3600];
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
    approvalWaitSeconds: Number(process.env.BENCH_APPROVAL_WAIT_SECONDS ?? 0),
    continueAfterSeconds: Number(process.env.BENCH_CONTINUE_AFTER_SECONDS ?? 50),
    throttle: true,
  };
  // minimalCalls: the same app path with nothing throttled and every check landing after its operation is done, per endpoint.
  const calib = await burst({ ...base, endpoints: 50, maxInFlight: 16, throttle: false, timeScale: 0.02 });
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
        process: "app (bench/lib/scenarioChild.ts running bench/scenarios/burst.ts; the emulator runs in its own process)",
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
    const queue: Array<{ raw: unknown; attempt: number; dueAt: number; isEvent: boolean }> = [];
    const sink: ContinuationSink = {
      async later(cont: Continuation, delayMs: number) {
        queue.push({ raw: cont, attempt: 0, dueAt: Date.now() + delayMs, isEvent: false });
        wake();
      },
    };
    const autopilot = new Autopilot({
      arm,
      config: parseConfigText(allowList(c.subscriptions), "bench.yaml"),
      approvals: { waitMs: c.approvalWaitSeconds * 1000 * s },
      continuations: { sink, delayMs: c.continueAfterSeconds * 1000 * s },
    });
    const ledger = new MemoryEventLedger();
    const audit = new MemoryAuditLog();
    await emu.clearCalls();
    for (const id of emu.endpoints) queue.push({ raw: endpointEvent(id, "write"), attempt: 0, dueAt: 0, isEvent: true });

    let inFlight = 0;
    let failedInvocations = 0;
    let redelivered = 0;
    let dead = 0;
    let invocations = 0;
    let wake: () => void = () => {};
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((done) => {
      wake = () => {
        if (timer) clearTimeout(timer);
        timer = undefined;
        const now = Date.now();
        queue.sort((a, b) => a.dueAt - b.dueAt);
        while (inFlight < c.maxInFlight && queue.length && queue[0]!.dueAt <= now) {
          const item = queue.shift()!;
          inFlight++;
          invocations++;
          void handleRawEvent(item.raw, autopilot, silentLogger, { ledger, audit, budgetMs: EVENT_BUDGET_MS * s })
            .then(
              (ds) => ds.some((d) => d.retryable),
              () => true,
            )
            .then((failed) => {
              inFlight--;
              if (failed) {
                failedInvocations++;
                if (item.attempt < REDELIVERY_S.length) {
                  redelivered++;
                  queue.push({ ...item, attempt: item.attempt + 1, dueAt: Date.now() + REDELIVERY_S[item.attempt]! * 1000 * s });
                } else dead++;
              }
              wake();
            });
        }
        if (!queue.length && inFlight === 0) return done();
        if (queue.length && inFlight < c.maxInFlight) timer = setTimeout(wake, Math.max(1, queue[0]!.dueAt - now));
      };
      wake();
    });
    const ms = Date.now() - t0;
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
