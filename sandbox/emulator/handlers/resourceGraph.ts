// Azure Resource Graph: POST /providers/Microsoft.ResourceGraph/resources, one paged
// query over many subscriptions. What is modelled, each from its source:
// - request and answer shapes (QueryRequest subscriptions/query/options; QueryResponse
//   totalRecords, count, resultTruncated "true"/"false", facets, data as an object array,
//   $skipToken when more), options.$top 1..1000, $skip, $skipToken, types lower-cased in
//   rows, paging needs `id` in the rows: azure-rest-api-specs
//   specification/resourcegraph/resource-manager/Microsoft.ResourceGraph/stable/2024-04-01/
//   resourcegraph.json and examples/ResourcesFirstPageQuery.json, ResourcesNextPageQuery.json;
// - 100 rows per page unless $top says otherwise (learn.microsoft.com, "Working with large
//   Azure resource data sets": "By default, Resource Graph limits any query to returning only
//   100 records");
// - its own throttling, per user and not ARM's per-subscription buckets: 15 queries per
//   5-second window, every answer carrying x-ms-user-quota-remaining and
//   x-ms-user-quota-resets-after (hh:mm:ss) (learn.microsoft.com, "Guidance for throttled
//   requests in Azure Resource Graph"; MicrosoftDocs/azure-docs#43481); past it, 429 with
//   code RateLimiting and "Client application has been throttled..." (Azure/azure-cli-extensions#3325,
//   Azure/azure-sdk-for-python#5412: 429 on this POST).
// The query language is KQL; the emulator understands only the subset the app sends:
// `Resources | where type =~ 't' | where type in~ ('a', 'b') | project c1, c2 | order by id asc`.
// Anything else answers 400 InvalidQuery (as ARG answers a query it cannot parse) so a
// client that sends more fails loudly here instead of getting made-up rows.
import { parseResourceId, sameType } from "../../../shared/model/resourceId.js";
import type { ArmResource } from "../../estate.js";
import type { EmuContext, EmuRequest, Reply } from "../context.js";
import { ArmError } from "../errors.js";
import { render } from "../render.js";

export const RESOURCE_GRAPH_API_VERSIONS = ["2019-04-01", "2021-03-01", "2022-10-01", "2024-04-01"];
/** Queries per user per window (learn.microsoft.com guidance: "at most 15 queries within every 5-second window"). */
export const GRAPH_QUOTA = { queries: 15, windowMs: 5000 };

export function isResourceGraphQuery(segments: string[]): boolean {
  const l = segments.map((s) => s.toLowerCase());
  return l.length === 3 && l[0] === "providers" && l[1] === "microsoft.resourcegraph" && l[2] === "resources";
}

/**
 * A fixed window per user (the bearer token stands for the user). `timeScale` runs the
 * window on the emulator's faster clock (0.4 = a 2 s window), like its throttle buckets;
 * x-ms-user-quota-resets-after stays in whole seconds, as ARG sends it.
 */
export class GraphQuota {
  private readonly windows = new Map<string, { start: number; used: number }>();
  private readonly spec: false | { queries: number; windowMs: number };
  constructor(spec: false | { queries: number; windowMs: number } = GRAPH_QUOTA, timeScale = 1) {
    this.spec = spec && { queries: spec.queries, windowMs: spec.windowMs * timeScale };
  }

  take(user: string, now = Date.now()): { ok: boolean; headers: Record<string, string> } {
    if (!this.spec) return { ok: true, headers: {} };
    let w = this.windows.get(user);
    if (!w || now - w.start >= this.spec.windowMs) this.windows.set(user, (w = { start: now, used: 0 }));
    const ok = w.used < this.spec.queries;
    if (ok) w.used++;
    const resetsAfter = Math.max(0, Math.ceil((w.start + this.spec.windowMs - now) / 1000));
    return { ok, headers: { "x-ms-user-quota-remaining": String(this.spec.queries - w.used), "x-ms-user-quota-resets-after": hms(resetsAfter) } };
  }
}

export function rateLimited(headers: Record<string, string>): ArmError {
  return new ArmError(
    429,
    "RateLimiting",
    "Client application has been throttled and should not attempt to repeat the request until an amount of time has elapsed. Please see https://aka.ms/resourcegraph-throttling for help.",
    headers,
  );
}

interface Query {
  types: string[] | undefined;
  project: string[] | undefined;
}

const invalidQuery = (why: string) =>
  new ArmError(
    400,
    "BadRequest",
    `Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the query before retrying. (emulator: ${why})`,
  );

