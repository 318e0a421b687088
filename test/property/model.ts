// Random estates and allow-lists for the safety proof (fast-check arbitraries), and
// their materialisation as ARM bodies the emulator loads. The model is small and
// abstract (indices, flags) so fast-check can shrink a failing estate to a few lines.
import fc from "fast-check";
import type { ArmResource, Estate } from "../../sandbox/estate.js";

// ---- the fixed world ----------------------------------------------------------
/** Provider subscription inside managedScopes (all of it, or only rg-shared). */
export const P_MANAGED = "22222222-2222-2222-2222-222222222222";
/** Another business unit's / partner's provider subscription: never in managedScopes. */
export const P_FOREIGN = "55555555-5555-5555-5555-555555555555";
/** Consumer subscriptions: two watched ones and one in a tenant this identity cannot read. */
export const C_WEB = "11111111-1111-1111-1111-111111111111";
export const C_DATA = "44444444-4444-4444-4444-444444444444";
export const C_UNREADABLE = "99999999-9999-9999-9999-999999999999";
export const HUB = "33333333-3333-3333-3333-333333333333";
export const HUB_RG = `/subscriptions/${HUB}/resourceGroups/rg-dns`;
/** The app's own object id (events may claim it). */
export const APP_OID = "0a0a0a0a-0000-4000-8000-00000000a99a";
export const LOCATION = "westeurope";
export const CONSUMER_SUBS = [C_WEB, C_DATA, C_UNREADABLE] as const;
export const CONSUMER_RGS = ["rg-app", "rg-data-team", "rg-x"] as const;

/** Provider kinds: ARM type, the group id a consumer asks for, the zone its FQDN lives in. */
export const KINDS = {
  kv: { type: "Microsoft.KeyVault/vaults", groupIds: ["vault"] },
  st: { type: "Microsoft.Storage/storageAccounts", groupIds: ["blob", "file"] },
  sql: { type: "Microsoft.Sql/servers", groupIds: ["sqlServer"] },
  amr: { type: "Microsoft.Cache/redisEnterprise", groupIds: ["redisEnterprise"] },
} as const;
export type Kind = keyof typeof KINDS;
export const KIND_NAMES = Object.keys(KINDS) as Kind[];

/** The public FQDN a target serves for a group id, and the privatelink zone + record that name lands in. Written from Microsoft's zone table, independently of shared/dns. */
export function targetName(kind: Kind, name: string, groupId: string): { fqdn: string; zone: string; record: string } {
  const n = name.toLowerCase();
  switch (kind) {
    case "kv":
      return { fqdn: `${n}.vault.azure.net`, zone: "privatelink.vaultcore.azure.net", record: n };
    case "st": {
      const g = groupId.toLowerCase() === "file" ? "file" : "blob";
      return { fqdn: `${n}.${g}.core.windows.net`, zone: `privatelink.${g}.core.windows.net`, record: n };
    }
    case "sql":
      return { fqdn: `${n}.database.windows.net`, zone: "privatelink.database.windows.net", record: n };
    case "amr":
      return { fqdn: `${n}.${LOCATION}.redis.azure.net`, zone: "privatelink.redis.azure.net", record: `${n}.${LOCATION}` };
  }
}
export const ALL_ZONES = [
  "privatelink.vaultcore.azure.net",
  "privatelink.blob.core.windows.net",
  "privatelink.file.core.windows.net",
  "privatelink.database.windows.net",
  "privatelink.redis.azure.net",
];

