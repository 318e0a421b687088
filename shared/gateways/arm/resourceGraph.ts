// Azure Resource Graph: one paged query over many subscriptions instead of one ARM list
// per subscription (POST /providers/Microsoft.ResourceGraph/resources, api-version
// 2024-04-01: azure-rest-api-specs resourcegraph.json). Up to 1,000 rows a page
// ($top maximum) with $skipToken for the next; `id` is projected so pages are stable.
// It has its own per-user quota (15 queries per 5 s by default) reported on every answer
// as x-ms-user-quota-remaining / x-ms-user-quota-resets-after (learn.microsoft.com,
// "Guidance for throttled requests in Azure Resource Graph"): the client waits out the
// window when it is spent instead of drawing a 429 (RateLimiting). Any failure is the
// caller's to handle: the sweep then lists through ARM (fail safe, never fail closed).
import type { GenericArmClient } from "./genericClient.js";

export const RESOURCE_GRAPH_API_VERSION = "2024-04-01";
const PATH = "/providers/Microsoft.ResourceGraph/resources";
const PAGE = 1000;
/** Subscriptions per query: Azure CLI and PowerShell forward at most 1,000 (learn.microsoft.com, Resource Graph troubleshooting). */
const SUBSCRIPTIONS_PER_QUERY = 1000;

export interface GraphRow {
  id: string;
  type?: string;
  location?: string;
  etag?: string;
  tags?: Record<string, string>;
  properties?: Record<string, any>;
}

export class ResourceGraph {
  /** Epoch ms before which the quota is spent (from the last answer's headers). */
  private waitUntil = 0;

  constructor(
    private readonly generic: GenericArmClient,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** Every row of the resources of these types in these subscriptions, in id order. */
  async *resourcesOfTypes(subscriptions: string[], types: string[]): AsyncIterable<GraphRow> {
    const quoted = types.map((t) => `'${t.toLowerCase().replace(/'/g, "")}'`).join(", ");
    const query = `Resources | where type in~ (${quoted}) | project id, name, type, location, etag, tags, properties | order by id asc`;
    for (let i = 0; i < subscriptions.length; i += SUBSCRIPTIONS_PER_QUERY) {
      const scope = subscriptions.slice(i, i + SUBSCRIPTIONS_PER_QUERY);
      let skipToken: string | undefined;
      do {
        const page = await this.page(scope, query, skipToken);
        if (page.resultTruncated === "true") throw new Error("Resource Graph truncated the result (no $skipToken): not a complete listing");
        for (const r of (page.data ?? []) as GraphRow[]) yield r;
        skipToken = page.$skipToken;
      } while (skipToken);
    }
  }

  private async page(subscriptions: string[], query: string, skipToken?: string): Promise<any> {
    const wait = this.waitUntil - Date.now();
    if (wait > 0) await this.sleep(wait);
    const res = await this.generic.send("POST", PATH, RESOURCE_GRAPH_API_VERSION, {
      subscriptions,
      query,
      options: { $top: PAGE, resultFormat: "objectArray", ...(skipToken ? { $skipToken: skipToken } : {}) },
    });
    const remaining = Number(res.headers["x-ms-user-quota-remaining"]);
    const resets = parseHms(res.headers["x-ms-user-quota-resets-after"]);
    this.waitUntil = remaining === 0 && resets !== undefined ? Date.now() + resets * 1000 : 0;
    return res.body ?? {};
  }
}

function parseHms(v: string | undefined): number | undefined {
  const m = v ? /^(\d+):(\d{2}):(\d{2})$/.exec(v.trim()) : null;
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : undefined;
}
