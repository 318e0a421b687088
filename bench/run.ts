// The benchmarks: `npm run bench [-- --only armCalls,burst] [--quick] [--out file] [--tsx]`.
// Every module in bench/scenarios/ runs in a fresh process of its own (the app
// process), built as the deployment is built and run on plain node (lib/bundle.ts;
// `--tsx` runs the sources under tsx instead); each scenario starts the ARM emulator in
// yet another process (lib/remoteEmulator.ts), so memory and CPU figures are each process's own.
// Prints a summary and merges the results into bench/results.json (a --quick run
// into bench/results.quick.json), keyed as issue 12 lays it out.
// Never part of `npm test`: timings on a shared machine are noisy; figures go to bench/RESULTS.md.
import { fork } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { bundleScenarios } from "./lib/bundle.js";
import type { ScenarioOutput } from "./lib/scenario.js";
import type { ProcessUsage } from "./lib/usage.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const { values } = parseArgs({
  options: {
    only: { type: "string", multiple: true },
    quick: { type: "boolean", default: false },
    out: { type: "string" },
    tsx: { type: "boolean", default: false },
  },
});

/** Scenarios in this order first (the table), then any others by name. */
const ORDER = ["armCalls", "burst", "coldStart", "reconcile"];
const dir = join(here, "scenarios");
const all = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
  .map((f) => basename(f, ".ts"))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
const wanted = (values.only ?? [])
  .flatMap((o) => o.split(","))
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = wanted.filter((w) => !all.some((n) => n.toLowerCase() === w.toLowerCase()));
if (unknown.length) {
  console.error(`unknown scenario(s): ${unknown.join(", ")}; have: ${all.join(", ")}`);
  process.exit(2);
}
const chosen = wanted.length ? all.filter((n) => wanted.some((w) => w.toLowerCase() === n.toLowerCase())) : all;

const outFile = values.out ?? join(here, values.quick ? "results.quick.json" : "results.json");
const results: Record<string, any> = existsSync(outFile) ? JSON.parse(readFileSync(outFile, "utf8")) : {};
const cpus = os.cpus();
results.meta = {
  ...(results.meta ?? {}),
  date: new Date().toISOString(),
  node: process.version,
  machine: {
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    arch: os.arch(),
  },
  quick: values.quick,
};
results.meta.scenarios ??= {};

const files = chosen.map((n) => join(dir, `${n}.ts`));
const bundle = values.tsx ? undefined : await bundleScenarios(files);
results.meta.appProcess = values.tsx ? "tsx (sources)" : "node on the esbuild bundle (bench/lib/bundle.ts)";

let failed = 0;
for (const name of chosen) {
  console.log(`\n== ${name}${values.quick ? " (quick)" : ""}`);
  const t0 = Date.now();
  const r = await runScenario(join(dir, `${name}.ts`), values.quick);
  const seconds = Math.round((Date.now() - t0) / 100) / 10;
  if (!r.ok) {
    failed++;
    console.log(`   FAILED after ${seconds} s: ${r.error}`);
    results.meta.scenarios[name] = { date: new Date().toISOString(), seconds, error: r.error.split("\n")[0] };
    continue;
  }
  const { output, usage } = r;
  results[output.key] = output.result;
  for (const [k, v] of Object.entries(output.extra ?? {})) results[k] = v;
  results.meta.scenarios[name] = { date: new Date().toISOString(), seconds, quick: values.quick, appProcess: usage };
  for (const line of output.summary) console.log(`   ${line}`);
  console.log(`   (app process: peak RSS ${usage.peakRssMb} MB, CPU ${usage.cpuMs} ms; scenario ${seconds} s)`);
  writeFileSync(outFile, JSON.stringify(results, null, 2) + "\n");
}
console.log(`\nwrote ${outFile}`);
process.exit(failed ? 1 : 0);

function rank(n: string): number {
  const i = ORDER.indexOf(n);
  return i < 0 ? ORDER.length : i;
}

type Outcome = { ok: true; output: ScenarioOutput; usage: ProcessUsage } | { ok: false; error: string };

function runScenario(file: string, quick: boolean): Promise<Outcome> {
  const [childFile, scenario] = bundle ? [bundle.child, bundle.built.get(file)!] : [join(here, "lib", "scenarioChild.ts"), file];
  return new Promise((resolve) => {
    let got: Outcome | undefined;
    const child = fork(childFile, [scenario, ...(quick ? ["--quick"] : [])], {
      execArgv: bundle ? ["--expose-gc"] : ["--import", "tsx", "--expose-gc"],
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child.on("message", (m: Outcome) => (got = m));
    child.on("exit", (code, signal) => resolve(got ?? { ok: false, error: `scenario process exited (${signal ?? code}) without a result` }));
  });
}
