// The core: turns a resource event (a hint) into the three jobs, approval
// (approval/applier.ts), DNS (dns/registrar.ts) and cleanup (cleanup/cleaner.ts),
// re-reading ARM (the truth) before acting. Knows nothing about the Functions host,
// the CLI or the sandbox; they all call handleEvent / explain.
import { isNotFound } from "../gateways/arm/errors.js";
import { parseResourceId, sameId, sameType, tryParseResourceId } from "../model/resourceId.js";
import { isManaged } from "../approval/rules.js";
import type { ArmClients } from "../gateways/arm/clients.js";
import { formatProblem, type AllowListConfig, type ConfigResult, type DnsZoneConfig } from "../config/index.js";
import { isHandledOperation, PRIVATE_ENDPOINT_TYPE, type ResourceEvent } from "../events/index.js";
import { NETWORK_INTERFACE_TYPE } from "../events/operations.js";
import { requestFacts } from "../approval/requestFacts.js";
import { ConnectionsGateway, isSettling } from "../gateways/connections.js";
import { EndpointsGateway } from "../gateways/endpoints.js";
import { PrivateDnsGateway } from "../gateways/privateDns.js";
import { providerTypeFor } from "../model/providerTypes.js";
import { WriteGate } from "../gateways/writeGate.js";
import { MemoryOwnershipIndex, type OwnershipIndex } from "../store/ownershipIndex.js";
import { MemoryMarkStore, type MarkStore } from "../store/marks.js";
import { MemoryOwnApprovalStore, type OwnApprovalStore } from "../store/ownApprovals.js";
import { pool } from "../store/tables.js";
import { Cleaner } from "../cleanup/cleaner.js";
import { ApprovalApplier, type Verdict } from "../approval/applier.js";
import { ApprovalWaits } from "../approval/waits.js";
import { decision, ignored, retryLater, silentLogger, type Decision, type Logger } from "../model/decision.js";
import { ManagementGroupDirectory } from "../gateways/managementGroups.js";
import { DnsRegistrar, type KnownRecordSets } from "../dns/registrar.js";
import { newContinuation, type Continuation, type ContinuationSink } from "./continuations.js";
import type { ConnectionInfo } from "../model/connection.js";
import type { EndpointInfo } from "../model/endpoint.js";
import type { ListedRecordSet } from "../model/recordSet.js";

export { PRIVATE_ENDPOINT_TYPE };

export interface AutopilotOptions {
  arm: ArmClients;
  config: ConfigResult;
  log?: Logger;
  /** The app's own identity, to recognise events it caused. */
  identity?: { objectId?: string; clientId?: string };
  /** Compute and report, write nothing (the write gate holds every ARM write back). */
  dryRun?: boolean;
  /** Endpoint → record sets it owns or claims (Table storage in Azure); in memory when absent. */
  index?: OwnershipIndex;
  /** First-seen marks for grace periods; in memory when absent. */
  marks?: MarkStore;
  /** The approvals this app made, the only ones revokeRemoved may revoke (Table storage in Azure); in memory when absent. */
  ownApprovals?: OwnApprovalStore;
  now?: () => Date;
  /** Subscriptions below the allow-list's requesterManagementGroups, cached; one per Autopilot when absent. */
  groups?: ManagementGroupDirectory;
  /** Slow approvals (Key Vault about 47 s each): how many run side by side per target, and how long one is waited for. */
  approvals?: ApprovalSettings;
  /** Where DNS that waits for a still-running approval continues (the app's queue in Azure); absent: the next sweep does it. */
  continuations?: ContinuationSettings;
}

export interface ApprovalSettings {
  /** Approvals in flight at once per target (AUTOPILOT_APPROVAL_CONCURRENCY, default 8). */
  concurrency?: number;
  /** How long one approval's operation is waited for before its DNS is left to a continuation (AUTOPILOT_APPROVAL_WAIT_SECONDS, default 10 s), by at most `maxWaiting` at once. */
  waitMs?: number;
  /** Approvals waited for at once by this instance (default 4); the others go straight to a continuation. */
  maxWaiting?: number;
  /** A provider's approval time by connection id (default: the recorded times, shared/model/approvalTimes.ts). */
  expectedMs?: (connectionId: string) => number | undefined;
}