// ---- the model ----------------------------------------------------------------
export type LinkState = "Pending" | "Approved-human" | "Approved-forged" | "Rejected" | "Disconnected";
export interface TargetModel {
  kind: Kind;
  /** 0: managed sub rg-shared, 1: managed sub rg-other, 2: foreign sub. */
  place: 0 | 1 | 2;
}
export interface EndpointModel {
  sub: 0 | 1 | 2;
  rg: 0 | 1 | 2;
  /** Index into targets (mod length), or -1: a partner's Private Link alias. */
  target: number;
  /** Which of the kind's group ids. */
  group: 0 | 1;
  state: LinkState;
  /** Index of another target whose FQDN the consumer writes into its own customDnsConfigs (-1: none). */
  hijack: number;
  /** customDnsConfigs empty (the app must read the NIC). */
  noCustomDns: boolean;
  excluded: boolean;
}
export interface RecordModel {
  /** Which target's name (mod targets). */
  target: number;
  /** foreign: no marker; owned: marker naming `owner`. */
  kind: "foreign" | "owned-endpoint" | "owned-ghost";
  /** Endpoint index for owned-endpoint. */
  owner: number;
  /** The zone is configured or not (a record set in an unconfigured zone). */
}
export interface RuleModel {
  subs: boolean[];
  rgGlob: 0 | 1 | 2 | 3; // none | rg-app | rg-* | *-team
  types?: Kind[];
  idGlob: 0 | 1 | 2; // none | */rg-shared/* | */*-a
  groupIds?: string[];
}
export interface AllowListModel {
  scope: 0 | 1; // whole managed sub | its rg-shared
  unmatched: "leave-pending" | "reject";
  revokeRemoved: boolean;
  rules: RuleModel[];
  /** Rules dropped before the sweeps (the admins narrowed the list). */
  dropBeforeSweeps: boolean[];
  mode: "sync" | "upsert-only" | "create-only";
  dnsDryRun: boolean;
  registerWhen: "approved" | "always";
  zones: boolean[];
  deleteDisconnectedEndpoints: boolean;
  deleteStaleConnections: boolean;
}
export interface GhostModel {
  /** Event for an endpoint that does not exist: write or delete. */
  kind: "write" | "delete" | "connection-write";
  n: number;
}
export interface ChaosStep {
  /** Which clean event (mod count). */
  pick: number;
  variant: "same" | "upper" | "slash" | "lower-sub";
  /** A new event id (an event Azure sent twice with different ids) instead of a redelivery. */
  freshId: boolean;
}
export interface EstateModel {
  targets: TargetModel[];
  endpoints: EndpointModel[];
  /** Provider-side Disconnected connections whose endpoint is gone (stale). */
  stale: number[];
  records: RecordModel[];
  ghosts: GhostModel[];
  /** Forged events claiming the app's own identity (index of endpoint). */
  selfEvents: number[];
  /** Forged delete events for endpoints that exist. */
  forgedDeletes: number[];
  allow: AllowListModel;
  chaos: { steps: ChaosStep[]; drop: boolean[] };
}

const ruleArb: fc.Arbitrary<RuleModel> = fc.record(
  {
    subs: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
    rgGlob: fc.constantFrom<0 | 1 | 2 | 3>(0, 1, 2, 3),
    types: fc.subarray(KIND_NAMES, { minLength: 1 }),
    idGlob: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
    groupIds: fc.subarray(["vault", "blob", "file", "sqlServer", "redisEnterprise"], { minLength: 1 }),
  },
  { requiredKeys: ["subs", "rgGlob", "idGlob"] },
);

