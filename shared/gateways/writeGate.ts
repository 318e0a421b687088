// The one write gate: every ARM write the app makes (connection approve/reject/
// revoke, connection and endpoint deletes, Private DNS record-set writes and
// deletes) passes through WriteGate.write, which answers "dry-run: not written"
// at the write itself. Like external-dns's providers, dry-run is checked where
// the write happens, so no caller can forget it; callers learn whether the write
// was applied and report `planned` otherwise.
//
// The gate also keeps every write auditable (issue 8, defect 9). Inside a run
// (a WriteJournal: one event delivery or one sweep, whose decisions are audited
// afterwards) each write first records a write-ahead intent (shared/store/intents):
// what it will leave behind, and the decision it carries out. The run resolves its
// intents only once its audit rows are committed. An intent left open (the answer
// was lost, the audit write failed, the instance died) is found by `recover`: a
// later delivery of the same event, or a sweep, reads the resource, and if ARM
// shows the intended state the write is audited `applied` then.
import { AsyncLocalStorage } from "node:async_hooks";
import { watchAnswers } from "./arm/timeouts.js";
import { INTENT_LEASE_MS, type IntentKind, type IntentLog, type WriteIntent } from "../store/intents.js";

export type WriteKind = IntentKind;

const DNS_KINDS: ReadonlySet<WriteKind> = new Set(["dns-write", "dns-delete"]);

export interface DryRunSettings {
  /** App-wide dry-run (AUTOPILOT_DRY_RUN, a dry sweep, `--dry-run`, explain): nothing is written. */
  app?: boolean;
  /** The allow-list's `dns.dryRun`: record-set writes and deletes are not made. */
  dns?: boolean;
}

export type WriteResult<T> = { applied: true; value: T } | { applied: false; reason: string };

/** What a write is about to do: its write-ahead intent. */
export interface WriteTarget {
  resource: string;
  /** The resource once written, as the kind's IntentReader fingerprints a read of it; ABSENT for deletes. */
  want: string;
  /** The decision the write carries out (audited with it when its answer is lost). */
  action: string;
  reason: string;
  rule?: string;
}

/** Fingerprints a resource as read now (like WriteTarget.want), ABSENT when it does not exist. */
export type IntentReader = (resource: string) => Promise<string>;

export const ABSENT = "absent";
export const PRESENT = "present";

const journals = new AsyncLocalStorage<WriteJournal>();

const ANSWER_LOST = Symbol("answerLost");

/** The write failed, but one of its attempts went unanswered: ARM may have applied it (a redelivery looks again). */
export function isAnswerLost(e: unknown): boolean {
  return !!e && typeof e === "object" && (e as Record<symbol, boolean>)[ANSWER_LOST] === true;
}

/**
 * One run's writes (an event delivery, a sweep): the intents it opened, and those it
 * found applied by earlier runs. `commit` resolves them; call it only once the run's
 * decisions are in the audit trail.
 */
export class WriteJournal {
  private readonly resolved: WriteIntent[] = [];
  /** Intents (ids) of this run's writes whose outcome is known (applied, or refused). */
  private readonly known = new Set<string>();
  /** Resources (kind|id) this run wrote, answered: their state is this run's doing, audited with it. */
  private readonly wrote = new Set<string>();

  constructor(
    /** The event id, or "sweep:<run id>" (see nameWriteRun). */
    private name: string,
    readonly intents: IntentLog,
    private readonly opts: { now?: () => Date; /** Also take over other runs' intents older than the lease (sweeps). */ recoverOthers?: boolean } = {},
  ) {}

  get trigger(): string {
    return this.name;
  }

  /** Names the run once its id is known (a sweep's run id comes from its cursor), before it writes. */
  rename(trigger: string): void {
    this.name = trigger;
  }

  /** Runs `work` with this journal: the gate's writes inside it record intents here. */
  run<T>(work: () => Promise<T>): Promise<T> {
    return journals.run(this, work);
  }

  /** Resolves the run's intents (the audit rows are committed). A failure leaves them to a later recovery. */
  async commit(): Promise<void> {
    const all = this.resolved.splice(0);
    await this.intents.resolve(all);
  }

  now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  get recoversOthers(): boolean {
    return !!this.opts.recoverOthers;
  }

  /** @internal the gate's bookkeeping */
  async open(kind: WriteKind, t: WriteTarget): Promise<WriteIntent> {
    return this.intents.open({
      trigger: this.trigger,
      kind,
      resource: t.resource,
      want: t.want,
      action: t.action,
      reason: t.reason,
      ...(t.rule ? { rule: t.rule } : {}),
      at: this.now().toISOString(),
    });
  }