export interface ContinuationSettings {
  sink: ContinuationSink;
  /** Delay between checks (AUTOPILOT_CONTINUE_AFTER_SECONDS, default 30 s); the first after a provider's recorded approval time lands just after it. */
  delayMs?: number;
  /** Checks before giving up on an approval that never shows as done (the sweep then looks again); default 20. */
  maxAttempts?: number;
}

export const APPROVAL_CONCURRENCY = 8;
export const APPROVAL_WAIT_MS = 10_000;
export const APPROVAL_MAX_WAITING = 4;
export const CONTINUE_AFTER_MS = 30_000;
export const CONTINUE_MAX_ATTEMPTS = 20;

/** Limits a caller puts on one target's work. */
export interface TargetLimits {
  /** true once no new approval may start (the sweep's deadline). */
  stop?: () => boolean;
  /**
   * Approvals are not waited for when a continuation can write their DNS (the sweep: its
   * budget goes to the next target, not to a provider's 47 s; without a continuation queue
   * the wait stays, so a quick provider's records are still written in this run).
   */
  noWait?: boolean;
}

/** A target cut short at the caller's deadline: the decisions made so far (the rest is said to wait for the next run). */
export class StoppedAtDeadline extends Error {
  constructor(readonly decisions: Decision[]) {
    super("stopped at the deadline inside a target");
  }
}

export class Autopilot {
  readonly connections: ConnectionsGateway;
  readonly endpoints: EndpointsGateway;
  readonly registrar: DnsRegistrar;
  readonly cleaner: Cleaner;
  readonly dns: PrivateDnsGateway;
  /** Every ARM write of this instance passes here: app-wide dry-run and `dns.dryRun` are honoured at the write. */
  readonly gate: WriteGate;
  readonly ownApprovals: OwnApprovalStore;
  readonly groups: ManagementGroupDirectory;
  private readonly approvals: ApprovalApplier;
  private readonly waits: ApprovalWaits;
  private readonly log: Logger;
  private dryTwin?: Autopilot;

  constructor(private readonly opts: AutopilotOptions) {
    const gate = (this.gate = new WriteGate({ app: !!opts.dryRun, dns: opts.config.ok && opts.config.config.dns.dryRun }));
    this.connections = new ConnectionsGateway(opts.arm, gate);
    this.endpoints = new EndpointsGateway(opts.arm, gate);
    this.log = opts.log ?? silentLogger;
    const dns = (this.dns = new PrivateDnsGateway(opts.arm, gate));
    const index = opts.index ?? new MemoryOwnershipIndex();
    const marks = opts.marks ?? new MemoryMarkStore();
    this.ownApprovals = opts.ownApprovals ?? new MemoryOwnApprovalStore();
    this.groups = opts.groups ?? new ManagementGroupDirectory(opts.arm);
    this.opts = { ...opts, index, marks, ownApprovals: this.ownApprovals, groups: this.groups };
    this.registrar = new DnsRegistrar(this.endpoints, dns, index);
    this.approvals = new ApprovalApplier({
      connections: this.connections,
      endpoints: this.endpoints,
      ownApprovals: this.ownApprovals,
      groups: this.groups,
      log: this.log,
      now: () => this.now(),
      waits: (this.waits = new ApprovalWaits({
        waitMs: this.approvalSettings.waitMs,
        maxWaiting: Math.max(0, opts.approvals?.maxWaiting ?? APPROVAL_MAX_WAITING),
        continueAfterMs: opts.continuations?.delayMs ?? CONTINUE_AFTER_MS,
        ...(opts.approvals?.expectedMs ? { expectedMs: opts.approvals.expectedMs } : {}),
      })),
    });
    this.cleaner = new Cleaner({ connections: this.connections, endpoints: this.endpoints, dns, index, marks, log: this.log, now: opts.now });
  }

  /**
   * The same core with a gate that writes nothing (explain, `--dry-run`, a dry sweep),
   * sharing this one's index and marks. A per-call dry run is a choice of instance,
   * so no path can forget it.
   */
  dryRunView(): Autopilot {
    if (this.gate.dry.app) return this;
    return (this.dryTwin ??= new Autopilot({ ...this.opts, dryRun: true }));
  }