export const estateArb: fc.Arbitrary<EstateModel> = fc.record({
  targets: fc.array(fc.record({ kind: fc.constantFrom(...KIND_NAMES), place: fc.constantFrom<0 | 1 | 2>(0, 0, 1, 2) }), { minLength: 1, maxLength: 4 }),
  endpoints: fc.array(
    fc.record({
      sub: fc.constantFrom<0 | 1 | 2>(0, 0, 1, 2),
      rg: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
      target: fc.oneof({ weight: 9, arbitrary: fc.nat(7) }, { weight: 1, arbitrary: fc.constant(-1) }),
      group: fc.constantFrom<0 | 1>(0, 1),
      state: fc.constantFrom<LinkState>("Pending", "Pending", "Pending", "Approved-human", "Approved-forged", "Rejected", "Disconnected"),
      hijack: fc.oneof({ weight: 4, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat(7) }),
      noCustomDns: fc.boolean(),
      excluded: fc.boolean(),
    }),
    { maxLength: 5 },
  ),
  stale: fc.array(fc.nat(7), { maxLength: 2 }),
  records: fc.array(
    fc.record({ target: fc.nat(7), kind: fc.constantFrom<RecordModel["kind"]>("foreign", "owned-endpoint", "owned-ghost"), owner: fc.nat(7) }),
    { maxLength: 3 },
  ),
  ghosts: fc.array(fc.record({ kind: fc.constantFrom<GhostModel["kind"]>("write", "delete", "connection-write"), n: fc.nat(3) }), { maxLength: 2 }),
  selfEvents: fc.array(fc.nat(7), { maxLength: 2 }),
  forgedDeletes: fc.array(fc.nat(7), { maxLength: 1 }),
  allow: fc.record({
    scope: fc.constantFrom<0 | 1>(0, 1),
    unmatched: fc.constantFrom<"leave-pending" | "reject">("leave-pending", "reject"),
    revokeRemoved: fc.boolean(),
    rules: fc.array(ruleArb, { maxLength: 3 }),
    dropBeforeSweeps: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    mode: fc.constantFrom<AllowListModel["mode"]>("sync", "sync", "upsert-only", "create-only"),
    dnsDryRun: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    registerWhen: fc.oneof({ weight: 5, arbitrary: fc.constant("approved" as const) }, { weight: 1, arbitrary: fc.constant("always" as const) }),
    zones: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), {
      minLength: ALL_ZONES.length,
      maxLength: ALL_ZONES.length,
    }),
    deleteDisconnectedEndpoints: fc.boolean(),
    deleteStaleConnections: fc.boolean(),
  }),
  chaos: fc.record({
    steps: fc.array(
      fc.record({
        pick: fc.nat(40),
        variant: fc.constantFrom<ChaosStep["variant"]>("same", "same", "upper", "slash", "lower-sub"),
        freshId: fc.boolean(),
      }),
      { maxLength: 14 },
    ),
    drop: fc.array(fc.boolean(), { minLength: 0, maxLength: 12 }),
  }),
});

// ---- materialisation ------------------------------------------------------------
export interface Target {
  id: string;
  kind: Kind;
  name: string;
  sub: string;
  rg: string;
}
export interface Endpoint {
  id: string;
  name: string;
  sub: string;
  rg: string;
  /** Target id, or a partner alias. */
  target?: Target;
  alias?: string;
  groupId: string;
  state: LinkState;
  ip: string;
  /** Provider-side connection id (absent for Disconnected: the provider removed it). */
  connectionId?: string;
  tags: Record<string, string>;
}
export interface World {
  model: EstateModel;
  estate: Estate;
  targets: Target[];
  endpoints: Endpoint[];
  /** Stale provider connections (endpoint gone). */
  staleConnections: { id: string; target: Target; endpointId: string }[];
  /** Record sets present at the start: key zone/name → foreign? */
  initialRecords: Map<string, { foreign: boolean }>;
  allowList: string;
  /** The allow-list in force for the sweeps (equal to allowList, or narrowed). */
  allowListForSweeps: string;
  events: RawEvent[];
}
export interface RawEvent {
  id: string;
  eventType: string;
  subject: string;
  data: Record<string, unknown>;
  [k: string]: unknown;
}

const EXCLUSION_TAG = "privatelink-autopilot-keep";

