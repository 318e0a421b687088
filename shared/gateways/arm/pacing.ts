// Client-side pacing to ARM's token buckets (issue 12): instead of sending a burst
// and spending retries on 429s, each call waits for a token of a local copy of the
// bucket it will draw from at ARM, per subscription: reads 250 burst / 25 per s,
// writes (PUT/PATCH/POST/DELETE) 200 / 10 per s, and Private DNS's own 500 reads per
// 5 minutes (PLATFORM-FACTS.md; learn.microsoft.com/azure/azure-resource-manager/
// management/request-limits-and-throttling). The local copy follows what ARM says:
// the `x-ms-ratelimit-remaining-*` headers lower it (other instances of the app draw on
// the same principal's bucket), and a 429's Retry-After empties it until then.
import { RestError, type PipelinePolicy, type PipelineResponse } from "@azure/core-rest-pipeline";
import { BUDGET_EXHAUSTED, budgetLeftMs } from "./timeouts.js";

export interface RateLimit {
  burst: number;
  perSecond: number;
}

export interface PacingSettings {
  reads?: RateLimit;
  writes?: RateLimit;
  privateDnsReads?: RateLimit;
  /** The buckets' clock runs this much faster than real time (1 = real; benchmarks against a faster emulator clock). */
  timeScale?: number;
  /** What the buckets read the time from and wait on (default: real time). Tests drive one by hand. */
  clock?: PacingClock;
}

export interface PacingClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const REAL_TIME: PacingClock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/** ARM's documented limits per subscription and principal, and Private DNS's read budget. */
export const ARM_LIMITS: Required<Omit<PacingSettings, "timeScale" | "clock">> = {
  reads: { burst: 250, perSecond: 25 },
  writes: { burst: 200, perSecond: 10 },
  privateDnsReads: { burst: 500, perSecond: 500 / 300 },
};

type Kind = "reads" | "writes" | "privateDnsReads";

const REMAINING_HEADER: Record<Kind, string> = {
  reads: "x-ms-ratelimit-remaining-subscription-reads",
  writes: "x-ms-ratelimit-remaining-subscription-writes",
  // Private DNS reports its own budget under this name (recorded: Azure CLI privatedns recordings).
  privateDnsReads: "x-ms-ratelimit-remaining-subscription-resource-requests",
};

const PRIVATE_DNS = /\/providers\/microsoft\.network\/privatednszones(\/|$)/i;

class Bucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly limit: RateLimit,
    private readonly scale: number,
    private readonly now: () => number,
  ) {
    this.tokens = limit.burst;
    this.last = now();
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000 / this.scale) * this.limit.perSecond);
    this.last = now;
  }

  /** Milliseconds until a token would be granted (0 = now), without taking it. */
  waitMs(now = this.now()): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.limit.perSecond) * 1000 * this.scale;
  }

  /** Takes a token now (the balance may go below zero: later callers then wait longer). */
  take(): void {
    this.refill(this.now());
    this.tokens -= 1;
  }

  /** ARM says only `remaining` tokens are left. */
  lowerTo(remaining: number): void {
    this.refill(this.now());
    if (remaining < this.tokens) this.tokens = remaining;
  }

  /** ARM said 429: no token before `ms` from now. */
  emptyFor(ms: number): void {
    this.refill(this.now());
    this.tokens = Math.min(this.tokens, 1 - (ms / 1000 / this.scale) * this.limit.perSecond);
  }
}

export class Pacer {
  private readonly buckets = new Map<string, Bucket>();
  private readonly limits: Required<Omit<PacingSettings, "timeScale" | "clock">>;
  private readonly scale: number;
  private readonly clock: PacingClock;
  /** Calls that waited, and how long in total (ms): for benchmarks and logs. */
  readonly stats = { waited: 0, waitedMs: 0 };

  constructor(settings: PacingSettings = {}) {
    this.limits = {
      reads: settings.reads ?? ARM_LIMITS.reads,
      writes: settings.writes ?? ARM_LIMITS.writes,
      privateDnsReads: settings.privateDnsReads ?? ARM_LIMITS.privateDnsReads,
    };
    this.scale = settings.timeScale ?? 1;
    this.clock = settings.clock ?? REAL_TIME;
  }

  private bucket(subscription: string, kind: Kind): Bucket {
    const key = `${subscription}|${kind}`;
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = new Bucket(this.limits[kind], this.scale, () => this.clock.now())));
    return b;
  }

  /** The buckets a request draws on: its subscription's reads or writes, plus Private DNS's reads. */
  bucketsFor(method: string, url: string): Array<{ kind: Kind; bucket: Bucket }> {
    const path = safePath(url);
    const m = /^\/subscriptions\/([^/]+)/i.exec(path);
    const sub = (m?.[1] ?? "tenant").toLowerCase();
    const read = method === "GET" || method === "HEAD";
    const out: Array<{ kind: Kind; bucket: Bucket }> = [{ kind: read ? "reads" : "writes", bucket: this.bucket(sub, read ? "reads" : "writes") }];
    if (read && PRIVATE_DNS.test(path)) out.push({ kind: "privateDnsReads", bucket: this.bucket(sub, "privateDnsReads") });
    return out;
  }

  /** Waits until every bucket the request draws on has a token, then takes them. */
  async acquire(method: string, url: string): Promise<Array<{ kind: Kind; bucket: Bucket }>> {
    const bs = this.bucketsFor(method, url);
    for (;;) {
      const wait = Math.max(...bs.map((b) => b.bucket.waitMs()));
      if (wait <= 0) break;
      if (wait > budgetLeftMs()) {
        throw new RestError(`${method} ${path(url)}: not sent, ARM's rate limit would not allow it within the invocation's time budget`, {
          code: BUDGET_EXHAUSTED,
        });
      }
      this.stats.waited++;
      this.stats.waitedMs += wait;
      await this.clock.sleep(Math.ceil(wait));
    }
    for (const b of bs) b.bucket.take();
    return bs;
  }

  /** Follows what ARM answered: remaining tokens, or a 429's wait. */
  observe(bs: Array<{ kind: Kind; bucket: Bucket }>, response: PipelineResponse): void {
    for (const { kind, bucket } of bs) {
      const remaining = Number(response.headers.get(REMAINING_HEADER[kind]));
      if (response.headers.get(REMAINING_HEADER[kind]) != null && Number.isFinite(remaining)) bucket.lowerTo(remaining);
    }
    if (response.status === 429) {
      const ms = retryAfterMs(response);
      if (ms !== undefined) for (const { bucket } of bs) bucket.emptyFor(ms);
    }
  }
}

/** The pipeline policy (position perRetry, before the timeout policy: every attempt waits for its token). */
export function pacingPolicy(pacer: Pacer): PipelinePolicy {
  return {
    name: "privatelinkAutopilotPacing",
    async sendRequest(request, next) {
      const bs = await pacer.acquire(request.method, request.url);
      const response = await next(request);
      pacer.observe(bs, response);
      return response;
    },
  };
}

function retryAfterMs(r: PipelineResponse): number | undefined {
  for (const h of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const v = Number(r.headers.get(h));
    if (r.headers.get(h) != null && Number.isFinite(v)) return v;
  }
  const s = r.headers.get("retry-after");
  if (s == null) return undefined;
  const n = Number(s);
  if (Number.isFinite(n)) return n * 1000;
  const d = Date.parse(s);
  return Number.isFinite(d) ? Math.max(0, d - Date.now()) : undefined;
}

function safePath(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return "";
  }
}

const path = (url: string) => safePath(url).slice(0, 300);
