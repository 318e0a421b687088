// ARM throttles per subscription (and principal) with token buckets: reads
// 250 burst / 25 per second, writes and deletes 200 / 10 per second; Private
// DNS reads also draw on DNS's own 500-per-5-minutes budget. An empty bucket
// answers 429 with Retry-After in whole seconds.
export interface BucketSpec {
  burst: number;
  perSecond: number;
}

export interface ThrottleSpec {
  reads?: BucketSpec;
  writes?: BucketSpec;
  /** Azure Private DNS's own read budget per subscription, on top of ARM's. */
  privateDnsReads?: BucketSpec;
}

export const DEFAULT_READS: BucketSpec = { burst: 250, perSecond: 25 };
export const DEFAULT_WRITES: BucketSpec = { burst: 200, perSecond: 10 };
/** Azure Private DNS: 500 reads per 5 minutes per subscription (Azure DNS limits; PLATFORM-FACTS.md). */
export const DEFAULT_PRIVATE_DNS_READS: BucketSpec = { burst: 500, perSecond: 500 / 300 };

export type BucketKind = "reads" | "writes" | "privateDnsReads";
/** `retryAfterMs`: the same wait on the emulator's (possibly faster) clock. */
export type TakeResult = { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number; retryAfterMs: number };

class Bucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly spec: BucketSpec,
    now: number,
    private readonly timeScale: number,
  ) {
    this.tokens = spec.burst;
    this.last = now;
  }

  take(now: number): TakeResult {
    this.tokens = Math.min(this.spec.burst, this.tokens + ((now - this.last) / 1000 / this.timeScale) * this.spec.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true, remaining: Math.floor(this.tokens) };
    }
    const wait = this.spec.perSecond > 0 ? (1 - this.tokens) / this.spec.perSecond : 3600;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(wait)), retryAfterMs: Math.max(1, Math.ceil(wait * 1000 * this.timeScale)) };
  }
}

export class Throttle {
  private readonly buckets = new Map<string, Bucket>();
  private readonly specs: Record<BucketKind, BucketSpec> | undefined;

  /**
   * `timeScale`: the buckets run on a clock this much faster (0.1 = ten times), like the emulator's operations (benchmarks).
   * `clock`: where the buckets read the time (default real time; a test can drive it by hand).
   */
  constructor(
    spec: false | ThrottleSpec | undefined,
    readonly timeScale = 1,
    private readonly clock: () => number = Date.now,
  ) {
    this.specs =
      spec === false
        ? undefined
        : { reads: spec?.reads ?? DEFAULT_READS, writes: spec?.writes ?? DEFAULT_WRITES, privateDnsReads: spec?.privateDnsReads ?? DEFAULT_PRIVATE_DNS_READS };
  }

  get enabled(): boolean {
    return this.specs !== undefined;
  }

  /** Takes one token; `scope` is the subscription id (or "tenant" for tenant-level calls). */
  take(scope: string, kind: BucketKind, now = this.clock()): TakeResult | undefined {
    if (!this.specs) return undefined;
    const key = `${scope.toLowerCase()}|${kind}`;
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = new Bucket(this.specs[kind], now, this.timeScale)));
    return b.take(now);
  }
}