  /** Handles one parsed event. Throws only for transient failures worth a redelivery. */
  async handleEvent(event: ResourceEvent): Promise<Decision[]> {
    const tag = event.id;
    // An event "caused by our own identity" is handled like any other: the claim is the
    // sender's word, so skipping on it would let a forged claim hide real work. Our own
    // writes' events are idempotent: the re-read finds them done and writes nothing.
    // The same list the Event Grid filter is generated from: what the filter keeps out is ignored here too.
    if (event.operationName && !isHandledOperation(event.operationName)) {
      return [ignored(tag, event.resourceId, `operation ${event.operationName} cannot change a private endpoint connection`)];
    }
    const config = this.configOrFailClosed(tag, event.resourceId);
    if (!("approval" in config)) return [config];

    const type = event.resourceType;
    if (sameType(type, PRIVATE_ENDPOINT_TYPE)) {
      if (event.kind === "delete") return this.handleEndpointDeleted(tag, event.resourceId, config);
      return this.handleEndpoint(tag, event.resourceId, config, false);
    }
    if (sameType(type, NETWORK_INTERFACE_TYPE) && event.kind !== "delete") {
      // An endpoint's IP configuration changed: follow the NIC to its endpoint (one read) and take the endpoint's path.
      const pe = await this.endpoints.endpointOfNic(event.resourceId);
      if (!pe) return [ignored(tag, event.resourceId, "network interface belongs to no private endpoint (or is gone)")];
      return this.handleEndpoint(tag, pe, config, false);
    }
    const target = managedAncestor(event.resourceId);
    if (target) return this.handleTarget(tag, target, config, false, event.resourceId);
    return [ignored(tag, event.resourceId, `unrelated resource type ${type ?? "(none)"}`)];
  }

  /** What would happen to this connection or endpoint, and why: reads ARM, writes nothing. */
  async explain(id: string): Promise<Decision[]> {
    const config = this.configOrFailClosed("explain", id);
    if (!("approval" in config)) return [config];
    const p = tryParseResourceId(id);
    if (!p) return [errorDecision("explain", id, `not an ARM resource id`)];
    if (sameType(p.type, PRIVATE_ENDPOINT_TYPE)) return this.handleEndpoint("explain", p.id, config, true);
    const target = managedAncestor(p.id);
    if (!target) return [ignored("explain", id, `type ${p.type ?? "(none)"} is neither a private endpoint nor a managed provider resource`)];
    const decisions = await this.handleTarget("explain", target, config, true, p.id);
    // Asked about one connection: show that one (or say it does not exist).
    if (!sameId(target, p.id)) {
      const one = decisions.filter((d) => sameId(d.resource, p.id));
      return one.length ? one : [ignored("explain", id, "no such private endpoint connection on the target")];
    }
    return decisions;
  }

  configOrFailClosed(tag: string, resource: string): AllowListConfig | Decision {
    const c = this.opts.config;
    if (c.ok) return c.config;
    const first = c.problems.slice(0, 3).map(formatProblem).join("; ");
    return decision(
      { event: tag, action: "error", resource, reason: `allow-list is invalid (${c.problems.length} problem(s): ${first}); approving nothing` },
      "failed",
      {
        retryable: true,
      },
    );
  }

  // The public handlers below take a dryRun flag (explain, replay --dry-run, a dry sweep):
  // true runs them on dryRunView(), whose write gate holds every write back; the flag
  // passed further down only saves work (plan without re-reading), it guards nothing.

