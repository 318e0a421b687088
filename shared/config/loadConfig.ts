// Parses and validates the allow-list (YAML or JSON) from its text. Never throws: every
// problem comes back with the file, line, column and key path it belongs to, sorted by
// position. Reading it from a file, a folder or a blob is shared/config/sources/.

import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { isScalar, LineCounter, parseDocument, visit } from "yaml";
import schema from "./allow-list.schema.json" with { type: "json" };
import { semanticProblems } from "./semanticChecks.js";
import { zoneNameWarnings } from "./zoneNames.js";
import {
  DEFAULTS,
  type AllowListConfig,
  type ApprovalRule,
  type ConfigProblem,
  type ConfigResult,
  type CustomRecordConfig,
  type DnsMode,
  type DnsZoneConfig,
} from "./types.js";
import { closest, describeValue, quote } from "./text.js";
import { formatPath, pathAtOffset, positionOf, toPosition, type ConfigPath, type PathSegment } from "./yamlLocate.js";

export const ALLOW_LIST_SCHEMA = schema;

/** The keys that name a requester; an allow rule needs one of them. */
const REQUESTER_KEYS = ["requesterSubscriptions", "requesterManagementGroups", "requesterEndpointIds"];

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: false });
    compiled = ajv.compile(schema);
  }
  return compiled;
}

export function formatProblem(p: ConfigProblem): string {
  return p.key ? `${p.file}:${p.line}:${p.column}: ${p.key}: ${p.message}` : `${p.file}:${p.line}:${p.column}: ${p.message}`;
}

export function parseConfigText(text: string, file: string): ConfigResult {
  try {
    return parseUnsafe(text, file);
  } catch (err) {
    // Defensive: a bug here must not take the caller down.
    const message = `internal error while reading the allow-list: ${(err as Error)?.message ?? String(err)}`;
    return { ok: false, file, problems: [{ file, line: 1, column: 1, key: "", message }] };
  }
}

/**
 * Input caps, checked before the schema: a real allow-list is a few KB with a few hundred
 * keys; a huge or key-stuffed file is refused at once with a clear error.
 */
export const MAX_ALLOW_LIST_CHARS = 262_144;
export const MAX_ALLOW_LIST_KEYS = 10_000;

/** A file read and parsed: its data and how to point at a path in it. */
export interface ReadDocument {
  file: string;
  data: Record<string, unknown>;
  /** Where a config path of this file is, for problems. */
  where: Where;
  keys: number;
}

/** Where a config path is (file, line, column, and its key path in that file), for problems. */
export type Where = (path: ConfigPath, anchor: "value" | "key" | "container") => { file: string; line: number; column: number; key: string };

function parseUnsafe(rawText: string, file: string): ConfigResult {
  const read = readDocument(rawText, file);
  if (!read.ok) return read;
  return checkData(read.doc.data, read.doc.where, file);
}

