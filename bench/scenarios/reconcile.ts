// reconcile: the timer's sweep over 10,000 endpoints in 100 subscriptions (sandbox/scaleEstate.ts),
// first in sync, then with 1 % drift (a third each: record missing, record with a stale IP,
// connection still Pending), through the app's own Runtime (settings from the environment as
// in Azure, in-memory stores) against the emulator in its own process with ARM's buckets on.
// One timer run = one Runtime.sweep within its budget (default 240 s); a run that stops at the
// budget resumes in the next, as the timer would.
// Approvals take the recorded Key Vault time (47 s) times `approvalTimeScale` (default 0.01:
// a bench of 33 sequential approvals at full length would take 26 minutes).
// Standalone: npx tsx bench/scenarios/reconcile.ts [--quick]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Decision, Logger } from "../../shared/model/decision.js";
import { Runtime } from "../../shared/runtime/runtime.js";
import { readSettings } from "../../shared/runtime/settings.js";
import { scaleEstate } from "../../sandbox/scaleEstate.js";
import { startRemoteEmulator } from "../lib/remoteEmulator.js";
import { round, runWhenMain, type ScenarioOptions, type ScenarioOutput } from "../lib/scenario.js";
import type { CallLogEntry } from "../../sandbox/emulator/index.js";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const MAX_RUNS = 10;

interface Phase {
  timerRuns: number;
  seconds: number;
  secondsPerRun: number[];
  reads: number;
  listPages: number;
  writes: number;
  polls: number;
  throttled: number;
  decisions: Record<string, number>;
  failed: number;
}

