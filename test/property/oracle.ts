// The oracle: what the app may do to a random estate, written from the issue's
// promises and the README, independently of the app's code (no import from shared/
// policy, plan, dns or core). It sees the estate's ground truth (model.ts) and the
// emulator's state before and after each step (an event, a sweep).
import type { Estate } from "../../sandbox/estate.js";
import {
  ALL_ZONES,
  C_UNREADABLE,
  CONSUMER_SUBS,
  HUB_RG,
  KINDS,
  P_MANAGED,
  ruleGlobs,
  targetName,
  type AllowListModel,
  type Endpoint,
  type RuleModel,
  type Target,
  type World,
} from "./model.js";

export const VIOLATION_KINDS = [
  "approve-outside-policy",
  "reject-outside-policy",
  "revoke-outside-policy",
  "state-change-outside-policy",
  "delete-endpoint-outside-policy",
  "delete-connection-outside-policy",
  "write-outside-managed-scope",
  "dns-write-in-dry-run",
  "dns-unconfigured-zone",
  "dns-foreign-write",
  "dns-delete-in-non-sync-mode",
  "dns-name-outside-target",
  "dns-wrong-ips",
  "dns-for-unapproved-endpoint",
  "dns-delete-live-owner",
  "clean-vs-chaotic-diverge",
  "second-sweep-writes",
  "unaudited-write",
  "unexpected-exception",
] as const;
export type ViolationKind = (typeof VIOLATION_KINDS)[number];

export interface Violation {
  kind: ViolationKind;
  order?: "clean" | "chaotic";
  step?: string;
  detail: string;
}

const lower = (s: string) => s.toLowerCase().replace(/\/+$/, "");

// ---- observed state ------------------------------------------------------------
export interface RecordState {
  zone: string;
  name: string;
  ips: string[];
  metadata: Record<string, string>;
  owner?: string;
  claimants: string[];
}
export interface State {
  conns: Map<string, { id: string; status: string; description: string; endpointId?: string }>;
  endpoints: Map<string, { id: string; status: string[] }>;
  records: Map<string, RecordState>;
}

export function observe(estate: Estate): State {
  const s: State = { conns: new Map(), endpoints: new Map(), records: new Map() };
  for (const r of estate.resources) {
    const type = String(r.type ?? "").toLowerCase();
    const p = r.properties ?? {};
    if (type.endsWith("/privateendpointconnections")) {
      s.conns.set(lower(r.id), {
        id: r.id,
        status: p.privateLinkServiceConnectionState?.status ?? "",
        description: p.privateLinkServiceConnectionState?.description ?? "",
        endpointId: p.privateEndpoint?.id,
      });
    } else if (type === "microsoft.network/privateendpoints") {
      const links = [...(p.manualPrivateLinkServiceConnections ?? []), ...(p.privateLinkServiceConnections ?? [])];
      s.endpoints.set(lower(r.id), { id: r.id, status: links.map((l: any) => l.properties?.privateLinkServiceConnectionState?.status ?? "") });
    } else if (type === "microsoft.network/privatednszones/a") {
      const m = /\/privatednszones\/([^/]+)\/a\/([^/]+)$/i.exec(r.id);
      if (!m) continue;
      const metadata: Record<string, string> = p.metadata ?? {};
      const own = ownership(metadata);
      s.records.set(`${m[1]!.toLowerCase()}/${m[2]!.toLowerCase()}`, {
        zone: m[1]!.toLowerCase(),
        name: m[2]!.toLowerCase(),
        ips: (p.aRecords ?? p.ARecords ?? []).map((a: any) => a.ipv4Address).sort(),
        metadata,
        ...own,
      });
    }
  }
  return s;
}

/** The ownership marker as the README describes it (managedBy, owner[_n], claimantN[_n]); keys case-insensitive. */
export function ownership(metadata: Record<string, string>): { owner?: string; claimants: string[] } {
  const m = new Map(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), v]));
  if (m.get("managedby") !== "privatelink-autopilot") return { claimants: [] };
  const chunked = (key: string) => {
    let v = m.get(key);
    if (!v) return undefined;
    for (let i = 2; m.get(`${key}_${i}`); i++) v += m.get(`${key}_${i}`);
    return v;
  };
  const claimants: string[] = [];
  for (let i = 1; i <= 9; i++) {
    const c = chunked(`claimant${i}`);
    if (c) claimants.push(c);
  }
  return { owner: chunked("owner"), claimants };
}

