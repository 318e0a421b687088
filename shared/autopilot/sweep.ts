// The reconcile sweep: level-triggered, like a Kubernetes controller. Events are
// lost, duplicated and never sent for requests from unwatched tenants; the sweep
// lists what is (paged lists only), plans with the same code the event path uses,
// and applies it. It stops before its deadline and resumes where it stopped.
import { randomUUID } from "node:crypto";
import { errorCode, httpStatus } from "../gateways/arm/errors.js";
import { parseResourceId } from "../model/resourceId.js";
import { isManaged } from "../approval/rules.js";
import type { AllowListConfig, DnsZoneConfig } from "../config/index.js";
import { decodeOwnership } from "../dns/ownership.js";
import type { ResourceInventory } from "../gateways/inventory.js";
import { PROVIDER_TYPES } from "../model/providerTypes.js";
import { MemoryCursorStore, type CursorStore } from "../store/marks.js";
import { MemoryRefusals, type RefusalMemory } from "../store/refusals.js";
import { isDead, StoppedAtDeadline, type TargetLimits } from "./autopilot.js";
import { decision, ignored, type Decision } from "../model/decision.js";
import { errorMessage } from "../util/errorMessage.js";
import { nameWriteRun } from "../gateways/writeGate.js";
import type { KnownRecordSets } from "../dns/registrar.js";
import { recordSetKey, type ListedRecordSet } from "../model/recordSet.js";
import type { ConnectionInfo } from "../model/connection.js";
import type { EndpointInfo } from "../model/endpoint.js";

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
  /** false: stopped at the deadline (or by `error`); the cursor says where the next run resumes. */
  complete: boolean;
  /** Why the sweep stopped early, when it was not the deadline (its decisions so far are still reported). */
  error?: string;
}

/**
 * What the sweep asks of the core (an Autopilot is one): the event path's own handlers,
 * releasing the records of an owner that is gone, and listing a zone (which rebuilds the
 * zone's ownership index). Every listing goes through the ResourceInventory; the sweep
 * reaches into none of the core's gateways, cleaner or registrar.
 */
export interface SweepCore {
  configOrFailClosed(tag: string, resource: string): AllowListConfig | Decision;
  /** The same core with a write gate that writes nothing (a dry sweep). */
  dryRunView(): SweepCore;
  handleTarget(
    tag: string,
    targetId: string,
    config: AllowListConfig,
    dryRun: boolean,
    focusId?: string,
    listed?: ConnectionInfo[],
    limits?: TargetLimits,
  ): Promise<Decision[]>;
  reviewListedEndpoint(tag: string, pe: EndpointInfo, config: AllowListConfig, dryRun: boolean, known: KnownRecordSets): Promise<Decision[]>;
  releaseGoneEndpoint(tag: string, endpointId: string, config: AllowListConfig, dryRun: boolean): Promise<Decision[]>;
  indexZone(zone: DnsZoneConfig): Promise<ListedRecordSet[]>;
  /** Writes of earlier runs whose answer or audit row was lost (inside a WriteJournal only). */
  recoverLostWrites(tag: string): Promise<Decision[]>;
}

const PHASES = ["approvals", "endpoints", "dead-endpoints", "orphans"] as const;
type Phase = (typeof PHASES)[number];

class DeadlineReached extends Error {}

/** How long an unregistered provider namespace is skipped ("until the next day"). */
export const UNREGISTERED_SKIP_MS = 24 * 3600_000;

export class Sweeper {
  constructor(
    private readonly autopilot: SweepCore,
    /** Every listing the sweep makes, and its fresh reads of listed endpoints. */
    private readonly inventory: ResourceInventory,
    private readonly cursors: CursorStore = new MemoryCursorStore(),
    private readonly now: () => number = Date.now,
    private readonly refusals: RefusalMemory = new MemoryRefusals(),
  ) {}