  /** A consumer endpoint was written: follow each of its links to a managed target. */
  async handleEndpoint(tag: string, endpointId: string, config: AllowListConfig, dryRun: boolean): Promise<Decision[]> {
    if (dryRun && !this.gate.dry.app) return this.dryRunView().handleEndpoint(tag, endpointId, config, true);
    dryRun = this.gate.isDry("connection-state");
    const pe = await this.endpoints.getEndpoint(endpointId);
    if (!pe) return [ignored(tag, endpointId, "private endpoint no longer exists (the event is stale)")];
    const out: Decision[] = [];
    const written = new Map<string, { state: string; applied: boolean }>(); // target id (lower) -> state this run set
    const running: Running[] = []; // approvals the provider is still applying: DNS continues later
    for (const link of pe.links) {
      if (!link.targetResourceId) {
        out.push(ignored(tag, endpointId, `link ${link.name ?? ""} targets alias ${link.alias ?? "(none)"}; approval happens on the provider side`));
        continue;
      }
      const provider = providerTypeFor(parseResourceId(link.targetResourceId).type);
      if (!provider) {
        out.push(ignored(tag, link.targetResourceId, `target type ${parseResourceId(link.targetResourceId).type} is not a managed provider type`));
        continue;
      }
      if (!isManaged(config.approval, link.targetResourceId)) {
        out.push(ignored(tag, link.targetResourceId, "target is outside managedScopes: never acted on"));
        continue;
      }
      if (link.status === "Approved" && !config.approval.revokeRemoved) {
        // The platform mirrors the provider's state on the endpoint: nothing to approve, and
        // with revokeRemoved off nothing to revoke, so the target's list is not read (issue 12).
        out.push(ignored(tag, link.targetResourceId, "connection is Approved (as the endpoint shows it), not Pending"));
        continue;
      }
      const conns = (await this.connections.listConnections(link.targetResourceId)).filter((c) => sameId(c.privateEndpointId, pe.id));
      if (conns.length === 0) {
        out.push(ignored(tag, link.targetResourceId, `no connection from ${pe.name} on the target yet`));
        continue;
      }
      for (const c of conns) {
        let d: Decision;
        try {
          const v = await this.approvals.apply(tag, c, config, dryRun, requestFacts(config.approval, c, pe));
          d = v.decision;
          if (v.running || (c.status === "Approved" && isSettling(c))) running.push({ c, waitedMs: v.running ? v.waitedMs : 0 });
        } catch (e) {
          out.push(retryLater(tag, c.id, e));
          continue;
        }
        out.push(d);
        const state = stateWritten(d);
        if (state) written.set(link.targetResourceId.toLowerCase(), { state, applied: d.outcome === "applied" });
      }
    }
    if (out.length === 0) out.push(ignored(tag, endpointId, "private endpoint has no private link service connections"));
    // DNS follows the state after this run's writes (an approval, or a reject/revoke that
    // must not leave or create a record): what was written (or planned) is laid over the
    // endpoint as read, without reading it again (issue 12): the write's own answer is the
    // newer truth, and the consumer side may lag behind it anyway.
    if (running.length && config.dns.zones.length) {
      // Not waited for here: a continuation (or the next sweep) writes the records once the provider is done.
      for (const r of running) await this.settle(out, tag, endpointId, () => this.continueLater(tag, r.c, 1, r.waitedMs));
      return out;
    }
    await this.settle(out, tag, endpointId, () => this.endpointJob(tag, withLinkStates(pe, written), config, dryRun));
    return out;
  }

  /** Sweep: an endpoint as listed (no GET). Approvals were done from the provider side; DNS or cleanup here. */
  async reviewListedEndpoint(tag: string, pe: EndpointInfo, config: AllowListConfig, dryRun: boolean, known: KnownRecordSets): Promise<Decision[]> {
    if (dryRun && !this.gate.dry.app) return this.dryRunView().reviewListedEndpoint(tag, pe, config, true, known);
    dryRun = this.gate.isDry("connection-state");
    return this.endpointJob(tag, pe, config, dryRun, known);
  }

  /** An endpoint that resolves nothing any more is cleanup's; any other gets its records. */
  private endpointJob(tag: string, pe: EndpointInfo, config: AllowListConfig, dryRun: boolean, known?: KnownRecordSets): Promise<Decision[]> {
    if (isDead(pe)) return this.cleaner.onDeadEndpoint(tag, pe, config, dryRun);
    return this.registrar.syncEndpoint(tag, pe, config, dryRun, false, known);
  }

  /** The endpoint is gone: release what it owned (found through the ownership index). */
  private async handleEndpointDeleted(tag: string, endpointId: string, config: AllowListConfig): Promise<Decision[]> {
    // Deleted means deleted only if ARM agrees: a stale delete event for a re-created endpoint changes nothing.
    if (await this.endpoints.getEndpoint(endpointId))
      return [ignored(tag, endpointId, "delete event, but the endpoint exists (re-created since): nothing to clean")];
    const out = await this.cleaner.releaseRecords(tag, endpointId, config, this.gate.isDry("dns-delete"), "endpoint deleted");
    return out.length ? out : [ignored(tag, endpointId, "endpoint deleted; it owned no records")];
  }