export interface Write {
  method: string;
  path: string;
  status: number;
}

// ---- policy (independent) ---------------------------------------------------------
function glob(value: string, pattern: string): boolean {
  let re = "^";
  for (const ch of pattern) re += ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\/]/g, "\\$&");
  return new RegExp(re + "$", "i").test(value);
}

export class Policy {
  constructor(
    private readonly allow: AllowListModel,
    private readonly rules: RuleModel[],
  ) {}

  inScope(id: string): boolean {
    const scope = this.allow.scope === 0 ? `/subscriptions/${P_MANAGED}` : `/subscriptions/${P_MANAGED}/resourceGroups/rg-shared`;
    return lower(id) === lower(scope) || lower(id).startsWith(lower(scope) + "/");
  }

  /** Group ids the app can know: the connection's (non-Key Vault providers report them), else the requester's link if readable. */
  private knownGroups(pe: Endpoint): string[] | undefined {
    if (pe.target && pe.target.kind !== "kv") return [pe.groupId];
    return pe.sub === C_UNREADABLE ? undefined : [pe.groupId];
  }

  /** undefined: allowed; else which criterion fails ("groupIds?" when it depends on unknown group ids). */
  private ruleMiss(r: RuleModel, pe: Endpoint, t: Target): string | undefined {
    const subs = CONSUMER_SUBS.filter((_, j) => r.subs[j]);
    if (!(subs.length ? subs : [CONSUMER_SUBS[0]]).some((s) => s === pe.sub)) return "subscription";
    const g = ruleGlobs(r);
    if (g.rg && !glob(pe.rg, g.rg)) return "resourceGroup";
    if (r.types && !r.types.some((k) => KINDS[k].type.toLowerCase() === KINDS[t.kind].type.toLowerCase())) return "type";
    if (g.id && !glob(t.id, g.id)) return "targetId";
    if (r.groupIds) {
      const known = this.knownGroups(pe);
      if (!known) return "groupIds?";
      if (!known.every((x) => r.groupIds!.some((y) => y.toLowerCase() === x.toLowerCase()))) return "groupIds";
    }
    return undefined;
  }

  allows(pe: Endpoint): boolean {
    return !!pe.target && this.inScope(pe.target.id) && this.rules.some((r) => this.ruleMiss(r, pe, pe.target!) === undefined);
  }

  /** No rule allows it, whatever the facts the app cannot know. */
  surelyDisallowed(pe: Endpoint): boolean {
    return (
      !!pe.target &&
      this.rules.every((r) => {
        const m = this.ruleMiss(r, pe, pe.target!);
        return m !== undefined && m !== "groupIds?";
      })
    );
  }

  get mode() {
    return this.allow.mode;
  }

  zoneConfigured(zone: string): boolean {
    return ALL_ZONES.some((z, i) => this.allow.zones[i] && z === zone.toLowerCase());
  }
}

// ---- checks -------------------------------------------------------------------------
export class Oracle {
  /** Connection ids this app approved (in this order's run). */
  readonly approvedByApp = new Set<string>();
  readonly violations: Violation[] = [];

  constructor(
    private readonly w: World,
    private readonly order: "clean" | "chaotic",
  ) {}

  private add(kind: ViolationKind, step: string, detail: string) {
    this.violations.push({ kind, order: this.order, step, detail });
  }

  private endpointById(id: string | undefined): Endpoint | undefined {
    return id ? this.w.endpoints.find((e) => lower(e.id) === lower(id)) : undefined;
  }

  private entitled(endpointId: string, zone: string, name: string): Endpoint | undefined {
    const pe = this.endpointById(endpointId);
    if (!pe?.target) return undefined;
    const n = targetName(pe.target.kind, pe.target.name, pe.groupId);
    return n.zone === zone && n.record === name ? pe : undefined;
  }