export function materialize(m: EstateModel): World {
  const resources: ArmResource[] = [];
  const targets: Target[] = m.targets.map((t, i) => {
    const sub = t.place === 2 ? P_FOREIGN : P_MANAGED;
    const rg = t.place === 1 ? "rg-other" : "rg-shared";
    const name = `${t.kind}${i}-${i % 2 ? "a" : "b"}`;
    return { id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/${KINDS[t.kind].type}/${name}`, kind: t.kind, name, sub, rg };
  });
  for (const t of targets) resources.push({ id: t.id, type: KINDS[t.kind].type, location: LOCATION, properties: { provisioningState: "Succeeded" } });
  for (const z of ALL_ZONES)
    resources.push({
      id: `${HUB_RG}/providers/Microsoft.Network/privateDnsZones/${z}`,
      type: "Microsoft.Network/privateDnsZones",
      location: "global",
      properties: {},
    });

  let ipSeq = 4;
  const endpoints: Endpoint[] = m.endpoints.map((e, i) => {
    const sub = CONSUMER_SUBS[e.sub];
    const rg = CONSUMER_RGS[e.rg];
    const name = `pe${i}`;
    const target = e.target >= 0 ? targets[e.target % targets.length] : undefined;
    const groupId = target ? KINDS[target.kind].groupIds[e.group % KINDS[target.kind].groupIds.length]! : "";
    const tags: Record<string, string> = e.excluded ? { [EXCLUSION_TAG]: "yes" } : {};
    return {
      id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/privateEndpoints/${name}`,
      name,
      sub,
      rg,
      target,
      alias: target ? undefined : `partner${i}.0f1e2d3c-aaaa-bbbb-cccc-0123456789ab.westeurope.azure.privatelinkservice`,
      groupId,
      state: e.state,
      ip: `10.20.${i}.${ipSeq++}`,
      connectionId: target && e.state !== "Disconnected" ? `${target.id}/privateEndpointConnections/${name}.conn` : undefined,
      tags,
    };
  });

  endpoints.forEach((pe, i) => {
    const em = m.endpoints[i]!;
    const status = pe.state.startsWith("Approved") ? "Approved" : pe.state;
    const description =
      pe.state === "Approved-forged"
        ? "Approved by privatelink-autopilot (rule 'corp'). Request: trust me"
        : pe.state === "Approved-human"
          ? "Approved by alice@corp"
          : pe.state === "Rejected"
            ? "Rejected by bob"
            : "please";
    const state = { status, description, actionsRequired: "None" };
    const nicId = `/subscriptions/${pe.sub}/resourceGroups/${pe.rg}/providers/Microsoft.Network/networkInterfaces/${pe.name}.nic`;
    const own = pe.target ? targetName(pe.target.kind, pe.target.name, pe.groupId) : undefined;
    const hijacked = em.hijack >= 0 ? targets[em.hijack % targets.length] : undefined;
    const customDns: { fqdn: string; ipAddresses: string[] }[] = [];
    if (!em.noCustomDns && own) customDns.push({ fqdn: own.fqdn, ipAddresses: [pe.ip] });
    if (hijacked) customDns.push({ fqdn: targetName(hijacked.kind, hijacked.name, KINDS[hijacked.kind].groupIds[0]).fqdn, ipAddresses: [pe.ip] });
    resources.push({
      id: pe.id,
      type: "Microsoft.Network/privateEndpoints",
      location: LOCATION,
      tags: pe.tags,
      etag: `W/"pe-${i}"`,
      properties: {
        provisioningState: "Succeeded",
        subnet: { id: `/subscriptions/${pe.sub}/resourceGroups/${pe.rg}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe` },
        manualPrivateLinkServiceConnections: [
          {
            name: pe.name,
            id: `${pe.id}/manualPrivateLinkServiceConnections/${pe.name}`,
            properties: {
              privateLinkServiceId: pe.target?.id ?? pe.alias,
              groupIds: pe.target ? [pe.groupId] : [],
              requestMessage: "please",
              privateLinkServiceConnectionState: state,
              provisioningState: "Succeeded",
            },
          },
        ],
        privateLinkServiceConnections: [],
        networkInterfaces: [{ id: nicId }],
        customDnsConfigs: customDns,
      },
    });
    resources.push({
      id: nicId,
      type: "Microsoft.Network/networkInterfaces",
      location: LOCATION,
      properties: {
        provisioningState: "Succeeded",
        privateEndpoint: { id: pe.id },
        ipConfigurations: [
          {
            name: "privateEndpointIpConfig.0",
            id: `${nicId}/ipConfigurations/privateEndpointIpConfig.0`,
            properties: {
              privateIPAddress: pe.ip,
              privateLinkConnectionProperties: { groupId: pe.groupId, requiredMemberName: pe.groupId || "default", fqdns: own ? [own.fqdn] : [] },
            },
          },
        ],
      },
    });
    if (pe.connectionId && pe.target) {
      resources.push({
        id: pe.connectionId,
        type: `${KINDS[pe.target.kind].type}/privateEndpointConnections`,
        etag: `W/"c-${i}"`,
        properties: {
          privateEndpoint: { id: pe.id },
          privateLinkServiceConnectionState: state,
          provisioningState: "Succeeded",
          ...(pe.target.kind === "kv" ? {} : { groupIds: [pe.groupId] }),
        },
      });
    }
  });

  const staleConnections = m.stale.map((t, i) => {
    const target = targets[t % targets.length]!;
    const endpointId = `/subscriptions/${C_WEB}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/gone${i}`;
    const id = `${target.id}/privateEndpointConnections/gone${i}.conn`;
    resources.push({
      id,
      type: `${KINDS[target.kind].type}/privateEndpointConnections`,
      etag: `W/"s-${i}"`,
      properties: {
        privateEndpoint: { id: endpointId },
        privateLinkServiceConnectionState: { status: "Disconnected", description: "", actionsRequired: "None" },
        provisioningState: "Succeeded",
      },
    });
    return { id, target, endpointId };
  });

  const initialRecords = new Map<string, { foreign: boolean }>();
  m.records.forEach((r, i) => {
    const target = targets[r.target % targets.length]!;
    const n = targetName(target.kind, target.name, KINDS[target.kind].groupIds[0]);
    const key = `${n.zone}/${n.record}`;
    if (initialRecords.has(key)) return;
    const owner =
      r.kind === "owned-endpoint" && endpoints.length
        ? endpoints[r.owner % endpoints.length]!.id
        : `/subscriptions/${C_WEB}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/ghost${i}`;
    const metadata = r.kind === "foreign" ? { team: "dba" } : { managedBy: "privatelink-autopilot", owner };
    initialRecords.set(key, { foreign: r.kind === "foreign" });
    resources.push({
      id: `${HUB_RG}/providers/Microsoft.Network/privateDnsZones/${n.zone}/A/${n.record}`,
      type: "Microsoft.Network/privateDnsZones/A",
      etag: `0000000${i}-0000-4000-8000-000000000000`,
      properties: { ttl: 300, metadata, aRecords: [{ ipv4Address: `10.99.0.${10 + i}` }] },
    });
  });

  const allowList = allowListYaml(m.allow, m.allow.rules);
  const narrowed = m.allow.rules.filter((_, i) => !m.allow.dropBeforeSweeps[i]);
  return {
    model: m,
    estate: { resources },
    targets,
    endpoints,
    staleConnections,
    initialRecords,
    allowList,
    allowListForSweeps: narrowed.length === m.allow.rules.length ? allowList : allowListYaml(m.allow, narrowed),
    events: cleanEvents(m, targets, endpoints, staleConnections),
  };
}

