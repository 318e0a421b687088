// Private endpoints, the consumer side. Creating one is long-running and, as in
// Azure, creates its NIC (with private IPs and privateLinkConnectionProperties)
// and a connection on each target provider resource: Pending for
// manualPrivateLinkServiceConnections, Approved for privateLinkServiceConnections.
// Deleting one removes its NIC and leaves the provider connections Disconnected.
import type { ArmResource } from "../../estate.js";
import { parseResourceId, sameId, tryParseResourceId } from "../../../shared/model/resourceId.js";
import type { EmuContext, EmuRequest, Reply } from "../context.js";
import { badRequest } from "../errors.js";
import { dnsMembers, type DnsMember } from "../dnsNames.js";
import { hex8, newGuid, weakEtag } from "../ids.js";
import { allocateIp } from "../ipam.js";
import { render } from "../render.js";
import { CONNECTIONS, NETWORK_INTERFACES, isType, typeInfo, type TypeInfo } from "../resourceTypes.js";
import { quirksOf } from "../services.js";
import { assertWritable, operationHeaders, startOperation } from "./common.js";
import { CONSUMER_KINDS, providerState, type ConnectionState } from "./connections.js";
import { deleteGeneric, requireObjectBody, setProvisioningState } from "./generic.js";

type Kind = (typeof CONSUMER_KINDS)[number];

export function putPrivateEndpoint(ctx: EmuContext, req: EmuRequest, id: string, info: TypeInfo): Reply {
  const existing = ctx.store.get(id);
  assertWritable(ctx, req, id, existing);
  const body = requireObjectBody(req);
  const location = body.location ?? existing?.location;
  if (!location) throw badRequest("LocationRequired", "The location property is required for this definition.");
  const p = parseResourceId(id);
  const peId = existing?.id ?? p.id;
  const peName = existing?.name ?? p.name!;
  const old: Record<string, any> = existing?.properties ?? {};
  const props: Record<string, any> = structuredClone(body.properties ?? {});

  const members: Array<DnsMember & { subnet?: string }> = [];
  for (const kind of CONSUMER_KINDS) {
    props[kind] = (Array.isArray(props[kind]) ? props[kind] : []).map((entry: any, i: number) => {
      const e = consumerEntry(ctx, peId, peName, location, kind, entry ?? {}, i, old[kind]);
      members.push(...membersFor(ctx, e, location));
      return e;
    });
  }

  const oldNic = old.networkInterfaces?.[0]?.id ? ctx.store.get(old.networkInterfaces[0].id) : undefined;
  // customDnsConfigs is not readOnly in the spec, so a caller can send entries: kept after
  // the platform's entries (derived from the NIC), unchecked. The app must not trust them.
  const written: any[] | undefined = Array.isArray(body.properties?.customDnsConfigs) ? body.properties.customDnsConfigs : undefined;
  if (existing && oldNic) {
    props.networkInterfaces = old.networkInterfaces;
    props.customDnsConfigs = written ? withWritten(platformDns(oldNic), written) : (old.customDnsConfigs ?? []);
  } else {
    const { nic, dns } = createNic(ctx, peId, peName, location, props, members);
    props.networkInterfaces = [{ id: nic.id }];
    props.customDnsConfigs = written ? withWritten(dns, written) : dns;
  }
  props.ipConfigurations ??= [];
  props.applicationSecurityGroups ??= [];
  props.resourceGuid = old.resourceGuid ?? newGuid();
  props.provisioningState = "Updating";

  const pe: ArmResource = { ...body, id: peId, name: peName, type: existing?.type ?? info.type, etag: weakEtag(), location, properties: props };
  ctx.store.put(pe);
  const op = startOperation(ctx, peId, "PUT", {
    location,
    onDone: () => setProvisioningState(ctx, peId, "Succeeded"),
    result: () => (ctx.store.get(peId) ? render(ctx.store, ctx.store.get(peId)!) : undefined),
  });
  return { status: existing ? 200 : 201, body: render(ctx.store, pe), headers: operationHeaders(ctx, req, op, false) };
}