/** Text → a mapping, or the located problems (caps, YAML syntax, keys that are not plain names, not a mapping). */
export function readDocument(rawText: string, file: string): { ok: true; doc: ReadDocument } | { ok: false; file: string; problems: ConfigProblem[] } {
  const text = typeof rawText === "string" ? rawText.replace(/^\uFEFF/, "") : "";
  const tooBig = (message: string) => ({ ok: false as const, file, problems: [{ file, line: 1, column: 1, key: "", message }] });
  if (text.length > MAX_ALLOW_LIST_CHARS) return tooBig(`the file is ${text.length} characters long; an allow-list may have at most ${MAX_ALLOW_LIST_CHARS}`);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: "error" });
  let keys = 0;
  visit(doc, {
    Pair() {
      return ++keys > MAX_ALLOW_LIST_KEYS ? visit.BREAK : undefined;
    },
  });
  if (keys > MAX_ALLOW_LIST_KEYS) return tooBig(`the file has more than ${MAX_ALLOW_LIST_KEYS} keys; an allow-list has a few hundred`);
  const problems: ConfigProblem[] = [];
  const fail = () => ({ ok: false as const, file, problems: sortProblems(problems) });

  // YAML warnings (e.g. an unknown !tag) are treated as errors: the file must mean exactly one thing.
  const yamlIssues = [...doc.errors.map((e) => ({ e, kind: "YAML syntax error" })), ...doc.warnings.map((e) => ({ e, kind: "YAML problem" }))];
  for (const { e, kind } of yamlIssues) {
    const offset = e.pos?.[0] ?? 0;
    const { line, column } = toPosition(lineCounter, offset);
    const path = pathAtOffset(doc, offset);
    let message = `${kind}: ${e.message.split("\n")[0]!.trim()}`;
    if (e.code === "DUPLICATE_KEY") {
      const last = path[path.length - 1];
      const name = typeof last === "string" ? last : text.slice(e.pos[0], e.pos[1]).trim();
      message = `duplicate key ${quote(name)}: a key may appear only once in a mapping`;
    }
    problems.push({ file, line, column, key: formatPath(path), message });
  }
  // Keys must be plain scalars; `? [a, b]: x` would otherwise be silently stringified.
  visit(doc, {
    Pair(_, pair) {
      if (pair.key !== null && !isScalar(pair.key)) {
        const offset = (pair.key as { range?: [number, number, number] }).range?.[0] ?? 0;
        problems.push({
          file,
          ...toPosition(lineCounter, offset),
          key: formatPath(pathAtOffset(doc, offset).slice(0, -1)),
          message: "keys must be plain names, not lists or mappings",
        });
      }
    },
  });
  if (problems.length > 0) return fail();

  if (doc.contents == null || (isScalar(doc.contents) && doc.contents.value == null && doc.contents.source === "")) {
    problems.push({ file, line: 1, column: 1, key: "", message: "the file is empty; expected a mapping with an 'approval' section" });
    return fail();
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    problems.push({ file, line: 1, column: 1, key: "", message: `cannot read the document: ${(err as Error).message}` });
    return fail();
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    const pos = positionOf(doc, lineCounter, [], "value");
    problems.push({
      file,
      ...pos,
      key: "",
      message: `the file must contain a mapping (object) with an 'approval' section, not ${data == null ? "null" : describeValue(data)}`,
    });
    return fail();
  }
  const where: Where = (path, anchor) => ({ file, ...positionOf(doc, lineCounter, path, anchor), key: formatPath(path) });
  return { ok: true, doc: { file, data: data as Record<string, unknown>, where, keys } };
}

/**
 * The schema and the checks it cannot express, on parsed data (one file's, or a folder's
 * merged), then the typed config with every default. `extra` are problems found before
 * (a folder's conflicts); `file` names the result.
 */
export function checkData(data: Record<string, unknown>, where: Where, file: string, extra: ConfigProblem[] = []): ConfigResult {
  const problems: ConfigProblem[] = [...extra];
  const fail = () => ({ ok: false as const, file, problems: sortProblems(problems) });
  const validate = validator();
  const schemaOk = validate(data);
  // Keyed by the path in `data` (a folder's problems carry each file's own key path).
  const seen = new Set<string>();
  if (!schemaOk) {
    const errors = validate.errors ?? [];
    // A misspelt required key shows up twice (unknown key + missing key); keep only the
    // "unknown key ... (did you mean ...)" problem, which says both.
    const suggested = new Set<string>();
    for (const e of errors) {
      if (e.keyword !== "additionalProperties") continue;
      const allowed = Object.keys(((e.parentSchema as Record<string, any>)?.properties ?? {}) as object);
      const hint = closest(String((e.params as Record<string, unknown>).additionalProperty), allowed);
      if (hint) suggested.add(`${e.instancePath}\u0000${hint}`);
    }
    for (const e of errors) {
      // An allow rule without a requester: one problem (below), not one per alternative.
      if (e.schemaPath.includes("/then/anyOf/") || e.keyword === "if") continue;
      if (e.keyword === "anyOf" && REQUESTER_KEYS.some((k) => suggested.has(`${e.instancePath}\u0000${k}`))) continue;
      if (e.keyword === "required" && suggested.has(`${e.instancePath}\u0000${String((e.params as Record<string, unknown>).missingProperty)}`)) {
        continue;
      }
      const p = schemaProblem(e, data, where);
      if (!p || seen.has(p.at)) continue;
      seen.add(p.at);
      problems.push(p.problem);
    }
  }

  for (const raw of semanticProblems(data, (path) => where(path, "value"))) {
    const key = formatPath(raw.path);
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ ...where(raw.path, raw.anchor ?? "value"), message: raw.message });
  }

  if (problems.length > 0) return fail();
  const warnings = zoneNameWarnings(data).map((raw) => ({ ...where(raw.path, raw.anchor ?? "value"), message: raw.message }));
  return { ok: true, file, config: withDefaults(data as unknown as RawConfig), ...(warnings.length ? { warnings: sortProblems(warnings) } : {}) };
}