export function ruleGlobs(r: RuleModel): { rg?: string; id?: string } {
  return {
    rg: [undefined, "rg-app", "rg-*", "*-team"][r.rgGlob],
    id: [undefined, "/subscriptions/*/resourceGroups/rg-shared/*", "/subscriptions/*-a"][r.idGlob],
  };
}

function allowListYaml(a: AllowListModel, rules: RuleModel[]): string {
  const lines: string[] = ["approval:"];
  lines.push(`  managedScopes: [${a.scope === 0 ? `/subscriptions/${P_MANAGED}` : `/subscriptions/${P_MANAGED}/resourceGroups/rg-shared`}]`);
  lines.push(`  unmatched: ${a.unmatched}`, `  revokeRemoved: ${a.revokeRemoved}`);
  if (rules.length === 0) lines.push("  rules: []");
  else lines.push("  rules:");
  rules.forEach((r, i) => {
    const subs = CONSUMER_SUBS.filter((_, j) => r.subs[j]);
    lines.push(`    - name: rule${i}`, `      requesterSubscriptions: [${(subs.length ? subs : [C_WEB]).join(", ")}]`);
    const g = ruleGlobs(r);
    if (g.rg) lines.push(`      requesterResourceGroups: ["${g.rg}"]`);
    if (r.types) lines.push(`      targetResourceTypes: [${r.types.map((k) => KINDS[k].type).join(", ")}]`);
    if (g.id) lines.push(`      targetResourceIds: ["${g.id}"]`);
    if (r.groupIds) lines.push(`      groupIds: [${r.groupIds.join(", ")}]`);
  });
  lines.push("dns:", `  mode: ${a.mode}`, `  dryRun: ${a.dnsDryRun}`, `  registerWhen: ${a.registerWhen}`);
  const zones = ALL_ZONES.filter((_, i) => a.zones[i]);
  if (zones.length === 0) lines.push("  zones: []");
  else lines.push("  zones:", ...zones.flatMap((z) => [`    - name: ${z}`, `      resourceGroupId: ${HUB_RG}`]));
  lines.push(
    "cleanup:",
    `  deleteDisconnectedEndpoints: ${a.deleteDisconnectedEndpoints}`,
    "  gracePeriodMinutes: 0",
    `  deleteStaleConnections: ${a.deleteStaleConnections}`,
  );
  return lines.join("\n") + "\n";
}

