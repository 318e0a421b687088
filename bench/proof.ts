// The long safety proof: `npm run proof -- --runs 10000 [--seed 20261201] [--workers 2] [--out file.json]`;
// `npm run proof -- --estate 2193` replays one estate of the seeded sequence (its model and violations).
// Runs that many random estates (test/property/model.ts) through the real app and SDK
// clients against the in-process emulator, each in a clean and a chaotic order and
// swept twice, judged by the independent oracle (test/property/oracle.ts); prints the
// violations per kind, and for each kind found a shrunk, minimal reproducing estate.
import { fork } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { estateArb, type EstateModel } from "../test/property/model.js";
import { VIOLATION_KINDS, type Violation, type ViolationKind } from "../test/property/oracle.js";
import { runEstate, startProofArm } from "../test/property/run.js";

interface Args {
  runs: number;
  seed: number;
  workers: number;
  out?: string;
  worker?: number;
  /** Replay only this estate (its index in the seeded sequence). */
  estate?: number;
  shrink: boolean;
}

function args(argv: string[]): Args {
  const a: Args = { runs: 10_000, seed: 20261201, workers: 1, shrink: true };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (argv[i] === "--runs") {
      a.runs = Number(v);
      i++;
    } else if (argv[i] === "--seed") {
      a.seed = Number(v);
      i++;
    } else if (argv[i] === "--workers") {
      a.workers = Math.max(1, Number(v));
      i++;
    } else if (argv[i] === "--out") {
      a.out = v;
      i++;
    } else if (argv[i] === "--worker") {
      a.worker = Number(v);
      i++;
    } else if (argv[i] === "--estate") {
      a.estate = Number(v);
      i++;
    } else if (argv[i] === "--no-shrink") a.shrink = false;
  }
  return a;
}

interface Tally {
  estates: number;
  events: number;
  armCalls: number;
  /** Estates with at least one violation of the kind. */
  estatesWith: Record<string, number>;
  /** All violations of the kind. */
  occurrences: Record<string, number>;
  /** First estate index (in the seeded sequence) per kind. */
  firstIndex: Record<string, number>;
  firstDetail: Record<string, string>;
}

const emptyTally = (): Tally => ({ estates: 0, events: 0, armCalls: 0, estatesWith: {}, occurrences: {}, firstIndex: {}, firstDetail: {} });

/** Estates i with i % workers === worker, in the seeded sequence. */
async function runShare(a: Args, worker: number, onProgress?: (t: Tally) => void): Promise<Tally> {
  const models = fc.sample(estateArb, { numRuns: a.runs, seed: a.seed });
  const local = await startProofArm();
  const t = emptyTally();
  try {
    for (let i = worker; i < models.length; i += a.workers) {
      const r = await runEstate(local, models[i]!);
      t.estates++;
      t.events += r.events;
      t.armCalls += r.armCalls;
      const kinds = new Set<string>();
      for (const v of r.violations) {
        t.occurrences[v.kind] = (t.occurrences[v.kind] ?? 0) + 1;
        if (!kinds.has(v.kind) && t.firstIndex[v.kind] === undefined) {
          t.firstIndex[v.kind] = i;
          t.firstDetail[v.kind] = `${v.order ?? ""} ${v.step ?? ""}: ${v.detail}`.slice(0, 600);
        }
        kinds.add(v.kind);
      }
      for (const k of kinds) t.estatesWith[k] = (t.estatesWith[k] ?? 0) + 1;
      if (onProgress && t.estates % 100 === 0) onProgress(t);
    }
  } finally {
    await local.close();
  }
  return t;
}

function merge(ts: Tally[]): Tally {
  const out = emptyTally();
  for (const t of ts) {
    out.estates += t.estates;
    out.events += t.events;
    out.armCalls += t.armCalls;
    for (const [k, v] of Object.entries(t.estatesWith)) out.estatesWith[k] = (out.estatesWith[k] ?? 0) + v;
    for (const [k, v] of Object.entries(t.occurrences)) out.occurrences[k] = (out.occurrences[k] ?? 0) + v;
    for (const [k, v] of Object.entries(t.firstIndex)) {
      if (out.firstIndex[k] === undefined || v < out.firstIndex[k]) {
        out.firstIndex[k] = v;
        out.firstDetail[k] = t.firstDetail[k]!;
      }
    }
  }
  return out;
}

/** Shrinks the first failing estate of one kind to a minimal one (fast-check replays the same run by seed and path). */
async function shrink(a: Args, kind: ViolationKind, index: number): Promise<{ model: EstateModel; violations: Violation[] } | undefined> {
  const local = await startProofArm();
  try {
    const r = await fc.check(
      fc.asyncProperty(estateArb, async (m) => !(await runEstate(local, m)).violations.some((v) => v.kind === kind)),
      { seed: a.seed, path: String(index), numRuns: a.runs },
    );
    if (!r.failed || !r.counterexample) return undefined;
    const model = r.counterexample[0];
    return { model, violations: (await runEstate(local, model)).violations.filter((v) => v.kind === kind) };
  } finally {
    await local.close();
  }
}

