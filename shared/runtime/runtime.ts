// Builds the core once per process and keeps the allow-list fresh: an admin's edit
// takes effect without a restart, once it reads complete and valid (AllowListCache).
//
// The one pipeline: every way in (the Event Grid Function, the queue trigger, the timer,
// the sandbox's webhook and queue listener, the CLI) calls one of the entry points below,
// and each runs with the same ledger, write-ahead intents and audit trail.
import { ArmClients } from "../gateways/arm/clients.js";
import type { ConfigResult } from "../config/index.js";
import { AllowListCache, type AllowListCacheOptions } from "../config/sources/allowListCache.js";
import { FileAllowListSource } from "../config/sources/fileSource.js";
import { BlobAllowListSource } from "../config/sources/blobSource.js";
import { Autopilot } from "../autopilot/autopilot.js";
import type { Logger } from "../model/decision.js";
import { Sweeper, type SweepReport } from "../autopilot/sweep.js";
import { MemoryCursorStore, MemoryMarkStore, TableCursorStore, TableMarkStore, type CursorStore, type MarkStore } from "../store/marks.js";
import { MemoryOwnApprovalStore, TableOwnApprovalStore, type OwnApprovalStore } from "../store/ownApprovals.js";
import { MemoryOwnershipIndex, TableOwnershipIndex, type OwnershipIndex } from "../store/ownershipIndex.js";
import type { AppSettings } from "./settings.js";
import { MemoryAuditLog, TableAuditLog, type AuditLog } from "../store/audit/index.js";
import { MemoryEventLedger, TableEventLedger, type EventLedger } from "../store/eventLedger.js";
import { INTENT_RETENTION_MS, MemoryIntentLog, TableIntentLog, type IntentLog } from "../store/intents.js";
import { auditedSweep } from "./auditedSweep.js";
import { handleRawEvent } from "./handleEvent.js";
import type { Decision } from "../model/decision.js";
import { eventFromQueueMessage } from "../events/queueMessage.js";
import { withBudget } from "../gateways/arm/timeouts.js";
import { MemoryRefusals } from "../store/refusals.js";
import { ManagementGroupDirectory } from "../gateways/managementGroups.js";
import { QueueContinuations } from "../store/continuationQueue.js";
import type { ContinuationSink } from "../autopilot/continuations.js";
import { ResourceInventory } from "../gateways/inventory.js";

/** Audit rows older than this are purged by the sweep timer. */
const AUDIT_RETENTION_DAYS = 90;

export class Runtime {
  readonly arm: ArmClients;
  private readonly index: OwnershipIndex;
  private readonly marks: MarkStore;
  private readonly ownApprovals: OwnApprovalStore;
  private readonly cursors: CursorStore;
  readonly ledger: EventLedger;
  readonly audit: AuditLog;
  /** Write-ahead intents of ARM writes, resolved once audited (shared/store/intents.ts). */
  readonly intents: IntentLog;
  readonly allowList: AllowListCache;
  /** Unregistered provider namespaces, skipped by the sweeps of the next 24 h. */
  private readonly refusals = new MemoryRefusals();
  /** requesterManagementGroups' subscriptions, per process, refreshed every managementGroupRefreshMs. */
  private readonly groups: ManagementGroupDirectory;
  /** DNS after a slow approval continues through the events queue (absent without storage: the next sweep does it). */
  private readonly continuations?: ContinuationSink;