  /** One step: state before and after, and the changing writes it made. */
  step(step: string, policy: Policy, before: State, after: State, writes: Write[]): void {
    // Connections: every state change the app caused must be one the allow-list asks for.
    for (const [key, b] of before.conns) {
      const a = after.conns.get(key);
      const pe = this.endpointById(b.endpointId);
      if (!a) {
        const stale = this.w.staleConnections.find((s) => lower(s.id) === key);
        const ok =
          policy.mode === "sync" && this.w.model.allow.deleteStaleConnections && b.status === "Disconnected" && !!stale && policy.inScope(stale.target.id);
        if (!ok) this.add("delete-connection-outside-policy", step, `${b.id} (${b.status}) deleted`);
        continue;
      }
      if (a.status === b.status || a.status === "Disconnected") continue; // Disconnected: the endpoint went away (checked below)
      const inScope = policy.inScope(key);
      const t = `${b.status}→${a.status}`;
      if (t === "Pending→Approved") {
        if (!pe || !inScope || !policy.allows(pe)) this.add("approve-outside-policy", step, `${b.id} approved`);
        this.approvedByApp.add(key);
      } else if (t === "Pending→Rejected") {
        if (!pe || !inScope || this.w.model.allow.unmatched !== "reject" || policy.allows(pe)) this.add("reject-outside-policy", step, `${b.id} rejected`);
      } else if (t === "Approved→Rejected") {
        const ok = this.w.model.allow.revokeRemoved && this.approvedByApp.has(key) && inScope && !!pe && policy.surelyDisallowed(pe);
        if (!ok)
          this.add("revoke-outside-policy", step, `${b.id} revoked (description '${b.description}', approved by this app: ${this.approvedByApp.has(key)})`);
      } else {
        this.add("state-change-outside-policy", step, `${b.id} ${t}`);
      }
    }
    // Endpoints: deleted only when the admins asked for it and the connection's target is ours.
    for (const [key, b] of before.endpoints) {
      if (after.endpoints.has(key)) continue;
      const pe = this.endpointById(b.id);
      const allow = this.w.model.allow;
      const ok =
        allow.deleteDisconnectedEndpoints &&
        policy.mode === "sync" &&
        !!pe &&
        b.status.length > 0 &&
        b.status.every((s) => s === "Disconnected") &&
        !!pe.target &&
        policy.inScope(pe.target.id) &&
        Object.keys(pe.tags).length === 0;
      if (!ok) this.add("delete-endpoint-outside-policy", step, `${b.id} deleted (links ${b.status.join("/")}, target ${pe?.target?.id ?? pe?.alias})`);
    }
    // Every write: where it went.
    const hub = lower(HUB_RG) + "/providers/microsoft.network/privatednszones/";
    const recordsWritten = new Set<string>();
    for (const wr of writes) {
      const path = lower(wr.path);
      if (path.startsWith(hub)) {
        const m = /^([^/]+)\/a\/([^/]+)$/.exec(path.slice(hub.length));
        if (!m) {
          this.add("write-outside-managed-scope", step, `${wr.method} ${wr.path}`);
          continue;
        }
        const [zone, name] = [m[1]!, m[2]!];
        const key = `${zone}/${name}`;
        if (this.w.model.allow.dnsDryRun) this.add("dns-write-in-dry-run", step, `${wr.method} ${wr.path}`);
        if (!policy.zoneConfigured(zone)) this.add("dns-unconfigured-zone", step, `${wr.method} ${wr.path}`);
        const prev = before.records.get(key);
        if (prev && !prev.owner) this.add("dns-foreign-write", step, `${wr.method} ${wr.path} (metadata ${JSON.stringify(prev.metadata)})`);
        if (wr.method === "DELETE" && policy.mode !== "sync") this.add("dns-delete-in-non-sync-mode", step, `${wr.method} ${wr.path} in ${policy.mode}`);
        if (wr.method !== "DELETE") recordsWritten.add(key);
        continue;
      }
      const isEndpointDelete = wr.method === "DELETE" && /\/providers\/microsoft\.network\/privateendpoints\/[^/]+$/.test(path);
      if (isEndpointDelete) continue; // judged above by its effect
      if (!policy.inScope(path)) this.add("write-outside-managed-scope", step, `${wr.method} ${wr.path}`);
    }
    // Records written: each name belongs to its owner's (and claimants') own target, with the owner's IPs, once approved.
    for (const key of recordsWritten) {
      const a = after.records.get(key);
      if (!a?.owner) continue;
      const b = before.records.get(key);
      const newRoles = [
        ...(b?.owner && lower(b.owner) === lower(a.owner) ? [] : [a.owner]),
        ...a.claimants.filter((c) => !b?.claimants.some((x) => lower(x) === lower(c))),
      ];
      for (const who of newRoles) {
        if (!this.entitled(who, a.zone, a.name)) this.add("dns-name-outside-target", step, `${a.name}.${a.zone} names ${who} (owner ${a.owner})`);
      }
      const owner = this.entitled(a.owner, a.zone, a.name);
      if (owner && (b?.owner !== a.owner || b?.ips.join() !== a.ips.join()) && a.ips.join() !== owner.ip) {
        this.add("dns-wrong-ips", step, `${a.name}.${a.zone} → ${a.ips.join(",")}, owner ${owner.name} has ${owner.ip}`);
      }
      const ownerNow = owner ? after.endpoints.get(lower(owner.id)) : undefined;
      // Written for this owner (it took the name or its IPs changed), not a claimant added to a name it still holds.
      const writtenForOwner = b?.owner !== a.owner || b?.ips.join() !== a.ips.join();
      if (owner && writtenForOwner && this.w.model.allow.registerWhen === "approved" && !ownerNow?.status.includes("Approved")) {
        this.add("dns-for-unapproved-endpoint", step, `${a.name}.${a.zone} written for ${owner.name} (links ${ownerNow?.status.join("/") ?? "gone"})`);
      }
    }
    // Records taken from a live, approved, entitled owner.
    for (const [key, b] of before.records) {
      if (!b.owner) continue;
      const a = after.records.get(key);
      if (a && a.owner && lower(a.owner) === lower(b.owner)) continue;
      const owner = this.entitled(b.owner, b.zone, b.name);
      const now = owner ? after.endpoints.get(lower(owner.id)) : undefined;
      if (owner && now?.status.includes("Approved"))
        this.add("dns-delete-live-owner", step, `${b.name}.${b.zone} of live approved ${owner.name} ${a ? `handed to ${a.owner}` : "deleted"}`);
    }
  }
}