  /** Sweep: an owner that no listing shows any more (its delete event never reached us): release what it owned. */
  async releaseGoneEndpoint(tag: string, endpointId: string, config: AllowListConfig, dryRun: boolean): Promise<Decision[]> {
    if (dryRun && !this.gate.dry.app) return this.dryRunView().releaseGoneEndpoint(tag, endpointId, config, true);
    return this.cleaner.releaseRecords(tag, endpointId, config, dryRun, "owner endpoint no longer exists");
  }

  /** Sweep: a configured zone's record sets as listed; the zone's ownership index is rebuilt from them on the way. */
  indexZone(zone: DnsZoneConfig): Promise<ListedRecordSet[]> {
    return this.cleaner.indexZone(zone);
  }

  /**
   * A managed provider resource (or one of its connections) changed: look at all
   * its connections. DNS follows for connections approved now and for the one the
   * event names; the reconcile sweep covers the rest without a read per connection here.
   * `listed`: the connections the sweep's list of the resources already carried (no
   * list per resource then); every write still re-reads its connection first.
   */
  async handleTarget(
    tag: string,
    targetId: string,
    config: AllowListConfig,
    dryRun: boolean,
    focusId?: string,
    listed?: ConnectionInfo[],
    limits: TargetLimits = {},
  ): Promise<Decision[]> {
    if (dryRun && !this.gate.dry.app) return this.dryRunView().handleTarget(tag, targetId, config, true, focusId, listed, limits);
    dryRun = this.gate.isDry("connection-state");
    if (!isManaged(config.approval, targetId)) {
      return [ignored(tag, targetId, "resource is outside managedScopes: never acted on")];
    }
    let conns: ConnectionInfo[];
    try {
      conns = listed ?? (await this.connections.listConnections(targetId));
    } catch (e) {
      if (isNotFound(e)) return [ignored(tag, targetId, "resource no longer exists")];
      throw e;
    }
    if (conns.length === 0) return [ignored(tag, targetId, "resource has no private endpoint connections")];
    // Approvals are long-running (Key Vault about 47 s each): a bounded number run side by
    // side; once the caller's deadline has come no new one starts, and what was not reached
    // is said to wait for the next run. Decisions keep the listing's order.
    const slots: TargetSlot[] = new Array(conns.length);
    const noWait = !!limits.noWait && !!this.opts.continuations && config.dns.zones.length > 0;
    let stopped = false;
    await pool(
      conns.map((c, i) => [c, i] as const),
      this.approvalSettings.concurrency,
      async ([c, i]) => {
        if (stopped || limits.stop?.()) {
          stopped = true;
          slots[i] = {
            decisions:
              c.status === "Pending"
                ? [
                    decision(
                      {
                        event: tag,
                        action: "leave-pending",
                        resource: c.id,
                        reason: "the sweep's deadline came before this request was reached: left for the next run",
                      },
                      "skipped",
                    ),
                  ]
                : [],
          };
          return;
        }
        slots[i] = await this.reviewConnection(tag, c, config, dryRun, focusId, noWait);
      },
    );
    const out = slots.flatMap((s) => s.decisions);
    if (config.dns.zones.length) {
      for (const s of slots) {
        const later = s.later;
        if (later) await this.settle(out, tag, later.c.privateEndpointId!, () => this.continueLater(tag, later.c, 1, later.waitedMs));
        const now = s.dns;
        if (now) await this.settle(out, tag, now.privateEndpointId!, () => this.registrar.syncConnectionEndpoint(tag, now, config, dryRun));
      }
    }
    if (stopped) throw new StoppedAtDeadline(out);
    return out;
  }

  /** One connection of a target: its decision, and whether DNS follows now or later. */
  private async reviewConnection(
    tag: string,
    c: ConnectionInfo,
    config: AllowListConfig,
    dryRun: boolean,
    focusId?: string,
    noWait = false,
  ): Promise<TargetSlot> {
    if (c.status === "Disconnected") return { decisions: [await this.cleaner.deleteStaleConnection(tag, c, config, dryRun)] };
    let v: Verdict;
    try {
      v = await this.approvals.apply(tag, c, config, dryRun, await this.approvals.factsFor(c, config), { wait: !noWait });
    } catch (e) {
      return { decisions: [retryLater(tag, c.id, e)] };
    }
    const d = v.decision;
    const out = [d];
    if (d.action === "revoke") {
      // DNS follows the revoke: its records go (or, dry, are planned to go).
      const pe = c.privateEndpointId;
      if ((d.outcome === "applied" || d.outcome === "planned") && pe) {
        await this.settle(out, tag, pe, () =>
          this.cleaner.releaseRecords(tag, pe, config, d.outcome === "planned", d.outcome === "planned" ? "connection revoke planned" : "connection revoked"),
        );
      }
      return { decisions: out };
    }
    if (!c.privateEndpointId) return { decisions: out };
    const approved = d.action === "approve" && d.outcome !== "failed";
    const focused = !!focusId && sameId(c.id, focusId) && c.status === "Approved";
    if (approved && v.running) return { decisions: out, later: { c, waitedMs: v.waitedMs } };
    if (focused && isSettling(c)) return { decisions: out, later: { c, waitedMs: 0 } };
    return approved || focused ? { decisions: out, dns: c } : { decisions: out };
  }