  constructor(
    readonly settings: AppSettings,
    opts: { allowList?: AllowListCacheOptions } = {},
  ) {
    // A blob is checked at most every minute by default (it costs a storage call); a local file on every invocation.
    const source = settings.allowListBlob ? new BlobAllowListSource(settings.allowListBlob) : new FileAllowListSource(settings.allowListPath ?? "");
    const refreshMs = settings.allowListRefreshMs ?? (settings.allowListBlob ? 60_000 : 0);
    this.allowList = new AllowListCache(source, { refreshMs, ...opts.allowList });
    this.arm = new ArmClients(settings.arm);
    this.groups = new ManagementGroupDirectory(this.arm, settings.managementGroupRefreshMs);
    // Without a storage account the index lives in memory: correct (it is rebuilt from
    // the record sets' metadata on a miss), just costlier after every restart.
    this.index = settings.table ? new TableOwnershipIndex(settings.table) : new MemoryOwnershipIndex();
    this.marks = settings.table ? new TableMarkStore(settings.table) : new MemoryMarkStore();
    this.ownApprovals = settings.table ? new TableOwnApprovalStore(settings.table) : new MemoryOwnApprovalStore();
    this.cursors = settings.table ? new TableCursorStore(settings.table) : new MemoryCursorStore();
    this.ledger = settings.table ? new TableEventLedger(settings.table) : new MemoryEventLedger();
    this.audit = settings.table ? new TableAuditLog(settings.table) : new MemoryAuditLog();
    this.intents = settings.table ? new TableIntentLog(settings.table) : new MemoryIntentLog();
    this.continuations = settings.continuationQueue ? new QueueContinuations(settings.continuationQueue) : undefined;
  }

  /** One delivered event (Event Grid or CloudEvents, or a continuation): ledger, intents, audit. A retryable outcome is a decision marked `retryable`; it throws only when the audit write fails. */
  async handleEvent(raw: unknown, log: Logger): Promise<Decision[]> {
    return handleRawEvent(raw, await this.autopilot(log), log, { ledger: this.ledger, audit: this.audit, intents: this.intents });
  }

  /** One message of the events queue as the queue trigger hands it over: an Event Grid event (base64 JSON) or the app's own continuation. */
  async handleQueueMessage(message: unknown, log: Logger): Promise<Decision[]> {
    return this.handleEvent(eventFromQueueMessage(message), log);
  }

  /** One reconcile sweep within the configured budget (default 4 minutes: under the 5-minute functionTimeout). */
  async sweep(log: Logger, opts: { dryRun?: boolean; now?: number } = {}): Promise<SweepReport> {
    const autopilot = await this.autopilot(log);
    const started = opts.now ?? Date.now();
    const budgetMs = this.settings.sweepBudgetMs ?? 240_000;
    // The sweep stops between units at its deadline; a unit's own calls time out within a short grace after it.
    return withBudget(budgetMs + 20_000, () =>
      auditedSweep(
        new Sweeper(autopilot, new ResourceInventory(this.arm), this.cursors, Date.now, this.refusals),
        { subscriptions: this.settings.subscriptions, deadline: started + budgetMs, dryRun: opts.dryRun || this.settings.dryRun },
        { audit: this.audit, intents: this.intents, log },
      ),
    );
  }

  /** Housekeeping for the timer: old audit rows and expired ledger rows. */
  async purge(now = new Date()): Promise<void> {
    await this.audit.purge(new Date(now.getTime() - AUDIT_RETENTION_DAYS * 86_400_000));
    await this.ledger.purge(now);
    await this.intents.purge(new Date(now.getTime() - INTENT_RETENTION_MS));
  }

  async autopilot(log: Logger): Promise<Autopilot> {
    const config = await this.currentConfig(log);
    const s = this.settings;
    return new Autopilot({
      arm: this.arm,
      config,
      log,
      identity: s.identity,
      dryRun: s.dryRun,
      index: this.index,
      marks: this.marks,
      ownApprovals: this.ownApprovals,
      groups: this.groups,
      approvals: { concurrency: s.approvalConcurrency, waitMs: s.approvalWaitMs },
      ...(this.continuations ? { continuations: { sink: this.continuations, delayMs: s.continueAfterMs } } : {}),
    });
  }

  private currentConfig(log: Logger): Promise<ConfigResult> {
    return this.allowList.current(log);
  }
}