  /** @internal a write of this run whose outcome is known: resolved with the run. */
  settled(i: WriteIntent, applied: boolean): void {
    this.known.add(i.id!);
    if (applied) this.wrote.add(key(i));
    this.resolved.push(i);
  }

  /** @internal */
  wroteNow(i: WriteIntent): boolean {
    return this.wrote.has(key(i));
  }

  /** @internal */
  isSettled(i: WriteIntent): boolean {
    return this.known.has(i.id!);
  }

  /** @internal an intent checked by `recover`: resolved with the run. */
  checked(i: WriteIntent): void {
    this.resolved.push(i);
  }
}

/** Names the current run's journal, if any (the Sweeper, once it knows its run id). */
export function nameWriteRun(trigger: string): void {
  journals.getStore()?.rename(trigger);
}

const key = (i: Pick<WriteIntent, "kind" | "resource">) => `${i.kind}|${i.resource.toLowerCase().replace(/\/+$/, "")}`;

export class WriteGate {
  private readonly readers = new Map<WriteKind, IntentReader>();

  constructor(readonly dry: Readonly<DryRunSettings> = {}) {}

  /** true when a write of this kind would not be made: callers may plan instead of doing the work. */
  isDry(kind: WriteKind): boolean {
    return !!this.dry.app || (!!this.dry.dns && DNS_KINDS.has(kind));
  }

  /** A gate that writes nothing at all (for explain and dry runs), keeping this one's settings otherwise. */
  dryRunOnly(): WriteGate {
    return this.dry.app ? this : new WriteGate({ ...this.dry, app: true });
  }

  /** The gateways say how to read what a kind of write leaves behind (for `recover`). */
  reader(kind: WriteKind, read: IntentReader): void {
    this.readers.set(kind, read);
  }

  /**
   * Runs `perform` unless dry-run holds this kind of write back. Inside a run, records
   * the write-ahead intent first (if that fails, nothing is written and the error is the
   * caller's retryable failure).
   */
  async write<T>(kind: WriteKind, target: WriteTarget, perform: () => Promise<T>): Promise<WriteResult<T>> {
    if (this.isDry(kind)) return { applied: false, reason: this.dry.app ? "dry-run: not written" : "dns.dryRun: not written" };
    const journal = journals.getStore();
    const intent = journal ? await journal.open(kind, target) : undefined;
    const r = await watchAnswers(perform);
    if ("value" in r) {
      if (journal && intent) journal.settled(intent, true);
      return { applied: true, value: r.value };
    }
    // An authoritative refusal (4xx, 429): not written, the intent is resolved with the run. An attempt
    // that went unanswered (or 5xx) may have been applied: the intent stays open for `recover`.
    if (!r.uncertain) {
      if (journal && intent) journal.settled(intent, false);
    } else if (r.error && typeof r.error === "object") {
      (r.error as Record<symbol, boolean>)[ANSWER_LOST] = true;
    }
    throw r.error;
  }

  /**
   * The run's open intents whose write nobody audited (this event's earlier deliveries;
   * for a sweep, also any run's older than the lease): each is read, and returned when
   * ARM shows it applied. Both kinds are resolved with the run; one still unreadable is
   * left for later. Nothing outside a run, nothing in a dry run.
   */
  async recover(): Promise<WriteIntent[]> {
    const journal = journals.getStore();
    if (!journal || this.dry.app) return [];
    const now = journal.now();
    const open = await journal.intents.list({
      trigger: journal.trigger,
      ...(journal.recoversOthers ? { before: new Date(now.getTime() - INTENT_LEASE_MS) } : {}),
    });
    const found = new Map<string, WriteIntent>(); // one decision per resource and kind, the latest intent's
    for (const i of open.sort((x, y) => x.at.localeCompare(y.at))) {
      if (i.trigger === journal.trigger && journal.isSettled(i)) continue; // written by this run, outcome known: audited with it
      // This run wrote the resource itself (answered): what ARM shows is its doing, not the older write's.
      if (journal.wroteNow(i)) {
        journal.checked(i);
        continue;
      }
      if (i.claimedBy && i.claimedBy !== journal.trigger && now.getTime() - Date.parse(i.claimedAt ?? "") < INTENT_LEASE_MS) continue; // another run is checking it
      const read = this.readers.get(i.kind);
      if (!read) continue;
      const claimed = await journal.intents.claim(i, journal.trigger, now);
      if (!claimed) continue; // another run took it first
      let current: string;
      try {
        current = await read(i.resource);
      } catch {
        continue; // cannot tell now: a later run looks again
      }
      journal.checked(claimed);
      if (current === i.want) found.set(key(i), claimed);
    }
    return [...found.values()];
  }
}
