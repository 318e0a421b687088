// The CLI commands that run the core (explain, pending, report, replay, reconcile): against
// real Azure with the Function's own settings, or against the embedded emulator loaded with an
// estate file. Loaded by cli/main.ts only when one of them runs (the Azure SDKs take seconds
// to import).
import { readFile, writeFile } from "node:fs/promises";
import { formatProblem } from "../shared/config/index.js";
import { loadConfigFile } from "../shared/config/sources/files.js";
import { Autopilot } from "../shared/autopilot/autopilot.js";
import type { Decision, Logger } from "../shared/model/decision.js";
import type { Estate } from "../sandbox/estate.js";
import { startLocalArm } from "../sandbox/localArm.js";
import type { ArmClients } from "../shared/gateways/arm/clients.js";
import { listManagedTargets, type SweepReport } from "../shared/autopilot/sweep.js";
import { Runtime } from "../shared/runtime/runtime.js";
import { readSettings } from "../shared/runtime/settings.js";
import { one, parse, UsageError, type CliIo } from "./io.js";
import { listPending, type PendingRequest } from "../shared/autopilot/pending.js";
import { TableAuditLog } from "../shared/store/audit/index.js";
import { tableClient, tableClientFromSettings } from "../shared/store/tables.js";
import { APP_TABLE } from "../shared/runtime/settings.js";
import { DefaultAzureCredential } from "@azure/identity";
import { gatherReport, readAuditFile } from "./report.js";
import { renderReport } from "../shared/report/html.js";
import { ResourceInventory } from "../shared/gateways/inventory.js";

export async function explain(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    config: { type: "string" },
    estate: { type: "string" },
    json: { type: "boolean" },
    verbose: { type: "boolean" },
  });
  const id = one(positionals, "<connection-or-endpoint-id>");
  const print = async (autopilot: Autopilot) => {
    const decisions = await autopilot.explain(id);
    for (const d of decisions) io.out(values.json ? JSON.stringify(line(d)) : human(d));
    return decisions.some((d) => d.action === "error") ? 1 : 0;
  };
  if (!values.config) throw new UsageError("--config is required");
  // Without --estate: live Azure, the credential chain `reconcile` uses; explain plans on a core whose write gate writes nothing.
  if (!values.estate) return print((await liveRuntime(values.config, true).autopilot(cliLogger(io, !!values.verbose))).dryRunView());
  return withSandbox(sandboxPaths(values), io, false, print, !!values.verbose);
}

/** The Function's own settings (AZURE_ARM_ENDPOINT, the credential chain, ...), with this allow-list. */
function liveRuntime(config: string, dryRun: boolean, subscriptions?: string[]): Runtime {
  const env = { ...process.env, AUTOPILOT_ALLOW_LIST_PATH: config, AUTOPILOT_ALLOW_LIST_URL: "", ...(dryRun ? { AUTOPILOT_DRY_RUN: "true" } : {}) };
  return new Runtime({ ...readSettings(env), ...(subscriptions ? { subscriptions } : {}) });
}

export async function pending(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    config: { type: "string" },
    estate: { type: "string" },
    json: { type: "boolean" },
    verbose: { type: "boolean" },
    "connection-string": { type: "string" },
  });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (!values.config) throw new UsageError("--config is required");
  const firstSeen = firstSeenFromAudit(values["connection-string"]);
  const print = async (autopilot: Autopilot, arm: ArmClients) => {
    const config = autopilot.configOrFailClosed("pending", "(pending)");
    if (!("approval" in config)) {
      io.err(`error: ${config.reason}`);
      return 1;
    }
    const { ids, errors } = await listManagedTargets(new ResourceInventory(arm), config, "pending");
    for (const e of errors) io.err(`${e.action === "error" ? "error" : "note"}: ${e.resource}: ${e.reason}`);
    const list = await listPending(
      autopilot.dryRunView(),
      ids.map(([id]) => id),
      config,
      { firstSeen },
    );
    if (values.json) for (const p of list) io.out(JSON.stringify(p));
    else if (list.length === 0) io.out("no connection is waiting for a human in the managed scopes");
    else for (const p of list) io.out(humanPending(p));
    return errors.some((e) => e.action === "error") ? 1 : 0;
  };
  if (!values.estate) {
    const rt = liveRuntime(values.config, true);
    return print((await rt.autopilot(cliLogger(io, !!values.verbose))).dryRunView(), rt.arm);
  }
  return withSandbox(sandboxPaths(values), io, true, (autopilot, _log, _snap, arm) => print(autopilot, arm), !!values.verbose);
}

