// Stand-ins for the Functions host's two triggers the burst uses, each with its own
// concurrency, as Azure gives each trigger of an app its own:
// - the Event Grid trigger (`resourceEvents`): events are pushed, up to maxInFlight run at
//   once; a failed invocation is delivered again on Event Grid's schedule (10 s, 30 s, 1 min,
//   5 min, 10 min, 30 min, 1 h: learn.microsoft.com/azure/event-grid/delivery-and-retry);
// - the queue trigger (`continuationsQueue`) that reads the app's continuations queue: host.json's
//   extensions.queues rules. It fetches batchSize messages when at most newBatchThreshold run
//   (so at most their sum at once), polls an empty queue with a back-off from 100 ms doubling
//   to maxPollingInterval (the WebJobs SDK's), and a failed message becomes visible again after
//   visibilityTimeout, until maxDequeueCount tries.
// All delays run on the bench's clock (`timeScale`).
import { readFileSync } from "node:fs";

export interface QueueRules {
  batchSize: number;
  newBatchThreshold: number;
  maxPollingIntervalMs: number;
  visibilityTimeoutMs: number;
  maxDequeueCount: number;
}

const seconds = (hms: string | undefined, fallback: number) => {
  if (!hms) return fallback;
  const [h, m, s] = hms.split(":").map(Number);
  return (h! * 3600 + m! * 60 + s!) * 1000;
};

/** host.json's extensions.queues, with the host's documented defaults where it says nothing. */
export function queueRules(hostJson: string): QueueRules {
  const q = JSON.parse(readFileSync(hostJson, "utf8")).extensions?.queues ?? {};
  const batchSize = q.batchSize ?? 16;
  return {
    batchSize,
    newBatchThreshold: q.newBatchThreshold ?? Math.floor(batchSize / 2),
    maxPollingIntervalMs: seconds(q.maxPollingInterval, 60_000),
    visibilityTimeoutMs: seconds(q.visibilityTimeout, 0),
    maxDequeueCount: q.maxDequeueCount ?? 5,
  };
}

export const EVENT_GRID_RETRY_S = [10, 30, 60, 300, 600, 1800, 3600];

interface Item {
  raw: unknown;
  attempt: number;
  dueAt: number;
}

/** Runs one invocation; resolves true when it failed (the message is then delivered again). */
export type Invoke = (raw: unknown) => Promise<boolean>;

export interface TriggerStats {
  invocations: number;
  failedInvocations: number;
  redelivered: number;
  /** Given up: Event Grid's schedule ran out, or a message went to the poison queue. */
  dead: number;
  maxInFlight: number;
  /** When the last invocation ended (Date.now()). */
  lastDoneAt: number;
}

abstract class Trigger {
  protected readonly items: Item[] = [];
  protected inFlight = 0;
  readonly stats: TriggerStats = { invocations: 0, failedInvocations: 0, redelivered: 0, dead: 0, maxInFlight: 0, lastDoneAt: 0 };
  constructor(
    protected readonly invoke: Invoke,
    protected readonly scale: number,
  ) {}

  add(raw: unknown, delayMs = 0): void {
    this.items.push({ raw, attempt: 0, dueAt: Date.now() + delayMs });
    this.kick();
  }

  get busy(): boolean {
    return this.items.length > 0 || this.inFlight > 0;
  }

  protected start(item: Item): void {
    this.inFlight++;
    this.stats.invocations++;
    this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.inFlight);
    void this.invoke(item.raw)
      .catch(() => true)
      .then((failed) => {
        this.inFlight--;
        this.stats.lastDoneAt = Date.now();
        if (failed) {
          this.stats.failedInvocations++;
          const delay = this.retryDelayMs(item.attempt);
          if (delay === undefined) this.stats.dead++;
          else {
            this.stats.redelivered++;
            this.items.push({ ...item, attempt: item.attempt + 1, dueAt: Date.now() + delay });
          }
        }
        this.kick();
      });
  }

  /** Takes out up to `n` items that are due, earliest first. */
  protected takeDue(n: number): Item[] {
    const now = Date.now();
    this.items.sort((a, b) => a.dueAt - b.dueAt);
    let k = 0;
    while (k < n && k < this.items.length && this.items[k]!.dueAt <= now) k++;
    return this.items.splice(0, k);
  }

  protected abstract retryDelayMs(attempt: number): number | undefined;
  protected abstract kick(): void;
}

/** Event Grid pushes: every due event starts as soon as a slot is free. */
export class EventGridTrigger extends Trigger {
  private timer?: NodeJS.Timeout;
  constructor(
    invoke: Invoke,
    scale: number,
    private readonly maxInFlight: number,
  ) {
    super(invoke, scale);
  }

  protected retryDelayMs(attempt: number): number | undefined {
    const s = EVENT_GRID_RETRY_S[attempt];
    return s === undefined ? undefined : s * 1000 * this.scale;
  }

  protected kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const item of this.takeDue(this.maxInFlight - this.inFlight)) this.start(item);
    const next = this.items[0];
    if (next && this.inFlight < this.maxInFlight) this.timer = setTimeout(() => this.kick(), Math.max(1, next.dueAt - Date.now()));
  }
}

/** A Storage queue trigger: fetches in batches, polls an empty queue with a back-off. */
export class QueueTrigger extends Trigger {
  private pollMs = 100;
  private timer?: NodeJS.Timeout;
  constructor(
    invoke: Invoke,
    scale: number,
    private readonly rules: QueueRules,
  ) {
    super(invoke, scale);
  }

  protected retryDelayMs(attempt: number): number | undefined {
    return attempt + 1 >= this.rules.maxDequeueCount ? undefined : this.rules.visibilityTimeoutMs * this.scale;
  }

  /** A poll is running or waiting (the timer); after a batch the host fetches again once at most newBatchThreshold run. */
  protected kick(): void {
    if (this.timer || this.inFlight > this.rules.newBatchThreshold) return;
    this.timer = setTimeout(() => this.poll(), 0);
  }

  private poll(): void {
    this.timer = undefined;
    if (this.inFlight > this.rules.newBatchThreshold) return;
    const batch = this.takeDue(this.rules.batchSize);
    for (const item of batch) this.start(item);
    if (batch.length) this.pollMs = 100;
    else if (this.items.length) {
      this.timer = setTimeout(() => this.poll(), this.pollMs * this.scale);
      this.pollMs = Math.min(this.rules.maxPollingIntervalMs, this.pollMs * 2);
    }
  }
}
