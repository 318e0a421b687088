// What a scenario module (bench/scenarios/*.ts) exports; run.ts runs each in a fresh
// process of its own (the app process), and the scenario starts the emulator in
// another (remoteEmulator.ts).
import { pathToFileURL } from "node:url";

export interface ScenarioOptions {
  /** A smaller, faster variant (smoke run); its figures are not the committed ones. */
  quick?: boolean;
}

export interface ScenarioOutput {
  /** Key in bench/results.json. */
  key: string;
  result: Record<string, unknown>;
  /** Lines for the printed summary. */
  summary: string[];
  /** Further keys the scenario measured on the way (e.g. burst also yields `memory`). */
  extra?: Record<string, Record<string, unknown>>;
}

export type Scenario = (opts: ScenarioOptions) => Promise<ScenarioOutput>;

/** Milliseconds → seconds with one decimal. */
export const secs = (ms: number) => Math.round(ms / 100) / 10;
export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Runs a scenario module started directly (`npx tsx bench/scenarios/x.ts [--quick]`), printing its summary and result. */
export async function runWhenMain(moduleUrl: string, run: Scenario): Promise<void> {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  const out = await run({ quick: process.argv.includes("--quick") });
  console.log(out.summary.join("\n"));
  console.log(JSON.stringify(out.result, null, 2));
}