export function deletePrivateEndpoint(ctx: EmuContext, req: EmuRequest, id: string, info: TypeInfo): Reply {
  return deleteGeneric(ctx, req, id, info, {
    afterDelete: (removed) => {
      const pe = removed[removed.length - 1]!;
      for (const ref of pe.properties?.networkInterfaces ?? []) if (typeof ref?.id === "string") ctx.store.delete(ref.id);
      for (const r of ctx.store.all()) {
        if (isType(r.type, NETWORK_INTERFACES) && sameId(r.properties?.privateEndpoint?.id, pe.id)) ctx.store.delete(r.id);
      }
      for (const r of ctx.store.all()) {
        if (!typeInfo(r.type)?.connection || !sameId(r.properties?.privateEndpoint?.id, pe.id)) continue;
        r.properties!.privateLinkServiceConnectionState = { ...(r.properties!.privateLinkServiceConnectionState ?? {}), status: "Disconnected" };
        r.etag = weakEtag();
      }
    },
  });
}

/** One consumer connection entry; a new one also creates the provider-side connection. */
function consumerEntry(ctx: EmuContext, peId: string, peName: string, location: string, kind: Kind, entry: any, i: number, oldEntries: any[] | undefined): any {
  const name: string = entry.name ?? (i === 0 ? peName : `${peName}_${i}`);
  const targetId: string | undefined = entry.properties?.privateLinkServiceId;
  const prev = (oldEntries ?? []).find(
    (o: any) => String(o?.name).toLowerCase() === name.toLowerCase() && sameId(o?.properties?.privateLinkServiceId, targetId),
  );
  let state: ConnectionState = prev?.properties?.privateLinkServiceConnectionState;
  if (!state) {
    const auto = kind === "privateLinkServiceConnections";
    state = auto
      ? { status: "Approved", description: "Auto-Approved", actionsRequired: "None" }
      : { status: "Pending", description: "Awaiting approval", actionsRequired: "None" };
    createProviderConnection(ctx, peId, peName, location, targetId, entry.properties ?? {}, auto);
  }
  return {
    name,
    id: `${peId}/${kind}/${name}`,
    etag: weakEtag(),
    type: `Microsoft.Network/privateEndpoints/${kind}`,
    properties: { ...(entry.properties ?? {}), provisioningState: "Succeeded", privateLinkServiceConnectionState: { ...state } },
  };
}

function createProviderConnection(
  ctx: EmuContext,
  peId: string,
  peName: string,
  location: string,
  targetId: string | undefined,
  req: any,
  auto: boolean,
): void {
  const target = targetId ? ctx.store.get(targetId) : undefined;
  if (!target || !typeInfo(`${target.type}/${CONNECTIONS}`)?.connection) return; // real ARM would fail the create; kept lenient so test estates need not be complete
  const name = `${peName}.${newGuid()}`;
  const lowerType = String(target.type).toLowerCase();
  const q = quirksOf(target.type);
  const properties: Record<string, any> = {
    privateEndpoint: { id: peId },
    privateLinkServiceConnectionState: providerState(q, {
      status: auto ? "Approved" : "Pending",
      description: auto ? "Auto-Approved" : (req.requestMessage ?? ""),
      actionsRequired: "None",
    }),
    provisioningState: q.settled,
  };
  const requested = Array.isArray(req.groupIds) ? req.groupIds.filter((g: unknown) => typeof g === "string") : [];
  if (lowerType === "microsoft.network/privatelinkservices") {
    properties.privateEndpointLocation = location;
    properties.linkIdentifier = String(Math.floor(Math.random() * 1e9));
  } else if (q.groupIds === "groupIds" && requested.length) {
    properties.groupIds = [...requested];
  } else if (q.groupIds === "groupId" && requested.length) {
    properties.groupId = requested[0];
  }
  const conn: ArmResource = { id: `${target.id}/${CONNECTIONS}/${name}`, name, type: `${target.type}/${CONNECTIONS}`, properties };
  if (q.etag !== "none") conn.etag = q.etag === "hex" ? newGuid().replace(/-/g, "") : weakEtag();
  if (q.location && target.location) conn.location = target.location;
  ctx.store.put(conn);
}