  async sweep(opts: SweepOptions = {}): Promise<SweepReport> {
    const resume = await this.cursors.get();
    const runId = opts.runId ?? resume?.runId ?? randomUUID();
    const tag = `sweep:${runId}`;
    // Its writes' intents carry the run id: a resumed run takes its own over at once, others' only after the lease.
    if (!opts.dryRun) nameWriteRun(tag);
    const decisions: Decision[] = [];
    const report = (complete: boolean): SweepReport => ({ runId, decisions, totals: totals(decisions), complete });
    const config = this.autopilot.configOrFailClosed(tag, "(sweep)");
    if (!("approval" in config)) return report(false);
    const dryRun = !!opts.dryRun;
    // A dry sweep runs on the core whose write gate writes nothing.
    const autopilot = dryRun ? this.autopilot.dryRunView() : this.autopilot;

    // Units of work per phase, each with a stable key; a resumed run skips what is done.
    let skipping = resume ? { phase: resume.phase as Phase, after: resume.after } : undefined;
    let lastDone = resume ? { phase: resume.phase as Phase, after: resume.after } : undefined;
    const run = async (phase: Phase, key: string, work: () => Promise<Decision[]>) => {
      if (skipping) {
        if (PHASES.indexOf(phase) < PHASES.indexOf(skipping.phase) || (phase === skipping.phase && key <= skipping.after)) return;
        skipping = undefined;
      }
      if (opts.deadline !== undefined && this.now() >= opts.deadline) {
        throw new DeadlineReached();
      }
      try {
        decisions.push(...(await work()));
      } catch (e) {
        // Stopped inside this unit: the next run resumes at it (before it, in this phase).
        if (e instanceof DeadlineReached && !dryRun) await this.cursors.set({ phase, after: lastDone?.phase === phase ? lastDone.after : "", runId });
        throw e;
      }
      lastDone = { phase, after: key };
      if (opts.deadline !== undefined && !dryRun) await this.cursors.set({ phase, after: key, runId });
    };

    // Each unit (a listing, a target, a zone, an endpoint, an orphan) fails alone: its
    // failure becomes an `error` decision naming what and why, and the sweep goes on.
    const unit = (phase: Phase, key: string, what: string, resource: string, work: () => Promise<Decision[]>) =>
      run(phase, key, async () => {
        try {
          return await work();
        } catch (e) {
          // The deadline came inside the unit (a target with many slow approvals): keep what it
          // did and said; the cursor stays before it, so the next run does the rest.
          if (e instanceof StoppedAtDeadline) {
            decisions.push(...e.decisions);
            throw new DeadlineReached();
          }
          return [unitError(tag, resource, what, e)];
        }
      });
    const pastDeadline = () => opts.deadline !== undefined && this.now() >= opts.deadline;

    try {
      // 1. Provider side: every managed resource's connections (finds requests no event announced).
      const targets = await this.managedTargets(config, tag);
      decisions.push(...targets.errors);
      for (const [target, listed] of targets.ids) {
        await unit("approvals", target.toLowerCase(), "reading and deciding the target's connections", target, () =>
          autopilot.handleTarget(tag, target, config, dryRun, undefined, listed, { stop: pastDeadline, noWait: true }),
        );
      }
      // 2. Consumer side: every endpoint of the watched subscriptions, against the zones as listed.
      const known = await this.listZones(autopilot, config, tag);
      decisions.push(...known.errors);
      const { endpoints, subscriptions, errors, hints } = await this.listEndpoints(tag, opts.subscriptions);
      decisions.push(...errors);
      // Live endpoints first, then the dead ones (every connection Disconnected or Rejected):
      // a dead owner hands its name to a live endpoint only once that one is recorded as a
      // claimant, so releasing first would leave the hand-over to the next sweep.
      const review = (pe: EndpointInfo) => () =>
        hints ? this.reviewHint(autopilot, tag, pe, config, dryRun, known.records) : autopilot.reviewListedEndpoint(tag, pe, config, dryRun, known.records);
      for (const pe of endpoints.filter((e) => !isDead(e))) {
        await unit("endpoints", pe.id.toLowerCase(), "reviewing the endpoint's records", pe.id, review(pe));
      }
      for (const pe of endpoints.filter(isDead)) {
        await unit("dead-endpoints", pe.id.toLowerCase(), "releasing the records of a dead endpoint", pe.id, review(pe));
      }
      // 3. Records whose owner is gone without a delete event reaching us. Only ARM listings
      // that succeeded are authoritative: an unreadable subscription proves no absence, and
      // neither does Resource Graph (it may lag): then each owner is asked about first.
      const live = new Set(endpoints.map((e) => e.id.toLowerCase()));
      const watched = new Set(subscriptions.map((s) => s.toLowerCase()));
      for (const [key, owner] of [...known.owners].sort(([a], [b]) => a.localeCompare(b))) {
        if (live.has(key)) continue;
        await unit("orphans", key, "releasing the records of a gone endpoint", owner, async () => {
          // Unwatched subscription: the listing cannot tell; ask ARM about this one endpoint.
          const sub = parseResourceId(owner).subscriptionId.toLowerCase();
          if (!watched.has(sub) && (await this.inventory.endpoint(owner).catch(() => "unknown" as const))) return [];
          return autopilot.releaseGoneEndpoint(tag, owner, config, dryRun);
        });
      }
      // Writes of earlier runs whose answer or audit row was lost (inside a WriteJournal only).
      if (!dryRun) {
        try {
          decisions.push(...(await autopilot.recoverLostWrites(tag)));
        } catch (e) {
          decisions.push(unitError(tag, "(write intents)", "checking the write intents of earlier runs", e));
        }
      }
    } catch (e) {
      if (e instanceof DeadlineReached) return report(false);
      // Outside any unit (the cursor store, say): report it with what was done so far (audited), and say why it stopped.
      decisions.push(unitError(tag, "(sweep)", "the sweep", e));
      return { ...report(false), error: errorMessage(e) };
    }
    if (!dryRun) await this.cursors.clear();
    return report(true);
  }

