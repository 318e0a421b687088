// coldStart: the deployed bundle against `node -e 0`, each in fresh processes, interleaved
// so both see the same machine load. `npm run build`, then the built files are copied out of
// the repository (nothing may resolve from node_modules) and loaded as the Functions worker
// would, with the @azure/functions-core stand-in of .ci/load-bundle.cjs: every function
// registered. Registration loads index.cjs only; the first invocation of any trigger loads
// core.cjs (functions/core.ts), timed separately as `firstInvocationLoadMs`.
// Standalone: npx tsx bench/scenarios/coldStart.ts [--quick]
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { round, runWhenMain, type ScenarioOptions, type ScenarioOutput } from "../lib/scenario.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const CHUNKS = ["index.cjs", "core.cjs", "telemetry.cjs"];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Wall-clock ms of one fresh process, spawn to exit (what a worker start costs). */
function timeProcess(args: string[], cwd: string): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME }, encoding: "utf8" });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** Bytes per package in one built file, from the esbuild metafile build.mjs writes. */
function bytesByPackage(file: string): Record<string, number> {
  const meta = JSON.parse(readFileSync(join(root, "dist/functions", file.replace(/\.cjs$/, ".meta.json")), "utf8"));
  const out = meta.outputs[`dist/functions/${file}`];
  const by: Record<string, number> = {};
  for (const [input, v] of Object.entries<{ bytesInOutput: number }>(out.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? "(this app)";
    by[pkg] = (by[pkg] ?? 0) + v.bytesInOutput;
  }
  return Object.fromEntries(Object.entries(by).sort((a, b) => b[1] - a[1]));
}

export async function run(opts: ScenarioOptions = {}): Promise<ScenarioOutput> {
  execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "ignore" });
  const dir = mkdtempSync(join(tmpdir(), "pla-cold-"));
  try {
    for (const f of CHUNKS) copyFileSync(join(root, "dist/functions", f), join(dir, f));
    copyFileSync(join(root, ".ci/load-bundle.cjs"), join(dir, "load-bundle.cjs"));
    // Registration: what the host does when a worker starts (load-bundle prints the registrations).
    const register = ["load-bundle.cjs", "index.cjs"];
    const out = execFileSync(process.execPath, register, { cwd: dir, encoding: "utf8" });
    const registered = (JSON.parse(out.trim().split("\n").pop()!).registrations as { name: string }[]).map((r) => r.name);
    if (registered.length !== 4) throw new Error(`expected 4 registrations (2 queue triggers, Event Grid, timer), got ${JSON.stringify(registered)}`);
    // Registration and then what a first invocation loads (the core file), in one process.
    const stub = `const M=require("module");const o=M._load;M._load=function(r,...a){if(r==="@azure/functions-core")return{setProgrammingModel(){},registerFunction(){return{dispose(){}}},registerHook(){return{dispose(){}}}};return o.call(this,r,...a)};require("./index.cjs");const h=require("./core.cjs");if(typeof h.onResourceEvent!=="function")process.exit(3)`;
    const n = opts.quick ? 5 : 11;
    const bare: number[] = [];
    const bundle: number[] = [];
    const withCore: number[] = [];
    timeProcess(["-e", "0"], dir); // warm the file cache for both
    timeProcess(register, dir);
    for (let i = 0; i < n; i++) {
      bare.push(timeProcess(["-e", "0"], dir));
      bundle.push(timeProcess(register, dir));
      withCore.push(timeProcess(["-e", stub], dir));
    }
    const bareNodeMs = median(bare);
    const bundleMs = median(bundle);
    const size = (f: string) => statSync(join(dir, f)).size;
    const core = bytesByPackage("core.cjs");
    const result = {
      runs: n,
      bareNodeMs: round(bareNodeMs, 1),
      bundleMs: round(bundleMs, 1),
      ratio: round(bundleMs / bareNodeMs, 2),
      bundleBytes: size("index.cjs"),
      registered,
      firstInvocationLoadMs: round(median(withCore) - bundleMs, 1),
      coreBytes: size("core.cjs"),
      telemetryBytes: size("telemetry.cjs"),
      bundleByPackage: bytesByPackage("index.cjs"),
      coreByPackage: Object.fromEntries(Object.entries(core).slice(0, 12)),
    };
    const mb = (b: number) => `${(b / 1e6).toFixed(2)} MB`;
    return {
      key: "coldStart",
      result,
      summary: [
        `cold start, median of ${n} fresh processes: node -e 0 ${result.bareNodeMs} ms, bundle with ${registered.length} functions registered ${result.bundleMs} ms: ${result.ratio} × (target ≤ 2.0 ×)`,
        `bundle ${mb(result.bundleBytes)} (target ≤ 1.5 MB); core.cjs ${mb(result.coreBytes)} loads on the first invocation: +${result.firstInvocationLoadMs} ms; telemetry.cjs ${mb(result.telemetryBytes)} only with Application Insights`,
        `core.cjs by package: ${Object.entries(core)
          .slice(0, 5)
          .map(([p, b]) => `${p} ${((100 * b) / result.coreBytes).toFixed(0)} %`)
          .join(", ")}`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await runWhenMain(import.meta.url, run);
