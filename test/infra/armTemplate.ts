// Just enough of ARM's template language to read what a compiled Bicep template deploys:
// variables, parameters (their defaults unless given), property/index access, copy loops over
// literal arrays and the few functions our templates use with constant inputs. Anything that
// only Azure knows at deploy time (reference(), resourceId(), guid(), ...) evaluates to an
// Unresolved marker, so a test can still read the literal parts around it.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

export class Unresolved {
  constructor(readonly expression: string) {}
}

type Json = unknown;
export interface Template {
  parameters?: Record<string, { defaultValue?: Json }>;
  variables?: Record<string, Json>;
  functions?: { namespace: string; members: Record<string, { parameters: { name: string }[]; output: { value: Json } }> }[];
  resources: Record<string, Resource> | Resource[];
  outputs?: Record<string, { value: Json }>;
}
export interface Resource {
  type: string;
  name: Json;
  properties?: Json;
  copy?: { name: string; count: Json; input?: Json };
  existing?: boolean;
  condition?: Json;
  [k: string]: Json;
}

export function loadTemplate(path: string): Template {
  return JSON.parse(readFileSync(path, "utf8")) as Template;
}

export function resourcesOf(t: Template): Resource[] {
  return Array.isArray(t.resources) ? t.resources : Object.values(t.resources);
}

/** A nested deployment's inline template (a Bicep module), by its symbolic name in the Bicep file. */
export function moduleTemplate(t: Template, symbolicName: string): Template {
  const m = Array.isArray(t.resources) ? undefined : t.resources[symbolicName];
  if (!m || m.type !== "Microsoft.Resources/deployments") throw new Error(`no module ${symbolicName}`);
  return (m.properties as { template: Template }).template;
}

/** Where the deployment runs: what managementGroup() and subscription() return. */
export interface DeployContext {
  managementGroup?: string;
  subscriptionId?: string;
}

interface Scope {
  t: Template;
  ctx?: DeployContext;
  params: Record<string, Json>;
  fnParams?: Record<string, Json>;
  lambdaVars?: Record<string, Json>;
  copyIndex?: number;
}

export class Evaluator {
  private readonly cache = new Map<string, Json>();
  constructor(
    readonly t: Template,
    private readonly params: Record<string, Json> = {},
    private readonly ctx: DeployContext = {},
  ) {}

  /** Evaluates a template value (object, array, literal or "[expression]"). */
  value(v: Json, copyIndex?: number): Json {
    return evalValue(v, { t: this.t, ctx: this.ctx, params: this.params, copyIndex }, this.cache);
  }

  variable(name: string): Json {
    return variable(name, { t: this.t, ctx: this.ctx, params: this.params }, this.cache);
  }

  /** Every instance of a resource (one per copy index when it has a copy loop). */
  instances(r: Resource): { name: Json; properties: Json }[] {
    if (!r.copy) return [{ name: this.value(r.name), properties: this.value(r.properties) }];
    const n = this.value(r.copy.count);
    if (typeof n !== "number") throw new Error(`copy count of ${r.type} is not known offline`);
    return Array.from({ length: n }, (_, i) => ({ name: this.value(r.name, i), properties: this.value(r.properties, i) }));
  }
}

function variable(name: string, s: Scope, cache: Map<string, Json>): Json {
  if (cache.has(name)) return cache.get(name);
  const vars = s.t.variables ?? {};
  if (!(name in vars)) throw new Error(`unknown variable ${name}`);
  const v = evalValue(vars[name], { t: s.t, ctx: s.ctx, params: s.params }, cache);
  cache.set(name, v);
  return v;
}

function hasUnresolved(v: Json): boolean {
  if (v instanceof Unresolved) return true;
  if (Array.isArray(v)) return v.some(hasUnresolved);
  if (v && typeof v === "object") return Object.values(v).some(hasUnresolved);
  return false;
}

function evalValue(v: Json, s: Scope, cache: Map<string, Json>): Json {
  if (typeof v === "string") {
    if (v.startsWith("[[")) return v.slice(1);
    if (v.startsWith("[") && v.endsWith("]")) return evalExpr(new Parser(v.slice(1, -1)).parse(), s, cache, v);
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => evalValue(x, s, cache));
  if (v && typeof v === "object") {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) out[k] = evalValue(x, s, cache);
    return out;
  }
  return v;
}