export async function report(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    config: { type: "string" },
    estate: { type: "string" },
    out: { type: "string" },
    days: { type: "string" },
    "audit-file": { type: "string" },
    "connection-string": { type: "string" },
    json: { type: "boolean" },
    verbose: { type: "boolean" },
  });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (!values.config) throw new UsageError("--config is required");
  if (!values.out && !values.json) throw new UsageError("--out <report.html> (or --json) is required");
  if (values["audit-file"] && values["connection-string"]) throw new UsageError("--audit-file and --connection-string are two sources of one trail: give one");
  const days = values.days === undefined ? 14 : Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 90) throw new UsageError(`--days must be a whole number from 1 to 90, not '${values.days}'`);
  const audit = values["audit-file"] ? await readAuditFile(values["audit-file"]) : auditFromSettings(values["connection-string"]);
  const write = async (autopilot: Autopilot, arm: ArmClients) => {
    const config = autopilot.configOrFailClosed("report", "(report)");
    if (!("approval" in config)) {
      io.err(`error: ${config.reason}`);
      return 1;
    }
    const figures = await gatherReport({ autopilot: autopilot.dryRunView(), arm, config, days, ...(audit ? { audit } : {}) });
    if (values.out) {
      await writeFile(values.out, renderReport(figures));
      io.err(`wrote ${values.out}: ${figures.connections.total} connection(s), ${figures.pendingTotal} pending, ${figures.failuresTotal} failure(s)`);
    }
    if (values.json) io.out(JSON.stringify(figures));
    return 0;
  };
  if (!values.estate) {
    const rt = liveRuntime(values.config, true);
    return write(await rt.autopilot(cliLogger(io, !!values.verbose)), rt.arm);
  }
  return withSandbox(sandboxPaths(values), io, true, (autopilot, _log, _snap, arm) => write(autopilot, arm), !!values.verbose);
}

/** The app's audit table from its storage settings (or --connection-string); undefined when none is configured. */
function auditFromSettings(connectionString: string | undefined): TableAuditLog | undefined {
  const env = connectionString ? { ...process.env, AzureWebJobsStorage: connectionString } : process.env;
  if (!env.AzureWebJobsStorage?.trim() && !env.AzureWebJobsStorage__accountName?.trim() && !env.AzureWebJobsStorage__tableServiceUri?.trim()) return undefined;
  return new TableAuditLog(
    tableClientFromSettings(env, APP_TABLE, (clientId) => new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {})),
  );
}

/** The audit trail's oldest leave-pending row for a connection: when the app first saw it waiting. Without storage, no ages. */
function firstSeenFromAudit(connectionString: string | undefined): ((id: string) => Promise<Date | undefined>) | undefined {
  const env = connectionString ? { ...process.env, AzureWebJobsStorage: connectionString } : process.env;
  if (!env.AzureWebJobsStorage?.trim() && !env.AzureWebJobsStorage__accountName?.trim() && !env.AzureWebJobsStorage__tableServiceUri?.trim()) return undefined;
  const audit = new TableAuditLog(
    tableClientFromSettings(env, APP_TABLE, (clientId) => new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {})),
  );
  return async (id) => {
    const rows = await audit.query({ resource: id, action: "leave-pending", since: new Date(Date.now() - 90 * 86_400_000) });
    const oldest = rows
      .map((r) => Date.parse(r.time))
      .filter((t) => !Number.isNaN(t))
      .sort((a, b) => a - b)[0];
    return oldest === undefined ? undefined : new Date(oldest);
  };
}