/** The subset of KQL the emulator answers (see the header). */
export function parseQuery(text: string): Query {
  const [table, ...stages] = text.split("|").map((s) => s.trim());
  if (table?.toLowerCase() !== "resources") throw invalidQuery(`only the Resources table is modelled, not '${table}'`);
  const q: Query = { types: undefined, project: undefined };
  const str = (s: string) => /^'([^']*)'$/.exec(s.trim())?.[1] ?? /^"([^"]*)"$/.exec(s.trim())?.[1];
  for (const stage of stages) {
    let m: RegExpExecArray | null;
    // Each `where` narrows the rows: the types asked so far, intersected.
    const narrow = (ts: (string | undefined)[]) => {
      if (ts.some((t) => t === undefined)) throw invalidQuery(`cannot read '${stage}'`);
      q.types = (ts as string[]).filter((x) => q.types === undefined || q.types.some((y) => sameType(x, y)));
    };
    if ((m = /^where\s+type\s*=~\s*(.+)$/i.exec(stage))) narrow([str(m[1]!)]);
    else if ((m = /^where\s+type\s+in~\s*\((.*)\)$/i.exec(stage))) narrow(m[1]!.split(",").map(str));
    else if ((m = /^project\s+(.+)$/i.exec(stage))) {
      q.project = m[1]!.split(",").map((c) => c.trim());
      if (q.project.some((c) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(c))) throw invalidQuery(`only plain column names are modelled in '${stage}'`);
    } else if (!/^order\s+by\s+id\s+asc$/i.test(stage)) {
      throw invalidQuery(`stage '${stage}' is not modelled`);
    }
  }
  return q;
}

/** A row of the Resources table: the resource as GET shows it, plus the table's own columns. */
function row(ctx: EmuContext, r: ArmResource): Record<string, unknown> {
  const shown = render(ctx.store, r);
  const p = parseResourceId(r.id);
  return {
    id: r.id,
    name: p.name,
    type: (r.type ?? p.type ?? "").toLowerCase(),
    tenantId: "",
    kind: shown.kind ?? "",
    location: shown.location ?? "",
    resourceGroup: (p.resourceGroup ?? "").toLowerCase(),
    subscriptionId: p.subscriptionId,
    etag: shown.etag ?? "",
    tags: shown.tags ?? {},
    properties: shown.properties ?? {},
  };
}

export function queryResources(ctx: EmuContext, req: EmuRequest): Reply {
  if (!RESOURCE_GRAPH_API_VERSIONS.includes(req.apiVersion ?? "")) {
    throw new ArmError(
      400,
      "NoRegisteredProviderFound",
      `No registered resource provider found for location 'global' and API version '${req.apiVersion}' for type 'resources'. The supported api-versions are '${RESOURCE_GRAPH_API_VERSIONS.join(", ")}'.`,
    );
  }
  const body = req.body ?? {};
  if (typeof body.query !== "string") throw new ArmError(400, "BadRequest", "The request content is missing the required property 'query'.");
  const q = parseQuery(body.query);
  const o = body.options ?? {};
  const token = typeof o.$skipToken === "string" ? decodeToken(o.$skipToken) : undefined;
  const top = o.$top ?? token?.top ?? 100;
  if (!Number.isInteger(top) || top < 1 || top > 1000)
    throw new ArmError(400, "BadRequest", `The value of $top must be between 1 and 1000, not ${JSON.stringify(o.$top)}.`);
  const skip = o.$skip ?? token?.skip ?? 0;
  const subs: string[] | undefined =
    Array.isArray(body.subscriptions) && body.subscriptions.length ? body.subscriptions.map((s: string) => s.toLowerCase()) : undefined;
  // Top-level resources of the asked types in the asked subscriptions, in id order (stable pages).
  const matching = ctx.store
    .all()
    .filter((r) => {
      const p = parseResourceId(r.id);
      if (!p.type || p.segments.length !== 1) return false;
      if (subs && !subs.includes(p.subscriptionId.toLowerCase())) return false;
      return !q.types || q.types.some((t) => sameType(t, r.type ?? p.type));
    })
    .sort((a, b) => (a.id.toLowerCase() < b.id.toLowerCase() ? -1 : a.id.toLowerCase() > b.id.toLowerCase() ? 1 : 0));
  const page = matching.slice(skip, skip + top).map((r) => {
    const full = row(ctx, r);
    return q.project ? Object.fromEntries(q.project.map((c) => [c, full[c]])) : full;
  });
  const more = skip + top < matching.length;
  const pageable = !q.project || q.project.includes("id");
  return {
    status: 200,
    body: {
      totalRecords: matching.length,
      count: page.length,
      resultTruncated: more && !pageable ? "true" : "false",
      facets: [],
      ...(more && pageable ? { $skipToken: Buffer.from(JSON.stringify({ skip: skip + top, top })).toString("base64") } : {}),
      data: page,
    },
  };
}

function decodeToken(t: string): { skip: number; top: number } | undefined {
  try {
    const v = JSON.parse(Buffer.from(t, "base64").toString("utf8"));
    if (Number.isInteger(v.skip) && Number.isInteger(v.top)) return v;
  } catch {
    // fall through
  }
  throw new ArmError(400, "BadRequest", "The $skipToken is invalid.");
}

function hms(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h, m, s].map((x) => String(x).padStart(2, "0")).join(":");
}
