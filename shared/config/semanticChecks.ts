// Checks the JSON Schema cannot express. They run on the raw parsed data, which may
// also have schema errors, so every access is defensive.

import { idKey, parseResourceId, tryParseResourceId } from "../model/resourceId.js";
import { globsIntersect, hasWildcard } from "../util/glob.js";
import { quote } from "./text.js";
import { formatPath, type Anchor, type PathSegment, type Position } from "./yamlLocate.js";

export interface RawProblem {
  path: PathSegment[];
  message: string;
  anchor?: Anchor;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function resourceIdError(id: string): string | undefined {
  try {
    parseResourceId(id);
    return undefined;
  } catch (err) {
    return (err as Error).message.replace(/^invalid resource id "(?:[^"\\]|\\.)*": /, "");
  }
}

/**
 * Why `glob` cannot be a resource id pattern, or undefined when it can. A glob without
 * wildcards must be a valid resource id; with wildcards, the literal segments before the
 * first wildcard must sit where the resource id grammar expects them.
 */
export function resourceIdGlobError(glob: string): string | undefined {
  if (!hasWildcard(glob)) {
    const why = resourceIdError(glob);
    return why ? `${quote(glob)} is not a valid resource id (${why})` : undefined;
  }
  if (!glob.startsWith("/")) return `${quote(glob)} must start with /subscriptions/`;
  const segs = glob.replace(/\/+$/, "").split("/").slice(1);
  if (segs.some((s) => s === "")) return `${quote(glob)} has an empty segment ('//')`;
  const firstWild = segs.findIndex((s) => hasWildcard(s));
  const literal = segs.slice(0, firstWild).map((s) => s.toLowerCase());
  const expect = (i: number, allowed: string[], shown: string) =>
    i < literal.length && !allowed.includes(literal[i]!)
      ? `${quote(glob)}: segment ${i + 1} is ${quote(segs[i]!)} but a resource id has ${shown} there`
      : undefined;
  const first = expect(0, ["subscriptions"], "'subscriptions'");
  if (first) return first;
  const third = expect(2, ["resourcegroups", "providers"], "'resourceGroups' or 'providers'");
  if (third) return third;
  if (literal[2] === "resourcegroups") return expect(4, ["providers"], "'providers'");
  return undefined;
}

/** Could some resource id matching `glob` be equal to or below `scope`? */
export function globCanBeWithinScope(glob: string, scope: string): boolean {
  const g = glob.replace(/\/+$/, "");
  const s = idKey(scope);
  return globsIntersect(g, s) || globsIntersect(g, `${s}/*`);
}

