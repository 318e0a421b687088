// What every handler works with: the store, the operation registry and the
// request as the router decoded it.
import type { IncomingHttpHeaders } from "node:http";
import type { Operations } from "./operations.js";
import type { Store } from "./store.js";
import type { EstateManagementGroup, EstateRefusals } from "../estate.js";

export interface EmuContext {
  store: Store;
  ops: Operations;
  pageSize: number;
  /** https://127.0.0.1:PORT, for absolute nextLink and operation URLs. */
  base: string;
  /** The management group hierarchy (estate `managementGroups`). */
  managementGroups: EstateManagementGroup[];
  /** The estate's refusals (forbiddenScopes may name a management group). */
  refusals?: EstateRefusals;
}

export interface EmuRequest {
  method: string;
  /** Decoded path without trailing slash, e.g. /subscriptions/s/resourceGroups/rg/... */
  path: string;
  /** Path as sent (percent-encoded), for building nextLinks. */
  rawPath: string;
  segments: string[];
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: any;
  apiVersion?: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Answer later: wait `ms`, then send what `then()` returns (long-poll of an operation). */
  defer?: { ms: number; then: () => Reply };
}

export function header(req: EmuRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