/** At most this many problems are reported: enough to fix a file, bounded for a hostile one. */
export const MAX_REPORTED_PROBLEMS = 100;

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  const sorted = problems.sort((a, b) => a.line - b.line || a.column - b.column || a.key.localeCompare(b.key));
  if (sorted.length <= MAX_REPORTED_PROBLEMS) return sorted;
  const rest = sorted.length - (MAX_REPORTED_PROBLEMS - 1);
  const first = sorted.slice(0, MAX_REPORTED_PROBLEMS - 1);
  const next = sorted[MAX_REPORTED_PROBLEMS - 1]!;
  return [...first, { file: next.file, line: next.line, column: next.column, key: "", message: `${rest} more problems not shown (fix the ones above first)` }];
}

// ---------------------------------------------------------------------------------------
// Schema errors → problems

function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (!pointer) return [];
  const out: PathSegment[] = [];
  let cur: unknown = data;
  for (const raw of pointer.split("/").slice(1)) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(cur)) {
      const idx = Number(seg);
      out.push(idx);
      cur = cur[idx];
    } else {
      out.push(seg);
      cur = cur && typeof cur === "object" ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  array: "a list",
  object: "a mapping (key: value pairs)",
  boolean: "true or false",
  integer: "a whole number",
  number: "a number",
  null: "empty",
};

const PLACEHOLDERS = ["endpointName", "clusterId", "aliasPrefix", "targetName"];

/** Friendlier messages for `pattern` failures, keyed by the schema definition that failed. */
const PATTERN_MESSAGES: Record<string, (v: string) => string> = {
  guid: (v) => `${quote(v)} is not a subscription id; expected a GUID like 00000000-0000-0000-0000-000000000000`,
  managedScope: (v) => `${quote(v)} is not a managed scope; expected a resource id without wildcards starting with /subscriptions/{subscription GUID}`,
  resourceGroupId: (v) => `${quote(v)} is not a resource group id; expected /subscriptions/{subscription GUID}/resourceGroups/{name}`,
  endpointScope: (v) =>
    `${quote(v)} is not an endpoint scope; expected /subscriptions/{subscription GUID} or /subscriptions/{subscription GUID}/resourceGroups/{name}, no wildcards`,
  resourceIdGlob: (v) => `${quote(v)} is not a resource id pattern; it must start with /subscriptions/ and contain no spaces`,
  resourceGroupGlob: (v) => `${quote(v)} is not a resource group name pattern; use a name such as rg-app-* (no '/' or spaces)`,
  resourceType: (v) => `${quote(v)} is not a resource type; expected something like Microsoft.KeyVault/vaults`,
  groupId: (v) => `${quote(v)} is not a group id; expected a sub-resource name such as vault or blob (no spaces or wildcards)`,
  ruleName: (v) => `${quote(v)}: a name must not start or end with spaces`,
  dnsZoneName: (v) => `${quote(v)} is not a DNS zone name; expected something like privatelink.vaultcore.azure.net`,
  recordNameTemplate: (v) => {
    const bad = [...v.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]!).filter((n) => !PLACEHOLDERS.includes(n));
    const allowed = PLACEHOLDERS.map((p) => `{${p}}`).join(", ");
    if (bad.length > 0) {
      const hint = closest(bad[0]!, PLACEHOLDERS);
      return `unknown placeholder {${bad[0]}}${hint ? ` (did you mean {${hint}}?)` : ""}; allowed: ${allowed}`;
    }
    if (/\s/.test(v)) return `${quote(v)} must not contain spaces`;
    return `${quote(v)} has an unmatched '{' or '}'; placeholders are written {name}, one of ${allowed}`;
  },
};