/** After the sweeps, in sync mode: no record of ours still points at a readable endpoint that is dead. */
export function finalChecks(w: World, order: "clean" | "chaotic", s: State): Violation[] {
  const a = w.model.allow;
  if (a.mode !== "sync" || a.registerWhen !== "approved" || a.dnsDryRun) return [];
  const out: Violation[] = [];
  for (const r of s.records.values()) {
    if (!r.owner || !ALL_ZONES.some((z, i) => a.zones[i] && z === r.zone)) continue;
    const pe = w.endpoints.find((e) => lower(e.id) === lower(r.owner!));
    const now = pe ? s.endpoints.get(lower(pe.id)) : undefined;
    // Rejected or Disconnected: dead (a Pending owner's old record is left for a human to approve or reject).
    if (pe && now && pe.sub !== C_UNREADABLE && now.status.length > 0 && now.status.every((x) => x === "Rejected" || x === "Disconnected")) {
      out.push({
        kind: "dns-for-unapproved-endpoint",
        order,
        step: "after sweeps",
        detail: `${r.name}.${r.zone} still names ${pe.name} (links ${now.status.join("/")})`,
      });
    }
  }
  return out;
}

/** What must be equal after the clean and the chaotic order (who of several entitled endpoints owns a name may differ). */
export function normalized(s: State): unknown {
  const conns = [...s.conns.entries()].map(([k, v]) => `${k}=${v.status}`).sort();
  const endpoints = [...s.endpoints.keys()].sort();
  const records = [...s.records.entries()]
    .map(([k, r]) => {
      const who = [r.owner, ...r.claimants]
        .filter((x): x is string => !!x)
        .map(lower)
        .sort();
      return `${k}:${r.owner ? who.join("+") : "foreign"}${who.length <= 1 ? `:${r.ips.join(",")}` : ""}`;
    })
    .sort();
  return { conns, endpoints, records };
}
