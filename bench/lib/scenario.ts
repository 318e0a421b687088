// What a scenario module (bench/scenarios/*.ts) exports; run.ts runs each in a fresh
// process of its own (the app process), and the scenario starts the emulator in
// another (remoteEmulator.ts).
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