type Node = { k: "lit"; v: Json } | { k: "call"; name: string; args: Node[] } | { k: "prop"; of: Node; name: string } | { k: "index"; of: Node; index: Node };

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): Node {
    const n = this.expr();
    this.ws();
    if (this.i !== this.s.length) throw new Error(`unexpected ${this.s.slice(this.i)} in ${this.s}`);
    return n;
  }

  private ws() {
    while (this.s[this.i] === " ") this.i++;
  }

  private expr(): Node {
    this.ws();
    let n = this.primary();
    for (;;) {
      this.ws();
      const c = this.s[this.i];
      if (c === ".") {
        this.i++;
        n = { k: "prop", of: n, name: this.ident() };
      } else if (c === "[") {
        this.i++;
        const index = this.expr();
        this.expect("]");
        n = { k: "index", of: n, index };
      } else return n;
    }
  }

  private primary(): Node {
    const c = this.s[this.i];
    if (c === "'") {
      let out = "";
      this.i++;
      for (;;) {
        const ch = this.s[this.i++];
        if (ch === undefined) throw new Error(`unterminated string in ${this.s}`);
        if (ch === "'") {
          if (this.s[this.i] === "'") {
            out += "'";
            this.i++;
          } else break;
        } else out += ch;
      }
      return { k: "lit", v: out };
    }
    if (c !== undefined && /[-0-9]/.test(c)) {
      const m = /^-?\d+/.exec(this.s.slice(this.i))!;
      this.i += m[0].length;
      return { k: "lit", v: Number(m[0]) };
    }
    let name = this.ident();
    // Namespaced user-defined function: ns.fn(...)
    if (this.s[this.i] === "." && /^\.[A-Za-z_][\w]*\(/.test(this.s.slice(this.i))) {
      this.i++;
      name += "." + this.ident();
    }
    this.expect("(");
    const args: Node[] = [];
    this.ws();
    if (this.s[this.i] !== ")") {
      for (;;) {
        args.push(this.expr());
        this.ws();
        if (this.s[this.i] === ",") {
          this.i++;
          continue;
        }
        break;
      }
    }
    this.expect(")");
    return { k: "call", name, args };
  }

  private ident(): string {
    const m = /^[A-Za-z_$][\w$]*/.exec(this.s.slice(this.i));
    if (!m) throw new Error(`expected a name at ${this.s.slice(this.i)} in ${this.s}`);
    this.i += m[0].length;
    return m[0];
  }

  private expect(ch: string) {
    this.ws();
    if (this.s[this.i] !== ch) throw new Error(`expected ${ch} at ${this.s.slice(this.i)} in ${this.s}`);
    this.i++;
  }
}

function evalExpr(n: Node, s: Scope, cache: Map<string, Json>, source: string): Json {
  const ev = (x: Node) => evalExpr(x, s, cache, source);
  switch (n.k) {
    case "lit":
      return n.v;
    case "prop": {
      const o = ev(n.of);
      if (o instanceof Unresolved) return o;
      if (o === null || typeof o !== "object") throw new Error(`.${n.name} of a non-object in ${source}`);
      return (o as Record<string, Json>)[n.name];
    }
    case "index": {
      const o = ev(n.of);
      const i = ev(n.index);
      if (o instanceof Unresolved || i instanceof Unresolved) return new Unresolved(source);
      return (o as Record<string, Json>)[i as string];
    }
    case "call":
      return call(n.name, n.args, s, cache, source, ev);
  }
}

