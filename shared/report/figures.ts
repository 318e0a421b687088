// The figures of `privatelink-autopilot report`: pure counting over what the CLI already
// reads (the managed connections, the audit trail, the zones' record sets, the pending
// list). The page (html.ts) and the Azure Monitor workbook show the same figures.
import type { AuditEntry } from "../model/auditEntry.js";
import type { PendingRequest } from "../model/pendingRequest.js";
import { decodeOwnership, MANAGER } from "../dns/ownership.js";
import { providerTypeFor } from "../model/providerTypes.js";

export interface ReportConnection {
  targetType: string;
  status?: string;
}

export interface ReportZone {
  zone: string;
  /** /subscriptions/{id}/resourceGroups/{name} */
  resourceGroupId: string;
  /** The owner id (dns.ownerId) this deployment writes in this zone; default the app's name. */
  ownerId?: string;
  /** The zone's A and AAAA record sets with their metadata; undefined when the zone could not be read. */
  recordSets?: { metadata?: Record<string, string> }[];
  error?: string;
}

export interface ReportInputs {
  now: Date;
  /** How many days of decisions to chart. */
  days: number;
  connections: readonly ReportConnection[];
  /** The audit trail since `now - days`; undefined when there is none to read (no storage configured). */
  audit?: readonly AuditEntry[];
  zones: readonly ReportZone[];
  pending: readonly PendingRequest[];
  /** What could not be read (a scope, a zone, the trail): shown with the failures. */
  readErrors: readonly { resource: string; reason: string }[];
}

export const STATES = ["Approved", "Pending", "Rejected", "Disconnected"] as const;
/** Decision kinds charted per day, in this order; any other action counts as "other". */
export const DECISION_KINDS = ["approve", "reject", "leave-pending", "dns", "cleanup", "other"] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

export interface ReportFigures {
  generatedAt: string;
  days: number;
  connections: {
    total: number;
    byState: Record<string, number>;
    /** One row per provider type, most connections first. */
    byProvider: { provider: string; total: number; byState: Record<string, number> }[];
  };
  /** undefined: no audit trail was read. */
  decisions?: {
    /** One entry per UTC day, oldest first, every day of the window present. */
    perDay: { day: string; counts: Record<DecisionKind, number>; failed: number }[];
    total: number;
  };
  zones: { zone: string; resourceGroupId: string; owned: number; claimed: number; claimants: number; foreign: number; error?: string }[];
  /** Longest waiting first; at most PENDING_ROWS. */
  pending: PendingRequest[];
  pendingTotal: number;
  /** Failed decisions from the trail (newest first, at most FAILURE_ROWS) and what could not be read. */
  failures: { time?: string; resource: string; action: string; reason: string }[];
  failuresTotal: number;
}

export const PENDING_ROWS = 25;
export const FAILURE_ROWS = 25;
const DAY_MS = 86_400_000;

export function decisionKind(action: string): DecisionKind {
  const a = action.toLowerCase();
  if (a === "approve" || a === "reject" || a === "leave-pending") return a;
  if (a.startsWith("dns")) return "dns";
  if (a.startsWith("delete") || a.startsWith("cleanup") || a.startsWith("revoke") || a.includes("release")) return "cleanup";
  return "other";
}

function stateOf(status: string | undefined): string {
  const s = STATES.find((x) => x.toLowerCase() === (status ?? "").toLowerCase());
  return s ?? (status ? status : "Unknown");
}

export function reportFigures(input: ReportInputs): ReportFigures {
  const byState: Record<string, number> = {};
  const providers = new Map<string, { provider: string; total: number; byState: Record<string, number> }>();
  for (const c of input.connections) {
    const state = stateOf(c.status);
    byState[state] = (byState[state] ?? 0) + 1;
    const provider = providerTypeFor(c.targetType)?.type ?? c.targetType;
    const row = providers.get(provider.toLowerCase()) ?? { provider, total: 0, byState: {} };
    row.total++;
    row.byState[state] = (row.byState[state] ?? 0) + 1;
    providers.set(provider.toLowerCase(), row);
  }

  const zones = input.zones.map((z) => {
    let owned = 0,
      claimed = 0,
      claimants = 0,
      foreign = 0;
    for (const r of z.recordSets ?? []) {
      const o = decodeOwnership(r.metadata, z.ownerId ?? MANAGER);
      if (!o) {
        foreign++;
        continue;
      }
      owned++;
      if (o.claimants.length) claimed++;
      claimants += o.claimants.length;
    }
    return { zone: z.zone, resourceGroupId: z.resourceGroupId, owned, claimed, claimants, foreign, ...(z.error ? { error: z.error } : {}) };
  });

  const failuresAll = [
    ...input.readErrors.map((e) => ({ resource: e.resource, action: "read", reason: e.reason })),
    ...(input.audit ?? [])
      .filter((e) => e.outcome === "failed" || e.action === "error")
      .sort((a, b) => b.time.localeCompare(a.time))
      .map((e) => ({ time: e.time, resource: e.resource, action: e.action, reason: e.error ? `${e.reason}: ${e.error}` : e.reason })),
  ];

  const age = (p: PendingRequest) => p.ageSeconds ?? -1;
  const pending = [...input.pending].sort((a, b) => age(b) - age(a) || a.connection.localeCompare(b.connection));

  return {
    generatedAt: input.now.toISOString(),
    days: input.days,
    connections: {
      total: input.connections.length,
      byState,
      byProvider: [...providers.values()].sort((a, b) => b.total - a.total || a.provider.localeCompare(b.provider)),
    },
    ...(input.audit ? { decisions: perDay(input.audit, input.now, input.days) } : {}),
    zones,
    pending: pending.slice(0, PENDING_ROWS),
    pendingTotal: pending.length,
    failures: failuresAll.slice(0, FAILURE_ROWS),
    failuresTotal: failuresAll.length,
  };
}

function perDay(audit: readonly AuditEntry[], now: Date, days: number): NonNullable<ReportFigures["decisions"]> {
  const today = Math.floor(now.getTime() / DAY_MS);
  const perDay = Array.from({ length: days }, (_, i) => ({
    day: new Date((today - days + 1 + i) * DAY_MS).toISOString().slice(0, 10),
    counts: Object.fromEntries(DECISION_KINDS.map((k) => [k, 0])) as Record<DecisionKind, number>,
    failed: 0,
  }));
  let total = 0;
  for (const e of audit) {
    const t = Date.parse(e.time);
    if (Number.isNaN(t)) continue;
    const i = Math.floor(t / DAY_MS) - (today - days + 1);
    if (i < 0 || i >= days) continue;
    perDay[i]!.counts[decisionKind(e.action)]++;
    if (e.outcome === "failed") perDay[i]!.failed++;
    total++;
  }
  return { perDay, total };
}
