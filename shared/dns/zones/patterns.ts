// Label-level helpers for the zone resolver: DNS name normalisation and the
// placeholder patterns of Microsoft's private DNS zone table
// ("privatelink.{regionName}.azmk8s.io", "{workspaceName}-ondemand.sql...").
// Pure functions, no I/O.

/** Placeholders that stand for the resource's own name (the host part of a record). */
export const NAME_PLACEHOLDERS: ReadonlySet<string> = new Set(["cachename", "workspaceName"]);

export type LabelMatcher =
  | { readonly kind: "literal"; readonly text: string }
  | {
      readonly kind: "placeholder";
      /** The label as written, e.g. "{regionName}" or "{workspaceName}-ondemand". */
      readonly text: string;
      readonly re: RegExp;
      /** Placeholder names in capture-group order. */
      readonly names: readonly string[];
    };

export interface Pattern {
  /** Normalised text: literal parts lower-cased, placeholders kept as written. */
  readonly text: string;
  /** Left to right. */
  readonly labels: readonly LabelMatcher[];
  readonly literalCount: number;
}

const PLACEHOLDER_RE = /\{([A-Za-z]+)\}/g;
/** One DNS label of an input name (underscore tolerated, as in service records). */
const LABEL_RE = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
/** What a placeholder may stand for inside one label. */
const PLACEHOLDER_VALUE = "([a-z0-9_-]+)";

export function isPrivatelinkLabel(label: string): boolean {
  return label === "privatelink" || label.startsWith("privatelink-");
}

/** Lower-case everything outside `{...}`, trim, drop one trailing dot. */
export function normalizePatternText(text: string): string {
  const t = text.trim();
  let out = "";
  let last = 0;
  for (const m of t.matchAll(PLACEHOLDER_RE)) {
    out += t.slice(last, m.index).toLowerCase() + m[0];
    last = (m.index ?? 0) + m[0].length;
  }
  out += t.slice(last).toLowerCase();
  return out.endsWith(".") ? out.slice(0, -1) : out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function parseLabel(label: string): LabelMatcher {
  const names: string[] = [];
  let source = "";
  let last = 0;
  for (const m of label.matchAll(PLACEHOLDER_RE)) {
    source += escapeRe(label.slice(last, m.index)) + PLACEHOLDER_VALUE;
    names.push(m[1]!);
    last = (m.index ?? 0) + m[0].length;
  }
  if (names.length === 0) return { kind: "literal", text: label };
  source += escapeRe(label.slice(last));
  return { kind: "placeholder", text: label, re: new RegExp(`^${source}$`), names };
}

/** Parse a zone or forwarder pattern from the table; undefined for an empty or malformed one. */
export function parsePattern(raw: string): Pattern | undefined {
  const text = normalizePatternText(raw);
  if (!text) return undefined;
  const parts = text.split(".");
  if (parts.some((p) => p === "")) return undefined;
  const labels = parts.map(parseLabel);
  return { text, labels, literalCount: labels.filter((l) => l.kind === "literal").length };
}

export function labelTexts(p: Pattern): string[] {
  return p.labels.map((l) => l.text);
}

export function placeholderNames(p: Pattern): Set<string> {
  const out = new Set<string>();
  for (const l of p.labels) if (l.kind === "placeholder") for (const n of l.names) out.add(n);
  return out;
}

/** Replace every `{name}` in a template; undefined when a placeholder has no value. */
export function fillTemplate(template: string, bindings: ReadonlyMap<string, string>): string | undefined {
  let missing = false;
  const out = template.replace(PLACEHOLDER_RE, (_all, name: string) => {
    const v = bindings.get(name);
    if (v === undefined) {
      missing = true;
      return "";
    }
    return v;
  });
  return missing ? undefined : out;
}

export interface NormalizedName {
  /** Lower-cased, trimmed, no trailing dot. */
  readonly fqdn: string;
  readonly labels: readonly string[];
}

/**
 * Validate and normalise an input DNS name. Accepts a leading wildcard label ("*.x.y").
 * Returns undefined for anything that is not a syntactically valid multi-label name.
 */
export function normalizeFqdn(input: unknown): NormalizedName | undefined {
  if (typeof input !== "string") return undefined;
  let s = input.trim().toLowerCase();
  if (s.endsWith(".")) s = s.slice(0, -1);
  if (s.length === 0 || s.length > 253) return undefined;
  const labels = s.split(".");
  if (labels.length < 2) return undefined;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (LABEL_RE.test(l)) continue;
    if (i === 0 && l === "*") continue;
    return undefined;
  }
  return { fqdn: s, labels };
}