function schemaProblem(e: ErrorObject, data: unknown, where: Where): { at: string; problem: ConfigProblem } | undefined {
  const path = pointerToPath(e.instancePath, data);
  const at = (p: ConfigPath, anchor: "value" | "key" | "container", message: string) => ({ at: formatPath(p), problem: { ...where(p, anchor), message } });
  const params = e.params;
  const parentSchema = (e.parentSchema ?? {}) as Record<string, any>;

  switch (e.keyword) {
    case "additionalProperties": {
      const name = String(params.additionalProperty);
      const allowed = Object.keys((parentSchema.properties ?? {}) as object);
      const hint = closest(name, allowed);
      const message = hint
        ? `unknown key ${quote(name)} (did you mean ${quote(hint)}?)`
        : `unknown key ${quote(name)}; allowed keys here: ${allowed.join(", ")}`;
      return at([...path, name], "key", message);
    }
    case "required": {
      const name = String(params.missingProperty);
      const where = path.length === 0 ? "at the top level" : `in ${formatPath(path)}`;
      return at([...path, name], "container", `missing required key ${quote(name)} ${where}`);
    }
    case "type": {
      const want = String(params.type)
        .split(",")
        .map((t) => TYPE_WORDS[t] ?? t)
        .join(" or ");
      return at(path, "value", `must be ${want}, but it is ${describeValue(e.data)}`);
    }
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof e.data === "string" ? closest(e.data, allowed) : undefined;
      return at(
        path,
        "value",
        `${describeValue(e.data)} is not allowed; use one of ${allowed.map(quote).join(", ")}${hint ? ` (did you mean ${quote(hint)}?)` : ""}`,
      );
    }
    case "pattern": {
      const def = /#\/definitions\/([^/]+)\/pattern$/.exec(e.schemaPath)?.[1];
      const custom = def ? PATTERN_MESSAGES[def] : undefined;
      const v = String(e.data);
      return at(path, "value", custom ? custom(v) : `${quote(v)} does not have the expected form (pattern ${params.pattern})`);
    }
    case "minItems": {
      const n = Number(params.limit);
      return at(path, "value", n === 1 ? "must list at least one entry" : `must list at least ${n} entries`);
    }
    case "minProperties": {
      const keys = Object.keys((parentSchema.properties ?? {}) as object);
      return at(path, "value", `must set at least one of ${keys.map(quote).join(", ")}`);
    }
    case "anyOf":
      if (e.schemaPath.endsWith("/then/anyOf")) {
        return at(
          path,
          "container",
          "an allow rule must name the requester: add requesterSubscriptions, requesterManagementGroups or requesterEndpointIds (requestMessages is written by the requester, so it can only narrow a rule), or make it a reject rule (action: reject)",
        );
      }
      return at(path, "value", e.message ?? "fails schema check 'anyOf'");
    case "minLength":
      return at(path, "value", Number(params.limit) === 1 ? "must not be empty" : `must be at least ${params.limit} characters long`);
    case "maxLength":
      return at(path, "value", `must be at most ${params.limit} characters long`);
    case "minimum":
      return at(path, "value", `must be at least ${params.limit} (got ${String(e.data)})`);
    case "maximum":
      return at(path, "value", `must be at most ${params.limit} (got ${String(e.data)})`);
    default:
      return at(path, "value", e.message ?? `fails schema check '${e.keyword}'`);
  }
}

// ---------------------------------------------------------------------------------------
// Defaults

