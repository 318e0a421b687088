// One scenario in a fresh process (the app process): `tsx bench/lib/scenarioChild.ts
// <module path> [--quick]`. Sends back the scenario's output and this process's own
// peak RSS and CPU over IPC (or prints them as JSON without a parent).
import { pathToFileURL } from "node:url";
import type { Scenario, ScenarioOutput } from "./scenario.js";
import { processUsage } from "./usage.js";

const [file, ...flags] = process.argv.slice(2);
const mod = (await import(pathToFileURL(file!).href)) as { run: Scenario };
let message: { ok: true; output: ScenarioOutput; usage: ReturnType<typeof processUsage> } | { ok: false; error: string };
try {
  const output = await mod.run({ quick: flags.includes("--quick") });
  message = { ok: true, output, usage: processUsage() };
} catch (e) {
  message = { ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}
if (process.send) await new Promise<void>((r) => process.send!(message, () => r()));
else console.log(JSON.stringify(message, null, 2));
process.exit(message.ok ? 0 : 1);
