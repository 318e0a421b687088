// Shared plumbing for the emulator tests: real SDK clients pointed at the
// emulator, "what the SDK makes of a reference example" (the same client fed the
// example body through a fake HttpClient), and raw HTTPS calls.
import { readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { fileURLToPath } from "node:url";
import { NetworkManagementClient } from "@azure/arm-network";
import { PrivateDnsManagementClient } from "@azure/arm-privatedns";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { ServiceClient } from "@azure/core-client";
import type { TokenCredential } from "@azure/core-auth";
import { createHttpHeaders, createPipelineRequest, type HttpClient, type PipelineResponse } from "@azure/core-rest-pipeline";
import type { Emulator } from "../../sandbox/emulator/index.js";

export const credential: TokenCredential = { getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 3600_000 }) };

const REF = fileURLToPath(new URL("../fixtures/reference/rest-api-examples/", import.meta.url));

/** A reference example file (x-ms-examples format). */
export function example(path: string): any {
  return JSON.parse(readFileSync(REF + path, "utf8"));
}

/** The 200 (or first) response body of an example. */
export function exampleBody(path: string, status = "200"): any {
  const ex = example(path);
  return ex.responses[status]?.body ?? Object.values<any>(ex.responses)[0].body;
}

/** Emulator client options; the same names work for arm-network, arm-privatedns and arm-keyvault. */
export function clientOptions(emu: Emulator) {
  return { endpoint: emu.url, tlsOptions: { ca: emu.ca } };
}

export function network(emu: Emulator, sub: string) {
  return new NetworkManagementClient(credential, sub, clientOptions(emu));
}
export function privateDns(emu: Emulator, sub: string) {
  return new PrivateDnsManagementClient(credential, sub, clientOptions(emu));
}
export function keyVault(emu: Emulator, sub: string) {
  return new KeyVaultManagementClient(credential, sub, clientOptions(emu));
}

/** An HttpClient that answers every request with `body`: how the SDK deserialises a reference example. */
export function cannedHttpClient(body: unknown, status = 200): HttpClient {
  return {
    sendRequest: async (request): Promise<PipelineResponse> => ({
      request,
      status,
      headers: createHttpHeaders({ "content-type": "application/json" }),
      bodyAsText: JSON.stringify(body),
    }),
  };
}
const CANNED_ENDPOINT = "https://reference.invalid";
export function networkFromExample(body: unknown, sub: string) {
  return new NetworkManagementClient(credential, sub, { endpoint: CANNED_ENDPOINT, httpClient: cannedHttpClient(body) });
}
export function privateDnsFromExample(body: unknown, sub: string) {
  return new PrivateDnsManagementClient(credential, sub, { endpoint: CANNED_ENDPOINT, httpClient: cannedHttpClient(body) });
}
export function keyVaultFromExample(body: unknown, sub: string) {
  return new KeyVaultManagementClient(credential, sub, { endpoint: CANNED_ENDPOINT, httpClient: cannedHttpClient(body) });
}

/** Generic @azure/core-client pipeline (credential, retry, TLS) for types without a typed SDK. */
export function generic(emu: Emulator) {
  const client = new ServiceClient({ endpoint: emu.url, credential, credentialScopes: [`${emu.url}/.default`], tlsOptions: { ca: emu.ca } });
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const url = path.startsWith("https://") ? path : emu.url + path;
    const res = await client.sendRequest(
      createPipelineRequest({
        url,
        method: method as any,
        headers: createHttpHeaders({ accept: "application/json", ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers }),
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
    return { status: res.status, headers: res.headers.toJSON(), body: res.bodyAsText ? JSON.parse(res.bodyAsText) : undefined, text: res.bodyAsText ?? "" };
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

/** A bare HTTPS call (no SDK pipeline, no retries): for auth/api-version/throttle checks. */
export function raw(
  emu: Emulator,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string; auth?: boolean } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(opts.auth === false ? {} : { authorization: "Bearer t" }), ...(opts.headers ?? {}) };
    if (opts.body !== undefined) headers["content-type"] = "application/json";
    const req = httpsRequest(emu.url + path, { method, headers, ca: emu.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: any;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Items of a reference list body, without the duplicates some examples carry. */
export function uniqueById<T extends { id?: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => (i.id && !seen.has(i.id.toLowerCase()) ? (seen.add(i.id.toLowerCase()), true) : false));
}

/**
 * REST body → the flattened model the core-client SDKs take as a parameter
 * (x-ms-client-flatten moves `properties.*` up one level), for example request bodies.
 */
export function flattenProperties(v: any): any {
  if (Array.isArray(v)) return v.map(flattenProperties);
  if (!v || typeof v !== "object") return v;
  const out: Record<string, any> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === "properties" && x && typeof x === "object" && !Array.isArray(x)) Object.assign(out, flattenProperties(x));
    else out[k] = flattenProperties(x);
  }
  return out;
}
