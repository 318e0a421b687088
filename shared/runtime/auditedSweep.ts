// One sweep whose decisions go to the audit trail, as the timer Function runs it:
// its writes record write-ahead intents (a WriteJournal the Sweeper names sweep:<run id>), resolved only once
// the audit rows are committed, so a write whose answer or audit row was lost is
// audited by the next sweep. The pipeline behind the Runtime's sweep (the timer, the sandbox,
// `reconcile`); only the Runtime calls it (ESLint), and the tests with a Sweeper of their own.
import { auditEntries, type AuditLog } from "../store/audit/index.js";
import type { Logger } from "../model/decision.js";
import type { SweepOptions, SweepReport, Sweeper } from "../autopilot/sweep.js";
import { WriteJournal } from "../gateways/writeGate.js";
import type { IntentLog } from "../store/intents.js";

export interface SweepSinks {
  audit: AuditLog;
  /** Write-ahead intents; without them a lost answer is converged but not audited. */
  intents?: IntentLog;
  now?: () => Date;
  log?: Logger;
}

export async function auditedSweep(sweeper: Sweeper, opts: SweepOptions, sinks: SweepSinks): Promise<SweepReport> {
  const journal = sinks.intents && !opts.dryRun ? new WriteJournal("sweep", sinks.intents, { now: sinks.now, recoverOthers: true }) : undefined;
  const report = journal ? await journal.run(() => sweeper.sweep(opts)) : await sweeper.sweep(opts);
  // Every 15 minutes a sweep re-confirms every healthy connection and record: those
  // "nothing to do" lines stay in the log and the totals, not in the audit trail.
  const worthAuditing = report.decisions.filter((d) => !(d.outcome === "skipped" && (d.action === "ignore" || d.action === "dns-skip")));
  await sinks.audit.record(auditEntries(worthAuditing, { trigger: `sweep:${report.runId}`, correlationId: report.runId }));
  // Audited: the intents are resolved (if this fails, the next sweep finds them done and audits them again).
  await journal
    ?.commit()
    .catch((e) => sinks.log?.warn(`sweep ${report.runId}: resolving write intents failed (${(e as Error).message}); the next sweep checks them`));
  return report;
}