function humanPending(p: PendingRequest): string {
  const age = p.ageSeconds === undefined ? "age unknown (no audit trail)" : `waiting ${formatAge(p.ageSeconds)} (first seen ${p.firstSeen})`;
  const lines = [`PENDING ${p.connection}`, `  requester: ${p.requester ?? "(none named)"}`, `  ${age}`];
  if (p.message) lines.push(`  message: ${JSON.stringify(p.message.slice(0, 200))}`);
  lines.push(`  closest rule: ${p.closestRule ?? "(none)"}`, `  why not: ${p.why}`);
  if (p.plan !== "leave-pending") lines.push(`  next sweep: ${p.plan}`);
  return lines.join("\n");
}

function formatAge(s: number): string {
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

export async function replay(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    config: { type: "string" },
    estate: { type: "string" },
    "state-out": { type: "string" },
    "dry-run": { type: "boolean" },
    verbose: { type: "boolean" },
  });
  const file = one(positionals, "<events.json>");
  const paths = sandboxPaths(values);
  const body = await readJson(file, "events file");
  const events: unknown[] = Array.isArray(body) ? body : [body];
  return withSandboxRuntime(
    paths,
    io,
    { dryRun: !!values["dry-run"] },
    async (rt, log, snapshot) => {
      let errored = false;
      // The Function's pipeline: a repeated event id is a duplicate (the runtime's ledger).
      for (const raw of events) {
        for (const d of await rt.handleEvent(raw, log)) {
          io.out(JSON.stringify(line(d)));
          if (d.action === "error" || d.outcome === "failed") errored = true;
        }
      }
      if (values["state-out"]) await writeFile(values["state-out"], JSON.stringify(snapshot(), null, 2) + "\n");
      return errored ? 1 : 0;
    },
    !!values.verbose,
  );
}

export async function reconcile(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    config: { type: "string" },
    estate: { type: "string" },
    "state-out": { type: "string" },
    subscriptions: { type: "string" },
    "connection-string": { type: "string" },
    "dry-run": { type: "boolean" },
    verbose: { type: "boolean" },
  });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (!values.config) throw new UsageError("--config is required");
  if (values["connection-string"] && !values.estate)
    throw new UsageError("--connection-string goes with --estate (against Azure the app's own settings apply)");
  const subscriptions = values.subscriptions
    ?.split(",")
    .map((x) => x.trim())
    .filter(Boolean);
  const print = (r: SweepReport) => {
    for (const d of r.decisions) io.out(JSON.stringify(line(d)));
    io.out(JSON.stringify({ runId: r.runId, complete: r.complete, totals: r.totals }));
    return r.decisions.some((d) => d.outcome === "failed") ? 1 : 0;
  };
  if (!values.estate) {
    // Real Azure: the same settings the Function reads, with this allow-list.
    const rt = liveRuntime(values.config, false, subscriptions);
    return print(await rt.sweep(cliLogger(io, !!values.verbose), { dryRun: !!values["dry-run"] }));
  }
  // The emulator: the timer's sweep, audited like it (to the table of --connection-string, else in memory).
  const connectionString = values["connection-string"];
  return withSandboxRuntime(
    { config: values.config, estate: values.estate },
    io,
    { dryRun: !!values["dry-run"], subscriptions, connectionString },
    async (rt, log, snapshot) => {
      const report = await rt.sweep(log, { dryRun: !!values["dry-run"] });
      const code = print(report);
      if (connectionString) io.err(`audit trail: the sweep's decisions are in table ${APP_TABLE} (privatelink-autopilot audit --connection-string ...)`);
      if (values["state-out"]) await writeFile(values["state-out"], JSON.stringify(snapshot(), null, 2) + "\n");
      return code;
    },
    !!values.verbose,
  );
}