function membersFor(ctx: EmuContext, entry: any, peLocation: string): DnsMember[] {
  const targetId: string | undefined = entry.properties?.privateLinkServiceId;
  const parsed = tryParseResourceId(targetId);
  const target = targetId ? ctx.store.get(targetId) : undefined;
  const groupId = String(entry.properties?.groupIds?.[0] ?? "");
  return dnsMembers(target?.type ?? parsed?.type, target?.name ?? parsed?.name ?? "", groupId, target?.location ?? peLocation);
}

/** The customDnsConfigs entries the platform derives from the NIC's privateLinkConnectionProperties. */
function platformDns(nic: ArmResource): Array<{ fqdn: string; ipAddresses: string[] }> {
  return (nic.properties?.ipConfigurations ?? []).flatMap((c: any) =>
    (c.properties?.privateLinkConnectionProperties?.fqdns ?? []).map((fqdn: string) => ({
      fqdn,
      ipAddresses: c.properties?.privateIPAddress ? [c.properties.privateIPAddress] : [],
    })),
  );
}

function withWritten(platform: Array<{ fqdn: string; ipAddresses: string[] }>, written: any[]): Array<{ fqdn?: string; ipAddresses: string[] }> {
  const have = new Set(platform.map((d) => d.fqdn.toLowerCase()));
  const extra = written
    .filter((w) => w && typeof w === "object" && !(typeof w.fqdn === "string" && have.has(w.fqdn.toLowerCase())))
    .map((w) => ({
      ...(typeof w.fqdn === "string" ? { fqdn: w.fqdn } : {}),
      ipAddresses: Array.isArray(w.ipAddresses) ? w.ipAddresses.filter((x: unknown) => typeof x === "string") : [],
    }));
  return [...platform, ...extra];
}

function createNic(ctx: EmuContext, peId: string, peName: string, location: string, props: Record<string, any>, members: DnsMember[]) {
  const p = parseResourceId(peId);
  const nicName = props.customNetworkInterfaceName ?? `${peName}.nic.${hex8()}`;
  const nicId = `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroup}/providers/Microsoft.Network/networkInterfaces/${nicName}`;
  const subnetId: string | undefined = props.subnet?.id;
  const statics: any[] = Array.isArray(props.ipConfigurations) ? props.ipConfigurations : [];
  const taken = new Set<string>();
  const dns: Array<{ fqdn: string; ipAddresses: string[] }> = [];
  const ipConfigurations = (members.length ? members : [{ groupId: "", requiredMemberName: "default" } as DnsMember]).map((m, i) => {
    const fixed = statics.find((s) => s?.properties?.memberName?.toLowerCase() === m.requiredMemberName.toLowerCase())?.properties?.privateIPAddress;
    const ip: string = fixed ?? allocateIp(ctx.store, subnetId, taken);
    taken.add(ip);
    if (m.fqdn) dns.push({ fqdn: m.fqdn, ipAddresses: [ip] });
    const cfgName = `privateEndpointIpConfig.${newGuid()}`;
    return {
      name: cfgName,
      id: `${nicId}/ipConfigurations/${cfgName}`,
      etag: weakEtag(),
      type: "Microsoft.Network/networkInterfaces/ipConfigurations",
      properties: {
        provisioningState: "Succeeded",
        privateIPAddress: ip,
        privateIPAllocationMethod: fixed ? "Static" : "Dynamic",
        ...(subnetId ? { subnet: { id: subnetId } } : {}),
        primary: i === 0,
        privateIPAddressVersion: "IPv4",
        privateLinkConnectionProperties: { groupId: m.groupId, requiredMemberName: m.requiredMemberName, fqdns: m.fqdn ? [m.fqdn] : [] },
      },
    };
  });
  const nic: ArmResource = {
    name: nicName,
    id: nicId,
    etag: weakEtag(),
    type: "Microsoft.Network/networkInterfaces",
    location,
    properties: {
      provisioningState: "Succeeded",
      resourceGuid: newGuid(),
      ipConfigurations,
      dnsSettings: { dnsServers: [], appliedDnsServers: [] },
      enableAcceleratedNetworking: false,
      enableIPForwarding: false,
      privateEndpoint: { id: peId },
      nicType: "Standard",
    },
  };
  ctx.store.put(nic);
  return { nic, dns };
}
