import type { TokenCredential } from "@azure/core-auth";
import type { PacingSettings } from "./pacing.js";

/** How to reach ARM: real Azure (DefaultAzureCredential) or the local emulator. */
export interface ArmSettings {
  /** e.g. https://management.azure.com or the emulator's https://127.0.0.1:PORT */
  endpoint: string;
  credential: TokenCredential;
  /** Token scope; against a custom endpoint the SDKs would otherwise ask for `${endpoint}/.default`. */
  scope: string;
  /** Extra CA (PEM) to trust, for the emulator's self-signed certificate. */
  ca?: string;
  /** Retry policy knobs passed to every SDK pipeline (Retry-After is always honoured by the SDK). */
  maxRetries?: number;
  /**
   * Back-off before the first retry of a transient failure (5xx, a reset), in ms; it doubles per
   * retry up to `maxRetryDelayMs`. The SDK defaults (800 ms, 64 s) suit Azure; the local emulator
   * sets them low so a test of a 5xx does not sleep for seconds. A 429's Retry-After is honoured
   * whatever these say.
   */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Poll interval for long-running operations, in ms (the SDK default is 2 s after the second poll). */
  pollIntervalMs?: number;
  /**
   * The sweep lists endpoints and provider resources through Azure Resource Graph (one paged
   * query over many subscriptions) and falls back to ARM lists when it does not answer.
   * Unset: ARM lists only. The deployed app's settings (readSettings) turn it on.
   */
  resourceGraph?: boolean;
  /** Client-side timeout per attempt, in ms (default 30 s), never beyond the invocation's budget (shared/gateways/arm/timeouts). */
  requestTimeoutMs?: number;
  /**
   * Wait for a token of ARM's per-subscription buckets before each call instead of
   * spending retries on 429s (shared/gateways/arm/pacing.ts); the app's settings turn it on with
   * ARM's limits. Absent: no pacing (the sandbox, tests).
   */
  pacing?: PacingSettings;
}

export const PUBLIC_ARM_ENDPOINT = "https://management.azure.com";
export const PUBLIC_ARM_SCOPE = "https://management.azure.com/.default";

/** A credential that always hands out the same token: for the local emulator only. */
export function staticTokenCredential(token = "sandbox-token"): TokenCredential {
  return {
    getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
}

/** The SDK pipeline's retry options from the settings; undefined leaves the SDK's defaults. */
export function retryOptionsOf(s: Pick<ArmSettings, "maxRetries" | "retryDelayMs" | "maxRetryDelayMs">) {
  const o = {
    ...(s.maxRetries === undefined ? {} : { maxRetries: s.maxRetries }),
    ...(s.retryDelayMs === undefined ? {} : { retryDelayInMs: s.retryDelayMs }),
    ...(s.maxRetryDelayMs === undefined ? {} : { maxRetryDelayInMs: s.maxRetryDelayMs }),
  };
  return Object.keys(o).length ? o : undefined;
}