type SandboxBody = (autopilot: Autopilot, log: Logger, snapshot: () => Estate, arm: ArmClients) => Promise<number>;

function cliLogger(io: CliIo, verbose: boolean): Logger {
  return {
    debug: (m) => verbose && io.err(`debug: ${m}`),
    info: (m) => verbose && io.err(`info: ${m}`),
    warn: (m) => io.err(`warn: ${m}`),
    error: (m) => io.err(`error: ${m}`),
  };
}

function sandboxPaths(values: { config?: string; estate?: string }): { config: string; estate: string } {
  if (!values.config) throw new UsageError("--config is required");
  if (!values.estate) throw new UsageError("--estate is required");
  return { config: values.config, estate: values.estate };
}

/** The allow-list (its problems said on stderr) and the emulator loaded with the estate file. */
async function loadSandbox(values: { config: string; estate: string }, io: CliIo) {
  const config = await loadConfigFile(values.config);
  if (!config.ok) for (const p of config.problems) io.err(`allow-list problem: ${formatProblem(p)}`);
  const estate = (await readJson(values.estate, "estate file")) as Estate;
  if (!estate || !Array.isArray(estate.resources)) throw new Error(`${values.estate}: an estate file is {"resources": [...]}`);
  return { config, local: await startLocalArm(estate, { throttle: false }) };
}

async function withSandbox(values: { config: string; estate: string }, io: CliIo, dryRun: boolean, body: SandboxBody, verbose = false): Promise<number> {
  const log = cliLogger(io, verbose);
  const { config, local } = await loadSandbox(values, io);
  try {
    const autopilot = new Autopilot({ arm: local.arm, config, log, dryRun });
    return await body(autopilot, log, () => local.emulator.snapshot(), local.arm);
  } finally {
    await local.close();
  }
}

/**
 * The Function's Runtime on the emulator loaded with an estate: the same pipeline and stores
 * (the app table of `connectionString`, else in memory), this allow-list.
 */
async function withSandboxRuntime(
  values: { config: string; estate: string },
  io: CliIo,
  opts: { dryRun: boolean; subscriptions?: string[]; connectionString?: string },
  body: (rt: Runtime, log: Logger, snapshot: () => Estate) => Promise<number>,
  verbose = false,
): Promise<number> {
  const log = cliLogger(io, verbose);
  const { local } = await loadSandbox(values, io);
  try {
    const rt = new Runtime({
      allowListPath: values.config,
      dryRun: opts.dryRun,
      identity: {},
      arm: local.arm.settings,
      ...(opts.subscriptions ? { subscriptions: opts.subscriptions } : {}),
      ...(opts.connectionString ? { table: tableClient(opts.connectionString, APP_TABLE) } : {}),
    });
    return await body(rt, log, () => local.emulator.snapshot());
  } finally {
    await local.close();
  }
}

/** The replay/explain line: stable keys first, as documented in the README. */
function line(d: Decision) {
  return {
    event: d.event,
    action: d.action,
    resource: d.resource,
    reason: d.reason,
    rule: d.rule ?? null,
    outcome: d.outcome,
    ...(d.dns
      ? { zone: d.dns.zone, record: d.dns.record, ips: d.dns.ips, ttl: d.dns.ttl, owner: d.dns.owner, ...(d.dns.heldBy ? { heldBy: d.dns.heldBy } : {}) }
      : {}),
    ...(d.error ? { error: d.error } : {}),
  };
}

function human(d: Decision): string {
  const dns = d.dns?.zone ? `\n  record: ${d.dns.record}.${d.dns.zone} A ${(d.dns.ips ?? []).join(", ")}${d.dns.ttl ? ` ttl ${d.dns.ttl}` : ""}` : "";
  return `${d.action.toUpperCase()} ${d.resource}\n  why: ${d.reason}${d.rule ? `\n  rule: ${d.rule}` : ""}${dns}`;
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new Error(`cannot read ${what} ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} ${file} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}
