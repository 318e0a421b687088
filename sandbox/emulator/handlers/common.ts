// Checks and answers every write shares: 409 while another operation runs,
// If-Match / If-None-Match preconditions, long-running answers, paged lists.
import type { ArmResource } from "../../estate.js";
import { parseResourceId } from "../../../shared/model/resourceId.js";
import { header, type EmuContext, type EmuRequest, type Reply } from "../context.js";
import { ArmError } from "../errors.js";
import type { Operation, StartOptions } from "../operations.js";

/** 409 when an earlier long-running operation on this resource has not finished. */
export function assertNotBusy(ctx: EmuContext, id: string): void {
  const op = ctx.ops.busy(id);
  if (op) {
    throw new ArmError(
      409,
      "AnotherOperationInProgress",
      `Operation on resource '${id}' cannot be performed because another operation (${op.method} ${op.id}) on it is still in progress. Retry after it completes.`,
    );
  }
}

/** If-Match (mismatch or missing resource → 412) and If-None-Match: * (exists → 412). */
export function assertPreconditions(req: EmuRequest, existing: ArmResource | undefined, id: string): void {
  const ifMatch = header(req, "if-match");
  const ifNoneMatch = header(req, "if-none-match");
  if (ifMatch !== undefined) {
    if (!existing) throw new ArmError(412, "PreconditionFailed", `The resource '${id}' does not exist, so the If-Match condition '${ifMatch}' cannot be met.`);
    if (ifMatch.trim() !== "*" && ifMatch !== existing.etag) {
      throw new ArmError(
        412,
        "PreconditionFailed",
        `The etag '${ifMatch}' does not match the current etag of '${id}'. The resource was changed by someone else.`,
      );
    }
  }
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() === "*" && existing) {
    throw new ArmError(412, "PreconditionFailed", `The resource '${id}' exists already and so cannot be created again (If-None-Match: *).`);
  }
}

export function assertWritable(ctx: EmuContext, req: EmuRequest, id: string, existing: ArmResource | undefined): void {
  if (existing) assertNotBusy(ctx, id);
  assertPreconditions(req, existing, id);
}

/** Starts an operation on `id` in the id's own subscription and namespace. */
export function startOperation(
  ctx: EmuContext,
  id: string,
  method: string,
  o: Omit<StartOptions, "resourceId" | "method" | "subscriptionId" | "namespace">,
): Operation {
  const p = parseResourceId(id);
  return ctx.ops.start({ resourceId: id, method, subscriptionId: p.subscriptionId, namespace: p.provider ?? "Microsoft.Resources", ...o });
}

/** Headers of an accepted long-running operation; Retry-After: 0 keeps SDK pollers from waiting 2 s. */
export function operationHeaders(ctx: EmuContext, req: EmuRequest, op: Operation, withLocation: boolean): Record<string, string> {
  const q = `?api-version=${encodeURIComponent(req.apiVersion ?? "")}`;
  const h: Record<string, string> = { "azure-asyncoperation": `${ctx.base}${op.statusPath}${q}`, "retry-after": "0" };
  if (withLocation) h["location"] = `${ctx.base}${op.resultPath}${q}`;
  return h;
}

/**
 * `{ value, nextLink? }` with an absolute https nextLink ($skipToken is an offset).
 * `show` renders an item as GET returns it, only for the page sent (an estate of
 * 10,000 vaults is not rendered 100 times over for 100 pages).
 */
export function pagedList<T>(ctx: EmuContext, req: EmuRequest, items: T[], show: (item: T) => unknown = (i) => i): Reply {
  const top = Number(req.query.get("$top"));
  const size = Number.isInteger(top) && top > 0 ? top : ctx.pageSize;
  const skip = Math.max(0, Number(req.query.get("$skipToken") ?? req.query.get("$skiptoken") ?? 0) || 0);
  const page = items.slice(skip, skip + size).map(show);
  const body: { value: unknown[]; nextLink?: string } = { value: page };
  if (skip + size < items.length) {
    // Literal `$` as ARM writes it (URLSearchParams would send %24).
    const q: string[] = [];
    if (req.apiVersion) q.push(`api-version=${encodeURIComponent(req.apiVersion)}`);
    if (req.query.has("$top")) q.push(`$top=${size}`);
    q.push(`$skipToken=${skip + size}`);
    body.nextLink = `${ctx.base}${req.rawPath}?${q.join("&")}`;
  }
  return { status: 200, body };
}
