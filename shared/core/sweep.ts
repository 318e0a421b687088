// The reconcile sweep: level-triggered, like a Kubernetes controller. Events are
// lost, duplicated and never sent for requests from unwatched tenants; the sweep
// lists what is (paged lists only), plans with the same code the event path uses,
// and applies it. It stops before its deadline and resumes where it stopped.
import { randomUUID } from "node:crypto";
import type { ArmClients } from "../arm/clients.js";
import { isWithinScope, parseResourceId } from "../arm/resourceId.js";
import type { AllowListConfig } from "../config/index.js";
import { decodeOwnership } from "../dns/ownership.js";
import { toEndpointInfo, type EndpointInfo } from "../providers/endpoints.js";
import { PROVIDER_TYPES } from "../providers/registry.js";
import { MemoryCursorStore, type CursorStore } from "../store/marks.js";
import type { Autopilot } from "./autopilot.js";
import type { Decision } from "./decision.js";
import { knownKey, type KnownRecordSets } from "./dnsRegistrar.js";

export interface SweepOptions {
  /** Subscriptions whose endpoints to look at; default: every subscription the identity can read. */
  subscriptions?: string[];
  /** Epoch ms to stop by (a Function's timeout minus a margin); default none. */
  deadline?: number;
  dryRun?: boolean;
  runId?: string;
}

export interface SweepReport {
  runId: string;
  decisions: Decision[];
  totals: Record<string, number>;
  /** false: stopped at the deadline; the cursor says where the next run resumes. */
  complete: boolean;
}

const PHASES = ["approvals", "endpoints", "orphans"] as const;
type Phase = (typeof PHASES)[number];

class DeadlineReached extends Error {}

export class Sweeper {
  constructor(
    private readonly autopilot: Autopilot,
    private readonly arm: ArmClients,
    private readonly cursors: CursorStore = new MemoryCursorStore(),
    private readonly now: () => number = Date.now,
  ) {}

  async sweep(opts: SweepOptions = {}): Promise<SweepReport> {
    const resume = await this.cursors.get();
    const runId = opts.runId ?? resume?.runId ?? randomUUID();
    const tag = `sweep:${runId}`;
    const decisions: Decision[] = [];
    const report = (complete: boolean): SweepReport => ({ runId, decisions, totals: totals(decisions), complete });
    const config = this.autopilot.configOrFailClosed(tag, "(sweep)");
    if (!("approval" in config)) return report(false);
    const dryRun = !!opts.dryRun;
    // A dry sweep runs on the core whose write gate writes nothing.
    const autopilot = dryRun ? this.autopilot.dryRunView() : this.autopilot;

    // Units of work per phase, each with a stable key; a resumed run skips what is done.
    let skipping = resume ? { phase: resume.phase as Phase, after: resume.after } : undefined;
    const run = async (phase: Phase, key: string, work: () => Promise<Decision[]>) => {
      if (skipping) {
        if (PHASES.indexOf(phase) < PHASES.indexOf(skipping.phase) || (phase === skipping.phase && key <= skipping.after)) return;
        skipping = undefined;
      }
      if (opts.deadline !== undefined && this.now() >= opts.deadline) {
        throw new DeadlineReached();
      }
      decisions.push(...(await work()));
      if (opts.deadline !== undefined && !dryRun) await this.cursors.set({ phase, after: key, runId });
    };

    try {
      // 1. Provider side: every managed resource's connections (finds requests no event announced).
      for (const target of await this.managedTargets(config)) {
        await run("approvals", target.toLowerCase(), () => autopilot.handleTarget(tag, target, config, dryRun));
      }
      // 2. Consumer side: every endpoint of the watched subscriptions, against the zones as listed.
      const known = await this.listZones(autopilot, config);
      const { endpoints, subscriptions } = await this.listEndpoints(opts.subscriptions);
      for (const pe of endpoints) {
        await run("endpoints", pe.id.toLowerCase(), () => autopilot.reviewListedEndpoint(tag, pe, config, dryRun, known.records));
      }
      // 3. Records whose owner is gone without a delete event reaching us.
      const live = new Set(endpoints.map((e) => e.id.toLowerCase()));
      const watched = new Set(subscriptions.map((s) => s.toLowerCase()));
      for (const [key, owner] of [...known.owners].sort(([a], [b]) => a.localeCompare(b))) {
        if (live.has(key)) continue;
        await run("orphans", key, async () => {
          // Unwatched subscription: the listing cannot tell; ask ARM about this one endpoint.
          const sub = parseResourceId(owner).subscriptionId.toLowerCase();
          if (!watched.has(sub) && (await autopilot.endpoints.getEndpoint(owner).catch(() => "unknown" as const))) return [];
          return autopilot.cleaner.releaseRecords(tag, owner, config, dryRun, "owner endpoint no longer exists");
        });
      }
    } catch (e) {
      if (e instanceof DeadlineReached) return report(false);
      throw e;
    }
    if (!dryRun) await this.cursors.clear();
    return report(true);
  }

  /** Provider resources of the registered types inside managedScopes, via one paged list per type and subscription. */
  private async managedTargets(config: AllowListConfig): Promise<string[]> {
    const subs = [...new Set(config.approval.managedScopes.map((s) => parseResourceId(s).subscriptionId))];
    const out = new Set<string>();
    for (const sub of subs) {
      for (const p of PROVIDER_TYPES) {
        for await (const r of this.arm.generic.list<{ id: string }>(`/subscriptions/${sub}/providers/${p.type}`, p.apiVersion)) {
          if (config.approval.managedScopes.some((s) => isWithinScope(r.id, s))) out.add(r.id);
        }
      }
    }
    return [...out].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
  }

  /** Every endpoint of the watched subscriptions, and which subscriptions those were (their listing is authoritative). */
  private async listEndpoints(subscriptions?: string[]): Promise<{ endpoints: EndpointInfo[]; subscriptions: string[] }> {
    const subs = subscriptions?.length ? subscriptions : await this.allSubscriptions();
    const out: EndpointInfo[] = [];
    for (const sub of subs) {
      for await (const pe of this.arm.networkFor(sub).privateEndpoints.listBySubscription()) out.push(toEndpointInfo(pe));
    }
    return { endpoints: out.sort((a, b) => a.id.toLowerCase().localeCompare(b.id.toLowerCase())), subscriptions: subs };
  }

  private async allSubscriptions(): Promise<string[]> {
    const out: string[] = [];
    for await (const s of this.arm.generic.list<{ subscriptionId: string }>("/subscriptions", "2022-12-01")) out.push(s.subscriptionId);
    return out;
  }

  /** Lists each configured zone once: the known state for planning, the owners for orphan checks, and a fresh ownership index. */
  private async listZones(autopilot: Autopilot, config: AllowListConfig): Promise<{ records: KnownRecordSets; owners: Map<string, string> }> {
    const records: KnownRecordSets = new Map();
    const owners = new Map<string, string>(); // lower-cased id -> id as written
    for (const z of config.dns.zones) {
      const listing = await autopilot.cleaner.indexZone(z);
      for (const { recordName, current } of listing) {
        records.set(knownKey(z.name, recordName), current);
        const own = decodeOwnership(current.metadata);
        if (own) owners.set(own.owner.toLowerCase(), own.owner);
      }
    }
    return { records, owners };
  }
}

function totals(ds: Decision[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const d of ds) {
    const k = d.outcome === "failed" ? `${d.action}:failed` : d.action;
    t[k] = (t[k] ?? 0) + 1;
  }
  return t;
}
