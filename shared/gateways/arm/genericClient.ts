// One generic path to any ARM resource, on the same SDK pipeline the typed clients
// use (credential, retry with Retry-After, core-lro polling). Adding a provider type
// needs no new HTTP code: see shared/model/providerTypes.ts.
import { ServiceClient } from "@azure/core-client";
import { createHttpHeaders, createPipelineRequest, RestError, type PipelineResponse } from "@azure/core-rest-pipeline";
import { createHttpPoller, type OperationResponse } from "@azure/core-lro";
import { retryOptionsOf, type ArmSettings } from "./settings.js";
import { isNotFound } from "./errors.js";
import { armPolicies } from "./policies.js";
import type { Pacer } from "./pacing.js";

export interface WaitOptions {
  /**
   * false: no GET of the resource after the operation succeeded (core-lro's `skipFinalGet`);
   * the result is then the last status answer, which for Key Vault is the resource itself
   * and otherwise an operation status body (no `id`). Default true.
   */
  finalGet?: boolean;
  /**
   * Give up waiting after this many ms (the operation goes on in Azure): waitFor then
   * throws OperationStillRunning. A slow approval (Key Vault about 47 s) does not hold the invocation.
   */
  waitMs?: number;
}

export interface ArmResponse {
  status: number;
  headers: Record<string, string>;
  body: any;
  raw: PipelineResponse;
}

/** waitFor stopped waiting (WaitOptions.waitMs); the provider goes on with the operation. */
export class OperationStillRunning extends Error {}

export class GenericArmClient {
  private readonly client: ServiceClient;

  constructor(
    private readonly settings: ArmSettings,
    pacer?: Pacer,
  ) {
    this.client = new ServiceClient({
      endpoint: settings.endpoint,
      credential: settings.credential,
      credentialScopes: [settings.scope],
      tlsOptions: settings.ca ? { ca: settings.ca } : undefined,
      retryOptions: retryOptionsOf(settings),
      userAgentOptions: { userAgentPrefix: "privatelink-autopilot" },
      ...armPolicies(settings, pacer),
    });
  }

