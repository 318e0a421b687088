// ARM resource ids are case-insensitive everywhere; real payloads mix
// `resourcegroups` and `resourceGroups`. Every comparison goes through here.

export interface ResourceIdSegment {
  type: string;
  name: string;
}

export interface ParsedResourceId {
  /** The id as given, without a trailing slash. */
  id: string;
  subscriptionId: string;
  resourceGroup?: string;
  /** Resource provider namespace, e.g. `Microsoft.KeyVault`. */
  provider?: string;
  /** Full type, e.g. `Microsoft.KeyVault/vaults/privateEndpointConnections`. */
  type?: string;
  /** Last segment's name. */
  name?: string;
  /** Type/name pairs below the provider, outermost first. */
  segments: ResourceIdSegment[];
}

/** Real ARM ids are a few hundred characters; longer input is refused before any work on it. */
export const MAX_RESOURCE_ID_LENGTH = 2048;

export class InvalidResourceIdError extends Error {
  constructor(id: unknown, why: string) {
    const shown = typeof id === "string" && id.length > 120 ? `${id.slice(0, 120)}…` : id;
    super(`invalid resource id ${JSON.stringify(shown)}: ${why}`);
    this.name = "InvalidResourceIdError";
  }
}

/** Parses `/subscriptions/{s}[/resourceGroups/{rg}][/providers/{ns}/{type}/{name}[/{type}/{name}]...]`. */
export function parseResourceId(id: string): ParsedResourceId {
  if (typeof id !== "string" || !id.startsWith("/")) throw new InvalidResourceIdError(id, "must start with /");
  if (id.length > MAX_RESOURCE_ID_LENGTH)
    throw new InvalidResourceIdError(id, `${id.length} characters long; real ARM ids have at most ${MAX_RESOURCE_ID_LENGTH}`);
  const trimmed = trimSlashes(id);
  const parts = trimmed.split("/").slice(1);
  if (parts.some((p) => p.length === 0)) throw new InvalidResourceIdError(id, "empty segment");
  if (parts[0]?.toLowerCase() !== "subscriptions" || !parts[1]) {
    throw new InvalidResourceIdError(id, "must start with /subscriptions/{id}");
  }
  const out: ParsedResourceId = { id: trimmed, subscriptionId: parts[1], segments: [] };
  let i = 2;
  if (parts[i]?.toLowerCase() === "resourcegroups") {
    if (!parts[i + 1]) throw new InvalidResourceIdError(id, "resourceGroups without a name");
    out.resourceGroup = parts[i + 1];
    i += 2;
  }
  if (i >= parts.length) return out;
  if (parts[i]?.toLowerCase() !== "providers" || !parts[i + 1]) {
    throw new InvalidResourceIdError(id, `expected providers/{namespace} at segment ${i + 1}`);
  }
  out.provider = parts[i + 1];
  const rest = parts.slice(i + 2);
  if (rest.length === 0 || rest.length % 2 !== 0) {
    throw new InvalidResourceIdError(id, "type and name segments must come in pairs");
  }
  for (let j = 0; j < rest.length; j += 2) out.segments.push({ type: rest[j]!, name: rest[j + 1]! });
  out.type = [out.provider, ...out.segments.map((s) => s.type)].join("/");
  out.name = out.segments[out.segments.length - 1]!.name;
  return out;
}

export function tryParseResourceId(id: unknown): ParsedResourceId | undefined {
  try {
    return typeof id === "string" ? parseResourceId(id) : undefined;
  } catch {
    return undefined;
  }
}

/** Canonical key for maps and comparisons: lower case, no trailing slash. */
export function idKey(id: string): string {
  return trimSlashes(id).toLowerCase();
}

/** Drops trailing slashes in linear time (the regex /\/+$/ backtracks quadratically on a run of slashes not at the end). */
function trimSlashes(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 47) end--;
  return end === s.length ? s : s.slice(0, end);
}

export function sameId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && idKey(a) === idKey(b);
}

/** True when `id` equals `scope` or lies below it (segment-wise, case-insensitive). */
export function isWithinScope(id: string, scope: string): boolean {
  const i = idKey(id);
  const s = idKey(scope);
  return i === s || i.startsWith(s + "/");
}

/** Id of the parent resource (drops the last type/name pair); undefined at the top. */
export function parentResourceId(id: string): string | undefined {
  const p = parseResourceId(id);
  if (p.segments.length < 2) return undefined;
  return p.id.split("/").slice(0, -2).join("/");
}

/** Case-insensitive type comparison (`Microsoft.KeyVault/vaults` vs `microsoft.keyvault/Vaults`). */
export function sameType(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}
