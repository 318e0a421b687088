// `privatelink-autopilot report --out report.html`: reads what `pending` and `audit` read
// (the managed connections, the zones' record sets, the audit trail), counts it
// (shared/report/figures.ts) and writes one self-contained page (shared/report/html.ts).
// Read-only: it is given reads (an Autopilot's dry-run view offers them); nothing is written to Azure.
import { readFile } from "node:fs/promises";
import type { AuditEntry, AuditLog } from "../shared/store/audit/index.js";
import type { ArmClients } from "../shared/gateways/arm/clients.js";
import type { AllowListConfig } from "../shared/config/index.js";
import type { PrivateDnsGateway } from "../shared/gateways/privateDns.js";
import { listPending, type PendingReads } from "../shared/autopilot/pending.js";
import { listManagedTargets } from "../shared/autopilot/sweep.js";
import { reportFigures, type ReportConnection, type ReportFigures, type ReportZone } from "../shared/report/figures.js";
import { ResourceInventory } from "../shared/gateways/inventory.js";

export { REPORT_USAGE } from "./usage.js";

/** The reads the report makes besides the listings: what `pending` reads, and a zone's record sets. */
export interface ReportReads extends PendingReads {
  dns: Pick<PrivateDnsGateway, "listRecordSets">;
}

export interface ReportSources {
  /** Its reads: an Autopilot's dry-run view offers them (the field keeps the name the CLI passes). */
  autopilot: ReportReads;
  /** For the listings of the managed provider resources (the sweep's ResourceInventory). */
  arm: ArmClients;
  config: AllowListConfig;
  days: number;
  now?: Date;
  /** The audit trail (Table storage), or entries read from a file; undefined: none. */
  audit?: AuditLog | readonly AuditEntry[];
}

/** Reads every source (each failure becomes a figure, not an abort) and counts. */
export async function gatherReport(src: ReportSources): Promise<ReportFigures> {
  const now = src.now ?? new Date();
  const since = new Date(now.getTime() - src.days * 86_400_000);
  const readErrors: { resource: string; reason: string }[] = [];
  const fail = (resource: string, e: unknown) => readErrors.push({ resource, reason: e instanceof Error ? e.message : String(e) });

  const reads = src.autopilot;
  const { ids, errors } = await listManagedTargets(new ResourceInventory(src.arm), src.config, "report");
  for (const e of errors) if (e.action === "error") readErrors.push({ resource: e.resource, reason: e.reason });
  const connections: ReportConnection[] = [];
  for (const [target, listed] of ids) {
    try {
      for (const c of listed ?? (await reads.connections.listConnections(target))) connections.push({ targetType: c.targetType, status: c.status });
    } catch (e) {
      fail(target, e);
    }
  }

  const zones: ReportZone[] = [];
  for (const z of src.config.dns.zones) {
    try {
      const recordSets: { metadata?: Record<string, string> }[] = [];
      for await (const r of reads.dns.listRecordSets(z.resourceGroupId, z.name)) recordSets.push({ metadata: r.current.metadata });
      zones.push({ zone: z.name, resourceGroupId: z.resourceGroupId, ownerId: z.ownerId ?? src.config.dns.ownerId, recordSets });
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      zones.push({ zone: z.name, resourceGroupId: z.resourceGroupId, error: reason });
      fail(`${z.resourceGroupId}/providers/Microsoft.Network/privateDnsZones/${z.name}`, e);
    }
  }

  let audit: AuditEntry[] | undefined;
  if (Array.isArray(src.audit)) audit = (src.audit as AuditEntry[]).filter((e) => Date.parse(e.time) >= since.getTime());
  else if (src.audit) {
    try {
      audit = await (src.audit as AuditLog).query({ since, limit: 100_000 });
    } catch (e) {
      fail("(audit trail)", e);
    }
  }
  const firstSeen = audit ? firstSeenIn(audit) : undefined;
  const pending = await listPending(
    reads,
    ids.map(([id]) => id),
    src.config,
    { now, ...(firstSeen ? { firstSeen } : {}) },
  );

  return reportFigures({ now, days: src.days, connections, audit, zones, pending, readErrors });
}

/** The oldest leave-pending row per connection: when the app first saw it waiting. */
function firstSeenIn(audit: readonly AuditEntry[]): (id: string) => Promise<Date | undefined> {
  const oldest = new Map<string, number>();
  for (const e of audit) {
    if (e.action !== "leave-pending") continue;
    const t = Date.parse(e.time);
    const k = e.resource.toLowerCase().replace(/\/$/, "");
    if (!Number.isNaN(t) && t < (oldest.get(k) ?? Infinity)) oldest.set(k, t);
  }
  return async (id) => {
    const t = oldest.get(id.toLowerCase().replace(/\/$/, ""));
    return t === undefined ? undefined : new Date(t);
  };
}

/** `audit --json` output: one entry per line; blank lines skipped, a bad line is an error naming it. */
export async function readAuditFile(file: string): Promise<AuditEntry[]> {
  const text = await readFile(file, "utf8");
  const out: AuditEntry[] = [];
  text.split(/\r?\n/).forEach((l, i) => {
    if (!l.trim()) return;
    let e: unknown;
    try {
      e = JSON.parse(l);
    } catch {
      throw new Error(`${file}:${i + 1}: not a JSON line of 'audit --json'`);
    }
    const x = e as Partial<AuditEntry>;
    if (!x || typeof x.time !== "string" || typeof x.resource !== "string" || typeof x.action !== "string" || typeof x.outcome !== "string")
      throw new Error(`${file}:${i + 1}: an audit entry needs time, resource, action and outcome`);
    out.push({ ...x, reason: typeof x.reason === "string" ? x.reason : "" } as AuditEntry);
  });
  return out;
}