export function semanticProblems(data: Obj, locate: (path: PathSegment[]) => Position & { file?: string; key?: string }): RawProblem[] {
  const out: RawProblem[] = [];
  // "line 12" within one file; "team-b.yaml:12" when the first use is in another file of a folder.
  const lineOf = (first: PathSegment[], here: PathSegment[]) => {
    const a = locate(first);
    return a.file !== undefined && a.file !== locate(here).file ? `${a.file}:${a.line}` : `line ${a.line}`;
  };
  const keyOf = (p: PathSegment[]) => locate(p).key ?? formatPath(p);
  const approval = isObj(data.approval) ? data.approval : {};

  // managedScopes: real resource ids.
  const validScopes: string[] = [];
  list(approval.managedScopes).forEach((scope, i) => {
    const s = str(scope);
    if (s === undefined) return;
    const why = hasWildcard(s) ? "wildcards are not allowed in a managed scope" : resourceIdError(s);
    if (why) out.push({ path: ["approval", "managedScopes", i], message: `${quote(s)} is not a valid managed scope: ${why}` });
    else if (GUID.test(parseResourceId(s).subscriptionId)) validScopes.push(s);
  });

  // Rules: unique names; target id globs that are well-formed and reachable.
  const ruleNames = new Map<string, PathSegment[]>();
  list(approval.rules).forEach((rule, r) => {
    if (!isObj(rule)) return;
    const name = str(rule.name);
    if (name !== undefined) {
      const k = name.toLowerCase();
      const first = ruleNames.get(k);
      if (first) {
        out.push({
          path: ["approval", "rules", r, "name"],
          message: `duplicate rule name ${quote(name)}: already used by ${keyOf(first)} at ${lineOf(first, ["approval", "rules", r, "name"])}`,
        });
      } else {
        ruleNames.set(k, ["approval", "rules", r, "name"]);
      }
    }
    const allows = rule.action !== "reject";
    list(rule.requesterEndpointIds).forEach((g, i) => {
      const glob = str(g);
      if (glob === undefined) return;
      const path = ["approval", "rules", r, "requesterEndpointIds", i];
      const why = resourceIdGlobError(glob);
      if (why) out.push({ path, message: why });
      // Anyone may create an endpoint with any name in any resource group of their own
      // subscription: only the subscription says who is asking.
      else if (allows && !GUID.test(glob.split("/")[2] ?? "")) {
        out.push({
          path,
          message: `${quote(glob)}: an allow rule's endpoint id pattern must name the subscription literally (/subscriptions/{GUID}/...), since the rest of the id is chosen by whoever creates the endpoint`,
        });
      }
    });
    list(rule.targetResourceIds).forEach((g, i) => {
      const glob = str(g);
      if (glob === undefined) return;
      const path = ["approval", "rules", r, "targetResourceIds", i];
      const why = resourceIdGlobError(glob);
      if (why) {
        out.push({ path, message: why });
        return;
      }
      if (validScopes.length > 0 && !validScopes.some((s) => globCanBeWithinScope(glob, s))) {
        out.push({
          path,
          message: `${quote(glob)} can never match a resource inside the managed scopes (${validScopes.join(", ")}), so it never applies`,
        });
      }
    });
  });

  // DNS zones: resource group ids, unique names.
  const dns = isObj(data.dns) ? data.dns : {};
  const zoneNames = new Map<string, PathSegment[]>();
  const zoneCopies = new Map<string, PathSegment[]>();
  list(dns.zones).forEach((zone, z) => {
    if (!isObj(zone)) return;
    const rg = str(zone.resourceGroupId);
    if (rg !== undefined) {
      const parsed = tryParseResourceId(rg);
      const why = !parsed
        ? resourceIdError(rg)
        : parsed.resourceGroup === undefined
          ? "it names a subscription, not a resource group"
          : parsed.provider !== undefined
            ? "it names a resource, not a resource group"
            : undefined;
      if (why) {
        out.push({
          path: ["dns", "zones", z, "resourceGroupId"],
          message: `${quote(rg)} is not a resource group id (/subscriptions/{id}/resourceGroups/{name}): ${why}`,
        });
      }
    }
    const name = str(zone.name);
    if (name !== undefined) {
      // The same zone name in several hubs (per region or environment) is a normal design; the same copy twice is not.
      const k = name.toLowerCase().replace(/\.$/, "");
      const copy = `${k}|${(rg ?? "").toLowerCase().replace(/\/+$/, "")}`;
      const first = zoneCopies.get(copy);
      if (first) {
        out.push({
          path: ["dns", "zones", z, "name"],
          message: `duplicate zone ${quote(name)} in ${rg}: already listed at ${keyOf(first)} (${lineOf(first, ["dns", "zones", z, "name"])})`,
        });
      } else {
        zoneCopies.set(copy, ["dns", "zones", z, "name"]);
        if (!zoneNames.has(k)) zoneNames.set(k, ["dns", "zones", z, "name"]);
      }
    }
  });

  // Custom records: unique names, well-formed id globs, zone listed in dns.zones.
  const recordNames = new Map<string, PathSegment[]>();
  list(dns.customRecords).forEach((rec, c) => {
    if (!isObj(rec)) return;
    const name = str(rec.name);
    if (name !== undefined) {
      const k = name.toLowerCase();
      const first = recordNames.get(k);
      if (first) {
        out.push({
          path: ["dns", "customRecords", c, "name"],
          message: `duplicate custom record name ${quote(name)}: already used by ${keyOf(first)} at ${lineOf(first, ["dns", "customRecords", c, "name"])}`,
        });
      } else {
        recordNames.set(k, ["dns", "customRecords", c, "name"]);
      }
    }
    const match = isObj(rec.match) ? rec.match : {};
    list(match.targetResourceIds).forEach((g, i) => {
      const glob = str(g);
      const why = glob === undefined ? undefined : resourceIdGlobError(glob);
      if (why) out.push({ path: ["dns", "customRecords", c, "match", "targetResourceIds", i], message: why });
    });
    // {clusterId} has no value of its own: the admin lists the clusters.
    const template = str(rec.recordName);
    if (template?.includes("{clusterId}") && !Array.isArray(rec.clusterIds)) {
      out.push({ path: ["dns", "customRecords", c, "recordName"], message: `the template uses {clusterId}, so list the clusters in clusterIds` });
    }
    const zone = str(rec.zone);
    if (zone !== undefined && !zoneNames.has(zone.toLowerCase().replace(/\.$/, ""))) {
      out.push({
        path: ["dns", "customRecords", c, "zone"],
        message: `zone ${quote(zone)} is not listed in dns.zones; add it there with its resourceGroupId`,
      });
    }
  });

  return out;
}