// ---- events -----------------------------------------------------------------------
let eventSeq = 0;

function event(kind: "write" | "delete", resourceId: string, operationName: string, caller?: string, id?: string): RawEvent {
  const sub = resourceId.split("/")[2] ?? "";
  const oid = caller ?? "c0c0c0c0-0000-4000-8000-000000000001";
  return {
    id: id ?? `ev-${++eventSeq}`,
    eventType: kind === "delete" ? "Microsoft.Resources.ResourceDeleteSuccess" : "Microsoft.Resources.ResourceWriteSuccess",
    subject: resourceId,
    eventTime: "2026-12-01T03:00:00Z",
    dataVersion: "2",
    topic: `/subscriptions/${sub}`,
    data: {
      authorization: { scope: resourceId, action: operationName, evidence: { role: "Contributor", principalId: oid, principalType: "User" } },
      claims: JSON.stringify({ "http://schemas.microsoft.com/identity/claims/objectidentifier": oid }),
      correlationId: "00000000-0000-4000-8000-0000000000cc",
      resourceProvider: operationName.split("/")[0],
      resourceUri: resourceId,
      operationName,
      status: "Succeeded",
      subscriptionId: sub,
      tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    },
  };
}

/** The events Azure would send, in the order things happened (plus the forged and ghost ones). */
function cleanEvents(m: EstateModel, targets: Target[], endpoints: Endpoint[], stale: World["staleConnections"]): RawEvent[] {
  eventSeq = 0;
  const out: RawEvent[] = [];
  const PE_WRITE = "Microsoft.Network/privateEndpoints/write";
  for (const pe of endpoints) {
    out.push(event("write", pe.id, PE_WRITE));
    if (pe.connectionId && pe.target) out.push(event("write", pe.connectionId, `${KINDS[pe.target.kind].type}/privateEndpointConnections/write`));
  }
  for (const s of stale) out.push(event("delete", s.endpointId, "Microsoft.Network/privateEndpoints/delete"));
  m.ghosts.forEach((g, i) => {
    const ghost = `/subscriptions/${C_WEB}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/ghost${g.n}`;
    if (g.kind === "write") out.push(event("write", ghost, PE_WRITE));
    else if (g.kind === "delete") out.push(event("delete", ghost, "Microsoft.Network/privateEndpoints/delete"));
    else {
      const t = targets[i % targets.length]!;
      out.push(event("write", `${t.id}/privateEndpointConnections/ghost${g.n}.conn`, `${KINDS[t.kind].type}/privateEndpointConnections/write`));
    }
  });
  if (endpoints.length) {
    for (const i of m.selfEvents) out.push(event("write", endpoints[i % endpoints.length]!.id, PE_WRITE, APP_OID));
    for (const i of m.forgedDeletes) out.push(event("delete", endpoints[i % endpoints.length]!.id, "Microsoft.Network/privateEndpoints/delete"));
  }
  return out;
}

/** Duplicates, reorders, drops, id case and trailing-slash variants of the clean events. */
export function chaoticEvents(w: World): RawEvent[] {
  const clean = w.events;
  if (clean.length === 0) return [];
  const kept = clean.filter((_, i) => !w.model.chaos.drop[i]);
  const out: RawEvent[] = [...kept].reverse();
  let fresh = 0;
  for (const s of w.model.chaos.steps) {
    const e = structuredClone(clean[s.pick % clean.length]!);
    const vary = (id: string) =>
      s.variant === "upper"
        ? id.toUpperCase()
        : s.variant === "slash"
          ? `${id}/`
          : s.variant === "lower-sub"
            ? id.replace("/resourceGroups/", "/resourcegroups/").toLowerCase()
            : id;
    e.subject = vary(e.subject);
    e.data.resourceUri = vary(String(e.data.resourceUri));
    if (s.freshId) e.id = `${e.id}-again${++fresh}`;
    out.splice(s.pick % (out.length + 1), 0, e);
  }
  return out;
}