/** One estate of the seeded sequence: its model and what the oracle says about it. */
async function replayOne(a: Args, index: number): Promise<void> {
  const model = fc.sample(estateArb, { numRuns: index + 1, seed: a.seed })[index]!;
  const local = await startProofArm();
  try {
    const r = await runEstate(local, model);
    console.log(`estate #${index} (seed ${a.seed}): ${JSON.stringify(model)}`);
    for (const v of r.violations) console.log(`  ${v.kind} [${v.order ?? ""} ${v.step ?? ""}] ${v.detail}`);
    console.log(r.violations.length ? `${r.violations.length} violation(s).` : "0 violations.");
    process.exitCode = r.violations.length ? 1 : 0;
  } finally {
    await local.close();
  }
}

async function main(): Promise<void> {
  const a = args(process.argv.slice(2));
  if (a.estate !== undefined) return replayOne(a, a.estate);
  if (a.worker !== undefined) {
    const t = await runShare(a, a.worker, (p) => process.send?.({ progress: p }));
    process.send?.({ done: t });
    return;
  }
  const started = Date.now();
  const cpu0 = process.cpuUsage();
  console.log(`safety proof: ${a.runs} estates, seed ${a.seed}, ${a.workers} worker(s)`);
  let tally: Tally;
  if (a.workers === 1) {
    tally = await runShare(a, 0, (p) =>
      console.log(`  ${p.estates} estates, ${((Date.now() - started) / 1000).toFixed(0)} s; violations so far: ${JSON.stringify(p.estatesWith)}`),
    );
  } else {
    const partial = new Array<Tally | undefined>(a.workers);
    const self = fileURLToPath(import.meta.url);
    tally = merge(
      await Promise.all(
        Array.from(
          { length: a.workers },
          (_, k) =>
            new Promise<Tally>((resolve, reject) => {
              const child = fork(self, [...process.argv.slice(2), "--worker", String(k)], { execArgv: ["--import", "tsx"] });
              child.on("message", (m: any) => {
                if (m.progress) {
                  partial[k] = m.progress;
                  const sum = merge(partial.filter((x): x is Tally => !!x));
                  console.log(
                    `  ${sum.estates} estates, ${((Date.now() - started) / 1000).toFixed(0)} s; violations so far: ${JSON.stringify(sum.estatesWith)}`,
                  );
                  if (a.out)
                    writeFileSync(
                      `${a.out}.partial`,
                      JSON.stringify({ runs: a.runs, seed: a.seed, seconds: (Date.now() - started) / 1000, tally: sum }, null, 2),
                    );
                }
                if (m.done) resolve(m.done);
              });
              child.on("exit", (code) => (code ? reject(new Error(`worker ${k} exited with ${code}`)) : undefined));
            }),
        ),
      ),
    );
  }
  const seconds = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}, load average at end ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")}`;
  console.log(`\nestates: ${tally.estates} (each: clean order + 2 sweeps, chaotic order + 2 sweeps)`);
  console.log(`events replayed (clean order): ${tally.events}; ARM calls through the SDK: ${tally.armCalls}`);
  console.log(`run time: ${seconds.toFixed(0)} s wall${a.workers === 1 ? `, ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s CPU` : ""}; machine: ${machine}`);
  console.log(`\nviolations per kind (estates with it / occurrences):`);
  for (const k of VIOLATION_KINDS) console.log(`  ${k.padEnd(34)} ${String(tally.estatesWith[k] ?? 0).padStart(6)} / ${tally.occurrences[k] ?? 0}`);
  const found = VIOLATION_KINDS.filter((k) => tally.estatesWith[k]);
  const minimal: Record<string, unknown> = {};
  for (const k of found) {
    console.log(`\n--- ${k}: first at estate #${tally.firstIndex[k]}: ${tally.firstDetail[k]}`);
    if (!a.shrink) continue;
    const s = await shrink(a, k, tally.firstIndex[k]!);
    if (!s) {
      console.log("  (could not replay it for shrinking)");
      continue;
    }
    minimal[k] = s;
    console.log(`  minimal estate: ${JSON.stringify(s.model)}`);
    for (const v of s.violations.slice(0, 3)) console.log(`  → [${v.order ?? ""} ${v.step ?? ""}] ${v.detail.slice(0, 400)}`);
  }
  if (a.out) writeFileSync(a.out, JSON.stringify({ runs: a.runs, seed: a.seed, seconds, machine, tally, minimal }, null, 2));
  console.log(found.length ? `\n${found.length} kind(s) of violation found.` : "\n0 violations of every kind.");
  process.exitCode = found.length ? 1 : 0;
}

await main();