  /** Sends one request; throws RestError (with the ARM error code) on status >= 400. */
  async send(method: string, pathOrUrl: string, apiVersion?: string, body?: unknown, headers: Record<string, string> = {}): Promise<ArmResponse> {
    const url = this.url(pathOrUrl, apiVersion);
    const request = createPipelineRequest({
      url,
      method: method as any,
      headers: createHttpHeaders({ accept: "application/json", ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const raw = await this.client.sendRequest(request);
    const parsed = raw.bodyAsText ? safeJson(raw.bodyAsText) : undefined;
    if (raw.status >= 400) {
      const err = parsed?.error ?? {};
      throw new RestError(`${method} ${new URL(url).pathname}: ${raw.status} ${err.code ?? ""} ${err.message ?? raw.bodyAsText ?? ""}`.trim(), {
        code: err.code,
        statusCode: raw.status,
        request,
        response: raw,
      });
    }
    return { status: raw.status, headers: raw.headers.toJSON(), body: parsed, raw };
  }

  async get<T = any>(id: string, apiVersion: string): Promise<T | undefined> {
    try {
      return (await this.send("GET", id, apiVersion)).body as T;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Follows nextLink through every page. */
  async *list<T = any>(path: string, apiVersion: string): AsyncIterable<T> {
    let next: string | undefined = this.url(path, apiVersion);
    while (next) {
      const page: ArmResponse = await this.send("GET", next);
      for (const item of page.body?.value ?? []) yield item as T;
      next = page.body?.nextLink;
    }
  }

  /** PUT and wait for the long-running operation, however the service signals it. */
  async putAndWait<T = any>(id: string, apiVersion: string, body: unknown, headers: Record<string, string> = {}, wait: WaitOptions = {}): Promise<T> {
    const initial = await this.send("PUT", id, apiVersion, body, headers);
    return this.waitFor<T>(initial.raw, "PUT", wait);
  }

  async deleteAndWait(id: string, apiVersion: string): Promise<void> {
    const initial = await this.send("DELETE", id, apiVersion);
    if (initial.status === 204) return;
    await this.waitFor(initial.raw, "DELETE");
  }

  /**
   * Drives core-lro's ARM poller from a response already received (also one a typed
   * SDK client got, captured with `onResponse`): Azure-AsyncOperation, Location or
   * provisioningState in the body.
   */
  async waitFor<T = any>(initial: PipelineResponse, method: string, wait: WaitOptions = {}): Promise<T> {
    const toOp = (raw: PipelineResponse, poll = false): OperationResponse => {
      const body = raw.bodyAsText ? safeJson(raw.bodyAsText) : undefined;
      const view = settledAsSucceeded(poll && method !== "DELETE" ? withOperationStatus(body) : body);
      return {
        flatResponse: body,
        rawResponse: { statusCode: raw.status, headers: raw.headers.toJSON(), body: view, request: { method: raw.request.method, url: raw.request.url } },
      };
    };
    const poller = createHttpPoller<T, any>(
      {
        sendInitialRequest: async () => toOp(initial),
        sendPollRequest: async (path: string) => {
          try {
            return toOp((await this.send("GET", path)).raw, true);
          } catch (e) {
            // The operation URL answers its own failure body; let core-lro read it. A throttled
            // or unavailable answer (after the SDK's retries) says nothing about the operation:
            // it stays an error the caller can tell from a failed operation.
            if (e instanceof RestError && e.response && !POLL_UNANSWERED.has(e.statusCode ?? 0)) return toOp(e.response);
            throw e;
          }
        },
      },
      {
        intervalInMs: this.settings.pollIntervalMs,
        resourceLocationConfig: method === "DELETE" ? "location" : "azure-async-operation",
        ...(wait.finalGet === false ? { skipFinalGet: true } : {}),
      },
    );
    if (wait.waitMs === undefined) return await poller.pollUntilDone();
    // Not waited for at all: no status poll either (a continuation looks later).
    const running = initial.status === 202 || !!initial.headers.get("azure-asyncoperation") || !!initial.headers.get("location");
    if (wait.waitMs <= 0 && running) throw new OperationStillRunning("operation accepted and still running; not waited for (waitMs 0)");
    const signal = AbortSignal.timeout(Math.max(0, wait.waitMs));
    try {
      return await poller.pollUntilDone({ abortSignal: signal });
    } catch (e) {
      if (signal.aborted) throw new OperationStillRunning(`operation still running after ${wait.waitMs} ms; not waited for any longer`);
      throw e;
    }
  }

  private url(pathOrUrl: string, apiVersion?: string): string {
    const u = new URL(pathOrUrl, this.settings.endpoint);
    if (apiVersion && !u.searchParams.has("api-version")) u.searchParams.set("api-version", apiVersion);
    return u.toString();
  }
}

/**
 * Key Vault's operation URL is the connection's own URL plus `kv-operation=`: it answers the
 * connection itself, with no `status`, which core-lro would take for "done" at the first poll
 * while the connection still reads Updating. Give the poller the status the body implies.
 */
function withOperationStatus(body: any): any {
  if (!body || typeof body !== "object" || body.status !== undefined) return body;
  const state: unknown = body.properties?.provisioningState ?? body.provisioningState;
  if (typeof state !== "string") return body;
  const s = state.toLowerCase();
  const status = s === "succeeded" || s === "ready" ? "Succeeded" : s === "failed" ? "Failed" : s === "canceled" ? "Canceled" : "InProgress";
  return { ...body, status };
}

/**
 * SQL settles a connection in provisioningState `Ready`, which core-lro reads as
 * still running (it polled ~500 times in 6 s): show the poller `Succeeded` instead.
 * Only the poller's view changes; the caller gets the body as sent.
 */
const SETTLED_STATES = new Set(["ready"]);

function settledAsSucceeded(body: any): any {
  const inProps = typeof body?.properties?.provisioningState === "string";
  const state: unknown = inProps ? body.properties.provisioningState : body?.provisioningState;
  if (typeof state !== "string" || !SETTLED_STATES.has(state.toLowerCase())) return body;
  return inProps ? { ...body, properties: { ...body.properties, provisioningState: "Succeeded" } } : { ...body, provisioningState: "Succeeded" };
}

/** Status poll answers that are no verdict on the operation: throttled, timed out, unavailable. */
const POLL_UNANSWERED = new Set([408, 429, 503, 504]);

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