  /**
   * The provider is still applying an approval: its DNS is not waited for inside this
   * invocation. A continuation checks again after a delay and writes the records then
   * (audited under its own id); without a continuation queue the next sweep does it.
   * If the continuation cannot be stored this throws, so the caller's invocation fails and
   * its event is delivered again: nothing acknowledged is lost.
   */
  private async continueLater(tag: string, c: ConnectionInfo, attempt: number, waitedMs = 0): Promise<Decision[]> {
    const pe = c.privateEndpointId!;
    const cont = this.opts.continuations;
    if (!cont) {
      const reason = `the provider is still applying the approval of ${c.id}: its records are written once it is done, by the next sweep`;
      return [decision({ event: tag, action: "dns-skip", resource: pe, reason, dns: { owner: pe } }, "skipped")];
    }
    const next = newContinuation(c.id, attempt);
    const delayMs = this.waits.checkDelayMs(c.id, attempt, waitedMs);
    await cont.sink.later(next, delayMs);
    const reason = `the provider is still applying the approval of ${c.id}: its records follow in continuation ${next.id} (check ${attempt}, in ${Math.round(delayMs / 1000)} s)`;
    return [decision({ event: tag, action: "dns-skip", resource: pe, reason, dns: { owner: pe } }, "skipped")];
  }

  /**
   * A continuation came due (shared/autopilot/continuations.ts): re-read the connection; once the
   * provider is done with the approval, write the endpoint's records, else check again later.
   */
  async handleContinuation(c: Continuation): Promise<Decision[]> {
    const tag = c.id;
    const config = this.configOrFailClosed(tag, c.connectionId);
    if (!("approval" in config)) return [config];
    const target = managedAncestor(c.connectionId);
    if (!target || !isManaged(config.approval, target)) {
      return [ignored(tag, c.connectionId, "continuation names a connection outside managedScopes: never acted on")];
    }
    const conn = await this.connections.getConnection(c.connectionId);
    if (!conn?.privateEndpointId) return [ignored(tag, c.connectionId, "connection is gone: no records to write")];
    if (isSettling(conn) || conn.status === "Pending") {
      // Cosmos DB shows the new status only when done, Key Vault keeps `Updating` until then.
      const max = this.opts.continuations?.maxAttempts ?? CONTINUE_MAX_ATTEMPTS;
      if (c.attempt >= max) {
        const reason = `the approval has not shown as done after ${c.attempt} checks (status ${conn.status ?? "none"}, provisioningState ${conn.provisioningState ?? "none"}): no records yet; the next sweep looks again`;
        return [decision({ event: tag, action: "error", resource: c.connectionId, reason }, "failed")];
      }
      const out: Decision[] = [];
      await this.settle(out, tag, conn.privateEndpointId, () => this.continueLater(tag, conn, c.attempt + 1));
      return out;
    }
    if (conn.status !== "Approved") return [ignored(tag, c.connectionId, `connection is ${conn.status ?? "without a status"} now: no records to write`)];
    if (!config.dns.zones.length) return [ignored(tag, c.connectionId, "no dns.zones configured: no records to write")];
    const out: Decision[] = [];
    await this.settle(out, tag, conn.privateEndpointId, () => this.registrar.syncConnectionEndpoint(tag, conn, config, this.gate.isDry("dns-write")));
    return out;
  }

  private get approvalSettings(): { concurrency: number; waitMs: number } {
    const a = this.opts.approvals ?? {};
    return { concurrency: Math.max(1, a.concurrency ?? APPROVAL_CONCURRENCY), waitMs: Math.max(0, a.waitMs ?? APPROVAL_WAIT_MS) };
  }