/** Calls by kind of path: subscriptions and names folded, e.g. "GET /subscriptions/{s}/providers/Microsoft.Network/privateEndpoints". */
function byPath(calls: CallLogEntry[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) {
    const k = `${c.method} ${c.path.replace(/\/subscriptions\/[^/]+/i, "/subscriptions/{s}").replace(/\/(vaults|privateEndpoints|networkInterfaces|A|privateEndpointConnections)\/[^/]+/g, "/$1/{name}")}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return Object.fromEntries(
    Object.entries(out)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12),
  );
}

async function sweepPhase(
  estate: ReturnType<typeof scaleEstate>,
  emulatorOpts: { timeScale?: number },
  opts: { budgetSeconds?: number; resourceGraph?: boolean } = {},
): Promise<Phase & { byPath: Record<string, number>; after?: { writes: number; reads: number } }> {
  const emu = await startRemoteEmulator({ estate: estate.estate, ...emulatorOpts });
  const dir = mkdtempSync(join(tmpdir(), "pla-reconcile-"));
  try {
    writeFileSync(join(dir, "allow-list.yaml"), estate.allowList);
    writeFileSync(join(dir, "ca.pem"), emu.ca);
    const env = {
      AUTOPILOT_ALLOW_LIST_PATH: join(dir, "allow-list.yaml"),
      AZURE_ARM_ENDPOINT: emu.url,
      AZURE_ARM_SCOPE: `${emu.url}/.default`,
      AUTOPILOT_ARM_CA_FILE: join(dir, "ca.pem"),
      AUTOPILOT_ARM_STATIC_TOKEN: "bench-token",
      AUTOPILOT_POLL_INTERVAL_MS: "100",
      ...(opts.budgetSeconds ? { AUTOPILOT_SWEEP_BUDGET_SECONDS: String(opts.budgetSeconds) } : {}),
    };
    const settings = readSettings(env);
    // As deployed (Resource Graph, ARM lists when it does not answer), or the ARM lists alone.
    if (opts.resourceGraph === false) settings.arm.resourceGraph = false;
    const rt = new Runtime(settings);
    await emu.clearCalls();
    const decisions: Decision[] = [];
    const secondsPerRun: number[] = [];
    const t0 = performance.now();
    for (let run = 0; run < MAX_RUNS; run++) {
      const s = performance.now();
      const report = await rt.sweep(quiet);
      secondsPerRun.push((performance.now() - s) / 1000);
      decisions.push(...report.decisions);
      if (report.complete) break;
    }
    const seconds = (performance.now() - t0) / 1000;
    const calls = await emu.calls();
    const by: Record<string, number> = {};
    for (const d of decisions) if (d.outcome !== "skipped" || d.action !== "ignore") by[`${d.action}:${d.outcome}`] = (by[`${d.action}:${d.outcome}`] ?? 0) + 1;
    const phase: Phase = {
      timerRuns: secondsPerRun.length,
      seconds: round(seconds, 1),
      secondsPerRun: secondsPerRun.map((x) => round(x, 1)),
      reads: calls.filter((c) => c.kind === "read").length,
      listPages: calls.filter(isListPage).length,
      writes: calls.filter((c) => c.kind === "write" || c.kind === "delete").length,
      polls: calls.filter((c) => c.kind === "operation").length,
      throttled: calls.filter((c) => c.status === 429).length,
      decisions: by,
      failed: decisions.filter((d) => d.outcome === "failed").length,
    };
    // A drifted estate once repaired is in sync: the next sweep writes nothing.
    await emu.clearCalls();
    await rt.sweep(quiet);
    const again = await emu.calls();
    return {
      ...phase,
      byPath: byPath(calls),
      after: { writes: again.filter((c) => c.kind === "write" || c.kind === "delete").length, reads: again.filter((c) => c.kind === "read").length },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await emu.close();
  }
}

export async function run(opts: ScenarioOptions & { approvalTimeScale?: number } = {}): Promise<ScenarioOutput> {
  const endpoints = opts.quick ? 1000 : 10_000;
  const subscriptions = opts.quick ? 10 : 100;
  const approvalTimeScale = opts.approvalTimeScale ?? 0.01;
  const inSync = await sweepPhase(scaleEstate({ endpoints, subscriptions }), { timeScale: 1 });
  // What the fallback costs: the same sweep through ARM lists (each provider list carries its connections).
  const armLists = await sweepPhase(scaleEstate({ endpoints, subscriptions }), { timeScale: 1 }, { resourceGraph: false });
  const driftEstate = scaleEstate({ endpoints, subscriptions, drift: 0.01 });
  const kinds: Record<string, number> = {};
  for (const k of driftEstate.drifted.values()) kinds[k] = (kinds[k] ?? 0) + 1;
  const drift = await sweepPhase(driftEstate, { timeScale: approvalTimeScale });
  const result = {
    endpoints,
    subscriptions,
    reads: inSync.reads,
    listPages: inSync.listPages,
    writes: inSync.writes,
    seconds: inSync.seconds,
    timerRuns: inSync.timerRuns,
    throttled: inSync.throttled,
    inSync,
    inSyncArmListsOnly: armLists,
    drift: { share: 0.01, drifted: kinds, approvalTimeScale, ...drift },
  };
  return {
    key: "reconcile",
    result,
    summary: [
      `reconcile, ${endpoints} endpoints in ${subscriptions} subscriptions, in sync: ${inSync.timerRuns} timer run(s), ${inSync.seconds} s, ${inSync.reads} reads (${inSync.listPages} list pages), ${inSync.writes} writes, ${inSync.throttled} throttled (target: 0 writes, ≤ 300 reads, 1 run)`,
      `the same through ARM lists only (Resource Graph off or not answering): ${armLists.timerRuns} run(s), ${armLists.seconds} s, ${armLists.reads} reads (${armLists.listPages} list pages), ${armLists.writes} writes`,
      `with 1 % drift (${Object.entries(kinds)
        .map(([k, n]) => `${n} ${k}`)
        .join(
          ", ",
        )}; approvals at ${approvalTimeScale} × 47 s): ${drift.timerRuns} run(s), ${drift.seconds} s, ${drift.reads} reads, ${drift.writes} writes, ${drift.polls} polls, ${drift.failed} failed; the sweep after: ${drift.after?.writes} writes`,
    ],
  };
}

/** A GET of a collection (a list page): after `providers`, namespace + type (+ name/child pairs) is an even count; or /subscriptions. */
function isListPage(c: Pick<CallLogEntry, "method" | "path">): boolean {
  if (c.method !== "GET") return false;
  const s = c.path.split("/").filter(Boolean);
  const i = s.findIndex((x) => x.toLowerCase() === "providers");
  if (i < 0) return s.length === 1 || s.length === 3;
  return (s.length - i - 1) % 2 === 0;
}

await runWhenMain(import.meta.url, run);