interface RawZone {
  name: string;
  resourceGroupId: string;
  custom?: boolean;
  ttl?: number;
  mode?: DnsMode;
}
interface RawConfig {
  approval: Partial<AllowListConfig["approval"]> & { managedScopes: string[]; rules: ApprovalRule[] };
  dns?: Partial<Omit<AllowListConfig["dns"], "zones">> & { zones?: RawZone[] };
  cleanup?: Partial<AllowListConfig["cleanup"]>;
}

function copyRule(r: ApprovalRule): ApprovalRule {
  const out: ApprovalRule = { name: r.name };
  if (r.description !== undefined) out.description = r.description;
  if (r.action === "reject") out.action = "reject";
  if (r.requesterSubscriptions) out.requesterSubscriptions = [...r.requesterSubscriptions];
  if (r.requesterManagementGroups) out.requesterManagementGroups = [...r.requesterManagementGroups];
  if (r.requesterEndpointIds) out.requesterEndpointIds = [...r.requesterEndpointIds];
  if (r.requestMessages) out.requestMessages = [...r.requestMessages];
  if (r.requesterResourceGroups) out.requesterResourceGroups = [...r.requesterResourceGroups];
  if (r.targetResourceTypes) out.targetResourceTypes = [...r.targetResourceTypes];
  if (r.targetResourceIds) out.targetResourceIds = [...r.targetResourceIds];
  if (r.groupIds) out.groupIds = [...r.groupIds];
  return out;
}

function copyCustomRecord(c: CustomRecordConfig): CustomRecordConfig {
  const out: CustomRecordConfig = { name: c.name, match: {}, zone: c.zone, recordName: c.recordName };
  if (c.description !== undefined) out.description = c.description;
  if (c.match.targetResourceIds) out.match.targetResourceIds = [...c.match.targetResourceIds];
  if (c.match.aliases) out.match.aliases = [...c.match.aliases];
  if (c.clusterIds) out.clusterIds = [...c.clusterIds];
  return out;
}

/** Builds the typed config from data that passed validation, filling in every default. */
function withDefaults(raw: RawConfig): AllowListConfig {
  const a = raw.approval;
  const d = raw.dns ?? {};
  const c = raw.cleanup ?? {};
  const mode = d.mode ?? DEFAULTS.dns.mode;
  const ownerId = d.ownerId ?? DEFAULTS.dns.ownerId;
  const ttl = d.ttl ?? DEFAULTS.dns.ttl;
  return {
    approval: {
      managedScopes: [...a.managedScopes],
      unmatched: a.unmatched ?? DEFAULTS.approval.unmatched,
      revokeRemoved: a.revokeRemoved ?? DEFAULTS.approval.revokeRemoved,
      rules: a.rules.map(copyRule),
    },
    dns: {
      ownerId,
      mode,
      ttl,
      registerWhen: d.registerWhen ?? DEFAULTS.dns.registerWhen,
      ...(d.registerFor ? { registerFor: [...d.registerFor] } : {}),
      dryRun: d.dryRun ?? DEFAULTS.dns.dryRun,
      zones: (d.zones ?? []).map((z): DnsZoneConfig => ({
        name: z.name,
        resourceGroupId: z.resourceGroupId,
        ttl: z.ttl ?? ttl,
        mode: z.mode ?? mode,
        ...(z.custom ? { custom: true } : {}),
        ownerId,
      })),
      customRecords: (d.customRecords ?? []).map(copyCustomRecord),
    },
    cleanup: {
      deleteDisconnectedEndpoints: c.deleteDisconnectedEndpoints ?? DEFAULTS.cleanup.deleteDisconnectedEndpoints,
      gracePeriodMinutes: c.gracePeriodMinutes ?? DEFAULTS.cleanup.gracePeriodMinutes,
      exclusionTag: c.exclusionTag ?? DEFAULTS.cleanup.exclusionTag,
      deleteStaleConnections: c.deleteStaleConnections ?? DEFAULTS.cleanup.deleteStaleConnections,
      deleteEndpointsIn: [...(c.deleteEndpointsIn ?? DEFAULTS.cleanup.deleteEndpointsIn)],
    },
  };
}