function call(name: string, argNodes: Node[], s: Scope, cache: Map<string, Json>, source: string, ev: (n: Node) => Json): Json {
  const args = () => argNodes.map(ev);
  switch (name) {
    case "variables":
      return variable(ev(argNodes[0]!) as string, s, cache);
    case "parameters": {
      const p = ev(argNodes[0]!) as string;
      if (s.fnParams && p in s.fnParams) return s.fnParams[p];
      if (p in s.params) return s.params[p];
      const def = s.t.parameters?.[p];
      if (!def) throw new Error(`unknown parameter ${p}`);
      return def.defaultValue === undefined
        ? new Unresolved(`parameters('${p}')`)
        : evalValue(def.defaultValue, { t: s.t, ctx: s.ctx, params: s.params }, cache);
    }
    case "copyIndex":
      if (s.copyIndex === undefined) throw new Error(`copyIndex() outside a loop in ${source}`);
      return s.copyIndex + (argNodes.length ? (ev(argNodes[0]!) as number) : 0);
    case "true":
      return true;
    case "false":
      return false;
    case "null":
      return null;
    case "lambdaVariables":
      return s.lambdaVars?.[ev(argNodes[0]!) as string];
    case "filter":
    case "map": {
      const arr = ev(argNodes[0]!);
      const lam = argNodes[1]!;
      if (arr instanceof Unresolved) return arr;
      if (lam.k !== "call" || lam.name !== "lambda" || lam.args.length !== 2) throw new Error(`${name} without a one-argument lambda in ${source}`);
      const v = ev(lam.args[0]!) as string;
      const apply = (x: Json) => evalExpr(lam.args[1]!, { ...s, lambdaVars: { ...s.lambdaVars, [v]: x } }, cache, source);
      return name === "filter" ? (arr as Json[]).filter((x) => apply(x) === true) : (arr as Json[]).map(apply);
    }
    case "if": {
      const c = ev(argNodes[0]!);
      return c instanceof Unresolved ? new Unresolved(source) : ev(argNodes[c ? 1 : 2]!);
    }
  }
  const a = args();
  const ctx = s.ctx ?? {};
  if (name === "managementGroup" && ctx.managementGroup)
    return { id: `/providers/Microsoft.Management/managementGroups/${ctx.managementGroup}`, name: ctx.managementGroup };
  if (name === "subscription" && ctx.subscriptionId && a.length === 0)
    return { id: `/subscriptions/${ctx.subscriptionId}`, subscriptionId: ctx.subscriptionId };
  if (name === "subscriptionResourceId" && ctx.subscriptionId && a.length >= 2 && !a.some(hasUnresolved)) {
    return `/subscriptions/${ctx.subscriptionId}/providers/${String(a[0])}/${a.slice(1).join("/")}`;
  }
  if (name === "tenantResourceId" && !a.some(hasUnresolved)) return `/providers/${String(a[0])}/${a.slice(1).join("/")}`;
  // Not ARM's own algorithm, but as deterministic: equal inputs give equal ids, which is what the tests compare.
  if (name === "guid" && !a.some(hasUnresolved)) return deterministicGuid(a as string[]);
  // User-defined functions pass unresolved arguments through to their body.
  const dot = name.indexOf(".");
  if (dot > 0) {
    const [ns, fn] = [name.slice(0, dot), name.slice(dot + 1)];
    const def = s.t.functions?.find((f) => f.namespace === ns)?.members[fn];
    if (!def) throw new Error(`unknown user-defined function ${name}`);
    const fnParams = Object.fromEntries(def.parameters.map((p, i) => [p.name, a[i]]));
    return evalValue(def.output.value, { t: s.t, ctx: s.ctx, params: s.params, fnParams }, cache);
  }
  if (a.some(hasUnresolved)) return new Unresolved(source);
  switch (name) {
    case "objectKeys":
      return Object.keys(a[0] as object);
    case "length":
      return Array.isArray(a[0]) || typeof a[0] === "string" ? (a[0] as unknown[]).length : Object.keys(a[0] as object).length;
    case "format":
      // .NET composite formatting: {n} is an argument, {{ and }} are literal braces.
      return (a[0] as string).replace(/\{\{|\}\}|\{(\d+)\}/g, (m, i) => (m === "{{" ? "{" : m === "}}" ? "}" : String(a[Number(i) + 1])));
    case "concat":
      return Array.isArray(a[0]) ? (a as unknown[][]).flat() : a.join("");
    case "empty":
      return (
        a[0] === "" ||
        a[0] === null ||
        (Array.isArray(a[0]) && a[0].length === 0) ||
        (typeof a[0] === "object" && a[0] !== null && Object.keys(a[0]).length === 0)
      );
    case "not":
      return !a[0];
    case "equals":
      return JSON.stringify(a[0]) === JSON.stringify(a[1]);
    case "string":
      return typeof a[0] === "string" ? a[0] : JSON.stringify(a[0]);
    case "join":
      return (a[0] as string[]).join(a[1] as string);
    case "split":
      return (a[0] as string).split(a[1] as string);
    case "createObject": {
      const o: Record<string, Json> = {};
      for (let i = 0; i < a.length; i += 2) o[a[i] as string] = a[i + 1];
      return o;
    }
    case "createArray":
      return a;
  }
  // Deploy-time functions (reference, resourceId, guid, subscription, environment, ...).
  return new Unresolved(source);
}

function deterministicGuid(parts: string[]): string {
  const h = createHash("sha1").update(parts.join("-")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
