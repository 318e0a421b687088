// `privatelink-autopilot audit`: reads the audit trail from the app's table.
//
//   privatelink-autopilot audit [--since <ISO time | 30m | 24h | 7d>] [--resource <id>]
//     [--action <action>] [--limit N] [--json] [--connection-string <cs>]
//
// Storage: --connection-string, else the Functions host settings
// (`AzureWebJobsStorage`, or `AzureWebJobsStorage__accountName` with the Azure
// credential chain, e.g. `az login`). Table: privatelinkautopilot.
// Exit codes: 0 (also when nothing matches), 1 storage unreachable or refusing,
// 2 usage (thrown as UsageError; runCli prints the usage).
import { parseArgs } from "node:util";
import type { TableClient } from "@azure/data-tables";
import { DefaultAzureCredential } from "@azure/identity";
import { TableAuditLog, type AuditEntry, type AuditQuery } from "../shared/store/audit/index.js";
import { tryParseResourceId } from "../shared/model/resourceId.js";
import { APP_TABLE } from "../shared/runtime/settings.js";
import { statusOf, tableClient, tableClientFromSettings, tableErrorCode } from "../shared/store/tables.js";
import { UsageError, type CliIo } from "./io.js";

export { AUDIT_USAGE } from "./usage.js";

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `30m`, `24h`, `7d`, `2w`, `90s` before `now`, or an ISO date / date-time. */
export function parseSince(s: string, now: Date = new Date()): Date {
  const rel = /^(\d+)\s*([smhdw])$/i.exec(s.trim());
  if (rel) return new Date(now.getTime() - Number(rel[1]) * UNITS[rel[2]!.toLowerCase()]!);
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.test(s.trim())) {
    const d = new Date(s.trim());
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new UsageError(`--since: expected an ISO time (2025-06-01T12:00:00Z) or a duration like 30m, 24h, 7d; got '${s}'`);
}

export async function runAudit(args: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        since: { type: "string" },
        resource: { type: "string" },
        action: { type: "string" },
        limit: { type: "string" },
        json: { type: "boolean" },
        "connection-string": { type: "string" },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError(`audit: ${(e as Error).message}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length) throw new UsageError(`audit: unexpected argument '${positionals[0]}'`);
  const q: AuditQuery = {};
  if (values.since !== undefined) q.since = parseSince(values.since);
  if (values.resource !== undefined) {
    if (!values.resource.trim()) throw new UsageError("audit: --resource needs a resource id");
    q.resource = values.resource.trim();
  }
  if (values.action !== undefined) {
    if (!values.action.trim()) throw new UsageError("audit: --action needs an action (approve, dns-create, ...)");
    q.action = values.action.trim();
  }
  if (values.limit !== undefined) {
    if (!/^\d+$/.test(values.limit.trim()) || Number(values.limit) < 1)
      throw new UsageError(`audit: --limit must be a positive whole number, not '${values.limit}'`);
    q.limit = Number(values.limit);
  }

  const client = openClient(values["connection-string"], env);
  let entries: AuditEntry[];
  try {
    entries = await new TableAuditLog(client).query(q);
  } catch (e) {
    io.err(`error: cannot read the audit trail from table ${APP_TABLE} at ${client.url}: ${describe(e)}`);
    return 1;
  }

  if (values.json) {
    for (const e of entries) io.out(JSON.stringify(e));
    return 0;
  }
  if (entries.length === 0) {
    io.err("no audit entries match");
    return 0;
  }
  for (const l of formatTable(entries)) io.out(l);
  return 0;
}

function openClient(cs: string | undefined, env: NodeJS.ProcessEnv): TableClient {
  // A refused connection is retried by the SDK with back-off; a CLI should say so quickly.
  const retryOptions = { maxRetries: 1, retryDelayInMs: 200, maxRetryDelayInMs: 1_000 };
  try {
    if (cs !== undefined) {
      if (!cs.trim()) throw new UsageError("audit: --connection-string is empty");
      return tableClient(cs, APP_TABLE, { retryOptions });
    }
    if (env.AzureWebJobsStorage?.trim()) return tableClient(env.AzureWebJobsStorage, APP_TABLE, { retryOptions });
    return tableClientFromSettings(env, APP_TABLE, (clientId) => new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {}));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // No settings, or a connection string the SDK cannot parse: an argument problem.
    throw new UsageError(`audit: no usable storage connection (${(e as Error).message}); pass --connection-string or set AzureWebJobsStorage`);
  }
}

/** A one-line reason, never the connection string. */
function describe(e: unknown): string {
  const status = statusOf(e);
  const code = tableErrorCode(e) ?? (e as { code?: unknown })?.code;
  const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0]!.trim();
  const bits = [status ? `HTTP ${status}` : undefined, typeof code === "string" ? code : undefined].filter(Boolean).join(" ");
  const hint =
    status === 403 || code === "AuthorizationFailure" || code === "AuthenticationFailed"
      ? " (check the account key, or the identity's 'Storage Table Data Reader' role)"
      : status === undefined
        ? " (is the storage account reachable? Azurite running?)"
        : "";
  return `${bits ? `${bits}: ` : ""}${msg || "unknown error"}${hint}`;
}

// ---------------------------------------------------------------------------
// Table output.

const HEADER = ["TIME", "ACTION", "OUTCOME", "RESOURCE", "RULE / REASON"] as const;
const MAX_RESOURCE = 60;
const MAX_REASON = 160;

export function formatTable(entries: AuditEntry[]): string[] {
  const rows = entries.map((e) => [displayTime(e.time), e.action, e.outcome, shortResource(e.resource), ruleReason(e)]);
  const widths = HEADER.slice(0, -1).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i < widths.length ? c.padEnd(widths[i]!) : c))
      .join("  ")
      .trimEnd();
  return [line(HEADER), ...rows.map(line)];
}

function displayTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * `rg/name[/child]` for ARM ids (the action says what kind it is; --json has the
 * full id), anything else as given; long ones cut in the middle.
 */
export function shortResource(id: string): string {
  const p = tryParseResourceId(id);
  let s = id;
  if (p && p.segments.length) s = [p.resourceGroup ?? p.subscriptionId, ...p.segments.map((x) => x.name)].join("/");
  else if (p) s = p.resourceGroup ? `${p.subscriptionId}/${p.resourceGroup}` : p.subscriptionId;
  return middle(oneLine(s), MAX_RESOURCE);
}

function ruleReason(e: AuditEntry): string {
  let s = e.rule ? `[${e.rule}] ${e.reason}` : e.reason;
  if (e.zone && e.record) s += ` (${e.record}.${e.zone}${e.ips?.length ? ` A ${e.ips.join(", ")}` : ""})`;
  if (e.error) s += ` — error: ${e.error}`;
  s = oneLine(s);
  return s.length > MAX_REASON ? s.slice(0, MAX_REASON - 1) + "…" : s;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

function middle(s: string, max: number): string {
  if (s.length <= max) return s;
  const head = Math.ceil((max - 1) / 2);
  return s.slice(0, head) + "…" + s.slice(s.length - (max - 1 - head));
}