  /**
   * One channel for "retry later": a step that throws adds a retryable decision after
   * the decisions already made instead of discarding them, so every applied write is
   * reported and audited; the host still fails the invocation for the redelivery.
   */
  private async settle(out: Decision[], tag: string, resource: string, step: () => Promise<Decision[]>): Promise<void> {
    try {
      out.push(...(await step()));
    } catch (e) {
      out.push(retryLater(tag, resource, e));
    }
  }

  /**
   * Writes of this run's earlier attempts (a sweep: of any earlier run) whose answer or
   * audit row was lost, found applied in ARM (WriteGate.recover): each becomes the
   * `applied` decision it would have been. Only inside a run (a WriteJournal).
   */
  async recoverLostWrites(tag: string): Promise<Decision[]> {
    const out: Decision[] = [];
    for (const i of await this.gate.recover()) {
      const dns = /\/privateDnsZones\/([^/]+)\/A\/([^/]+)$/i.exec(i.resource);
      let reason = `${i.reason || i.action} (written by ${i.trigger} at ${i.at}; its answer or audit row was lost, and ARM shows it done)`;
      if (i.kind === "connection-state" && (i.action === "approve" || i.action === "revoke")) {
        // The app's record of its approvals follows, as after an answered write (revokeRemoved relies on it).
        const conn = await this.connections.getConnection(i.resource).catch(() => undefined);
        const note = conn && (await this.approvals.noteOwnApproval(i.action, conn, conn.description ?? "", i.rule));
        if (note) reason = `${reason} (${note})`;
      }
      out.push(
        decision(
          {
            event: tag,
            action: i.action as Decision["action"],
            resource: i.resource,
            reason,
            ...(i.rule ? { rule: i.rule } : {}),
            ...(dns ? { dns: { zone: dns[1], record: dns[2] } } : {}),
          },
          "applied",
        ),
      );
    }
    return out;
  }

  private now(): Date {
    return this.opts.now ? this.opts.now() : new Date();
  }
}

/** An approval the provider is still applying, and how long it was waited for already. */
interface Running {
  c: ConnectionInfo;
  waitedMs: number;
}

/** One connection's part of a target: its decisions, and the endpoint DNS follows for now (`dns`) or later (`later`). */
interface TargetSlot {
  decisions: Decision[];
  dns?: ConnectionInfo;
  later?: Running;
}

/** The resource itself or its nearest ancestor whose type is a registered provider type. */
export function managedAncestor(id: string): string | undefined {
  // One parse, then one registry lookup per level (parsing each ancestor again cost O(n²) and more).
  const p = tryParseResourceId(id);
  if (!p?.provider) return undefined;
  const parts = p.id.split("/");
  const head = parts.length - 2 * p.segments.length;
  let type = p.provider;
  const types = p.segments.map((s) => (type = `${type}/${s.type}`));
  for (let n = types.length; n >= 1; n--) {
    if (providerTypeFor(types[n - 1])) return parts.slice(0, head + 2 * n).join("/");
  }
  return undefined;
}

/** The connection state an applied (or, dry, planned) approve / reject / revoke leaves behind. */
function stateWritten(d: Decision): string | undefined {
  if (d.outcome !== "applied" && d.outcome !== "planned") return undefined;
  if (d.action === "approve") return "Approved";
  if (d.action === "reject" || d.action === "revoke") return "Rejected";
  return undefined;
}

/** The endpoint with the states this run wrote laid over its links (matched by target). */
function withLinkStates(pe: EndpointInfo, written: ReadonlyMap<string, { state: string }>): EndpointInfo {
  if (written.size === 0) return pe;
  return {
    ...pe,
    links: pe.links.map((l) => {
      const w = l.targetResourceId && written.get(l.targetResourceId.toLowerCase());
      return w ? { ...l, status: w.state } : l;
    }),
  };
}

/** Every connection of the endpoint is Disconnected or Rejected: it resolves nothing any more. */
export function isDead(pe: EndpointInfo): boolean {
  return pe.links.length > 0 && pe.links.every((l) => l.status === "Disconnected" || l.status === "Rejected");
}

function errorDecision(event: string, resource: string, reason: string): Decision {
  return decision({ event, action: "error", resource, reason }, "failed");
}