  /** The managed provider resources and the connections their listings carry (listManagedTargets, with this sweep's refusal memory). */
  managedTargets(config: AllowListConfig, tag: string): Promise<ManagedTargets> {
    return listManagedTargets(this.inventory, config, tag, { refusals: this.refusals, now: this.now });
  }

  /**
   * An endpoint as Resource Graph listed it may lag ARM: plan on it (no call when its records
   * are as listed), and when that plan would write or release, decide again on ARM's own body.
   */
  private async reviewHint(
    autopilot: SweepCore,
    tag: string,
    pe: EndpointInfo,
    config: AllowListConfig,
    dryRun: boolean,
    known: KnownRecordSets,
  ): Promise<Decision[]> {
    const plan = await autopilot.reviewListedEndpoint(tag, pe, config, true, known);
    if (dryRun || !plan.some((d) => d.outcome !== "skipped" || d.retryable)) return plan;
    const fresh = await this.inventory.endpoint(pe.id);
    if (!fresh) return [ignored(tag, pe.id, "listed by Resource Graph but gone from ARM: nothing written (the next sweep sees to its records)")];
    return autopilot.reviewListedEndpoint(tag, fresh, config, false, known);
  }

  /**
   * Every endpoint of the watched subscriptions, and which subscriptions were listed in full
   * through ARM (only those are authoritative). `hints`: listed by Resource Graph instead.
   */
  private async listEndpoints(
    tag: string,
    subscriptions?: string[],
  ): Promise<{ endpoints: EndpointInfo[]; subscriptions: string[]; errors: Decision[]; hints?: boolean }> {
    const errors: Decision[] = [];
    let subs = subscriptions ?? [];
    if (!subs.length) {
      try {
        subs = await this.inventory.subscriptions();
      } catch (e) {
        errors.push(unitError(tag, "/subscriptions", "listing the subscriptions this identity can read", e));
      }
    }
    const byId = (a: EndpointInfo, b: EndpointInfo) => a.id.toLowerCase().localeCompare(b.id.toLowerCase());
    if (this.inventory.usesResourceGraph && subs.length) {
      try {
        const found: EndpointInfo[] = [];
        for await (const pe of this.inventory.graphEndpoints(subs)) found.push(pe);
        return { endpoints: found.sort(byId), subscriptions: [], errors, hints: true };
      } catch (e) {
        errors.push(graphFallback(tag, "private endpoints", e));
      }
    }
    const out: EndpointInfo[] = [];
    const listed: string[] = [];
    for (const sub of subs) {
      try {
        const found: EndpointInfo[] = [];
        for await (const pe of this.inventory.endpointsOf(sub)) found.push(pe);
        out.push(...found);
        listed.push(sub);
      } catch (e) {
        errors.push(unitError(tag, `/subscriptions/${sub}`, "listing the subscription's private endpoints", e));
      }
    }
    return { endpoints: out.sort(byId), subscriptions: listed, errors };
  }

  /**
   * Lists each configured zone once: the known state for planning, the owners for orphan
   * checks, and a fresh ownership index. A zone that cannot be listed (missing, 403) is an
   * error; its records are then planned as on the event path, and named when they fail.
   */
  private async listZones(
    autopilot: SweepCore,
    config: AllowListConfig,
    tag: string,
  ): Promise<{ records: KnownRecordSets; owners: Map<string, string>; errors: Decision[] }> {
    const records: KnownRecordSets = new Map();
    const owners = new Map<string, string>(); // lower-cased id -> id as written
    const errors: Decision[] = [];
    for (const z of config.dns.zones) {
      let listing: ListedRecordSet[];
      try {
        listing = await autopilot.indexZone(z);
      } catch (e) {
        const zoneId = `${z.resourceGroupId}/providers/Microsoft.Network/privateDnsZones/${z.name}`;
        errors.push({ ...unitError(tag, zoneId, `listing zone ${z.name}`, e), dns: { zone: z.name } });
        continue;
      }
      for (const { recordName, recordType, current } of listing) {
        records.set(recordSetKey({ zoneResourceGroupId: z.resourceGroupId, zone: z.name, recordName, recordType }), current);
        const own = decodeOwnership(current.metadata, z.ownerId);
        if (own) owners.set(own.owner.toLowerCase(), own.owner);
      }
    }
    return { records, owners, errors };
  }
}

