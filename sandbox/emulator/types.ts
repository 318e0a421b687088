// Public types of the emulator (re-exported from index.ts).
import type { ArmResource, Estate, EstateRefusals } from "../estate.js";
import type { BucketSpec } from "./throttle.js";

export interface EmulatorOptions {
  /** Initial resources. */
  estate?: Estate;
  /** Port to listen on (127.0.0.1); default 0 = random. */
  port?: number;
  /**
   * Per-subscription token buckets; default reads 250/25, writes (PUT/PATCH/POST/DELETE) 200/10,
   * and Private DNS reads 500 per 5 minutes on top of ARM's reads.
   */
  throttle?: false | { reads?: BucketSpec; writes?: BucketSpec; privateDnsReads?: BucketSpec };
  /**
   * One clock factor for every long-running operation: each takes its recorded
   * real duration (timings.ts: Key Vault approval 47 s, Cosmos DB 76 s, endpoint
   * 42 s...) times this. Default 0.001 (tests); 1 = real time (benchmarks).
   */
  timeScale?: number;
  /**
   * The throttle buckets and Resource Graph's quota window run on the timeScale clock too
   * (benchmarks and tests that run faster than real time): refill rates and the window scale,
   * and a 429 carries `retry-after-ms` on that clock besides ARM's whole-second `Retry-After`.
   * Default false: buckets in real time.
   */
  scaleLimits?: boolean;
  /** Where the throttle buckets read the time (default real time): a test drives it by hand to pace deterministically. */
  throttleClock?: () => number;
  /** Fixed duration for every long-running operation (ms); overrides timeScale. */
  lroDelayMs?: number;
  /** List page size before nextLink; default 100. */
  pageSize?: number;
}

export interface CallLogEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  apiVersion?: string;
  status: number;
  subscriptionId?: string;
  kind: "read" | "write" | "delete" | "operation";
}

export interface FaultSpec {
  method?: string;
  /** Case-insensitive substring of the (decoded) path. */
  pathIncludes?: string;
  /** Answer with this status and an ARM error body (ignored by the effects below that send no answer). */
  status?: number;
  /**
   * Instead of an error answer:
   * - `hang`: never answer (the request stays open until the client gives up or the emulator closes);
   * - `reset`: drop the connection before the request is handled (nothing applied);
   * - `reset-after-apply`: handle the request (the change is applied), then drop the connection unanswered;
   * - `lro-failed`: handle the request, but its long-running operation ends `Failed` (provisioningState Failed).
   */
  effect?: "hang" | "reset" | "reset-after-apply" | "lro-failed";
  /** How many matching calls fail; default 1. */
  count?: number;
  code?: string;
  message?: string;
  retryAfterSeconds?: number;
  /** Never answer the matching calls (a hung ARM front end): the client's timeout must end them. Same as `effect: "hang"`. */
  hang?: boolean;
  /** Answer with this body (e.g. a recorded real response) instead of an ARM error body. */
  body?: unknown;
  /** Extra response headers (e.g. recorded operation URLs). */
  headers?: Record<string, string>;
}

export interface Emulator {
  /** https://127.0.0.1:PORT */
  url: string;
  /** PEM of the self-signed certificate (SAN IP:127.0.0.1, DNS:localhost). */
  ca: string;
  /** Live call log (admin calls are not logged). */
  calls: CallLogEntry[];
  clearCalls(): void;
  /** The next `count` matching calls fail with that status and an ARM error body. */
  injectFault(f: FaultSpec): void;
  /**
   * Runs `hook` before each ARM call is handled, so a test can land another writer's
   * change (a human in the portal) at an exact point of the app's sequence. Returns a remover.
   */
  beforeCall(hook: (call: { method: string; path: string }) => void): () => void;
  /** Current estate: resources as ARM GET returns them, children as their own entries. */
  snapshot(): Estate;
  /** Adds or replaces resources; adds the estate's refusals. */
  load(estate: Estate): void;
  /** Replaces every refusal: 403 scopes, unregistered namespaces per subscription. */
  setRefusals(r: EstateRefusals): void;
  /** Forgets every resource, operation, fault, throttle bucket and logged call; then loads `estate` (one emulator, many estates). */
  reset(estate?: Estate): void;
  getResource(id: string): ArmResource | undefined;
  close(): Promise<void>;
}

export type { BucketSpec };