/** Managed provider resources, sorted by id, each with the connections its listed body carries (undefined: it lists its own), and the listings that failed. */
export interface ManagedTargets {
  ids: [string, ConnectionInfo[] | undefined][];
  errors: Decision[];
}

/**
 * Provider resources of the registered types inside managedScopes, via one paged list
 * per type and subscription, each with the connections its listed body carries (most
 * types embed them: then no list per resource; undefined: the target lists its own).
 * A listing that fails is an error of its own; a namespace the subscription has not
 * registered is remembered and skipped for a day.
 */
export async function listManagedTargets(
  inventory: ResourceInventory,
  config: AllowListConfig,
  tag: string,
  memory: { refusals?: RefusalMemory; now?: () => number } = {},
): Promise<ManagedTargets> {
  const refusals = memory.refusals ?? new MemoryRefusals();
  const subs = [...new Set(config.approval.managedScopes.map((s) => parseResourceId(s).subscriptionId))];
  const out = new Map<string, ConnectionInfo[] | undefined>();
  const errors: Decision[] = [];
  const sorted = () => [...out].sort(([a], [b]) => a.toLowerCase().localeCompare(b.toLowerCase()));
  if (inventory.usesResourceGraph) {
    // Every registered type in one query. Rows may lag ARM: every write re-reads its connection first.
    try {
      for await (const r of inventory.graphTargets(subs)) {
        if (isManaged(config.approval, r.id)) out.set(r.id, r.connections);
      }
      return { ids: sorted(), errors };
    } catch (e) {
      out.clear();
      errors.push(graphFallback(tag, "managed provider resources", e));
    }
  }
  const now = (memory.now ?? Date.now)();
  for (const sub of subs) {
    for (const p of PROVIDER_TYPES) {
      const scope = `/subscriptions/${sub}/providers/${p.type}`;
      const namespace = p.type.split("/")[0]!;
      const refusalKey = `unregistered:${sub}/${namespace}`;
      const remembered = refusals.get(refusalKey, now);
      if (remembered) {
        errors.push(ignored(tag, scope, `skipped: ${remembered.reason} (remembered until ${new Date(remembered.until).toISOString()})`));
        continue;
      }
      try {
        const found: [string, ConnectionInfo[] | undefined][] = [];
        for await (const r of inventory.targetsOfType(sub, p)) {
          if (isManaged(config.approval, r.id)) found.push([r.id, r.connections]);
        }
        for (const [id, listed] of found) out.set(id, listed);
      } catch (e) {
        if (isUnregistered(e)) {
          const reason = `provider namespace ${namespace} is not registered in subscription ${sub} (409 MissingSubscriptionRegistration): no ${p.label} can exist there`;
          refusals.remember(refusalKey, reason, now + UNREGISTERED_SKIP_MS);
          errors.push(decision({ event: tag, action: "error", resource: scope, reason: `${reason}; its types are skipped for 24 h` }, "skipped"));
        } else {
          errors.push(unitError(tag, scope, `listing ${p.label} resources`, e));
        }
      }
    }
  }
  return { ids: sorted(), errors };
}

/** A unit that failed: what was being done, on what, and the service's answer. */
function unitError(event: string, resource: string, what: string, e: unknown): Decision {
  const status = httpStatus(e);
  const code = errorCode(e);
  const why = [status, code].filter(Boolean).join(" ");
  return decision({ event, action: "error", resource, reason: `${what} failed${why ? ` (${why})` : ""}; the rest of the sweep went on` }, "failed", {
    error: errorMessage(e),
    retryable: status === undefined || status === 429 || status >= 500,
  });
}

/** Resource Graph did not answer (not permitted, throttled, down): the sweep lists through ARM instead. */
function graphFallback(event: string, what: string, e: unknown): Decision {
  const status = httpStatus(e);
  const why = [status, errorCode(e)].filter(Boolean).join(" ") || errorMessage(e);
  const reason = `Resource Graph did not list the ${what} (${why}): listed through ARM instead`;
  return decision({ event, action: "error", resource: "/providers/Microsoft.ResourceGraph/resources", reason }, "skipped");
}

function isUnregistered(e: unknown): boolean {
  return httpStatus(e) === 409 && errorCode(e)?.toLowerCase() === "missingsubscriptionregistration";
}

function totals(ds: Decision[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const d of ds) {
    const k = d.outcome === "failed" ? `${d.action}:failed` : d.action;
    t[k] = (t[k] ?? 0) + 1;
  }
  return t;
}
