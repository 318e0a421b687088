// Private DNS: zones are long-running PUTs that come with an SOA record set;
// record sets are synchronous, lower-cased names, GUID etags, PUT 201/200,
// PATCH merges, DELETE 200 (204 when absent) — as RecordSetA*.json show.
import type { ArmResource } from "../../estate.js";
import { parseResourceId } from "../../../shared/model/resourceId.js";
import type { EmuContext, EmuRequest, Reply } from "../context.js";
import { isIPv4, isIPv6 } from "node:net";
import { badRequest, resourceNotFound } from "../errors.js";
import { newGuid } from "../ids.js";
import { render } from "../render.js";
import { typeInfo, type TypeInfo } from "../resourceTypes.js";
import { assertPreconditions, assertWritable } from "./common.js";
import { assertParent, putGeneric, requireObjectBody } from "./generic.js";

const READ_ONLY = new Set(["fqdn", "isAutoRegistered"]);

export function putZone(ctx: EmuContext, req: EmuRequest, id: string, info: TypeInfo): Reply {
  const existing = ctx.store.get(id);
  const body = requireObjectBody(req);
  const defaults = existing
    ? {}
    : {
        maxNumberOfRecordSets: 25000,
        maxNumberOfVirtualNetworkLinks: 1000,
        maxNumberOfVirtualNetworkLinksWithRegistration: 100,
        numberOfVirtualNetworkLinks: 0,
        numberOfVirtualNetworkLinksWithRegistration: 0,
        internalId: `emulator-${newGuid()}`,
      };
  const reply = putGeneric(
    ctx,
    { ...req, body: { location: "global", ...body, properties: { ...defaults, ...(existing?.properties ?? {}), ...(body.properties ?? {}) } } },
    id,
    info,
  );
  if (!existing) {
    // Every real zone starts with its SOA record set.
    const zone = ctx.store.get(id)!;
    ctx.store.put({
      id: `${zone.id}/SOA/@`,
      name: "@",
      type: "Microsoft.Network/privateDnsZones/SOA",
      etag: newGuid(),
      properties: {
        ttl: 3600,
        fqdn: `${zone.name}.`,
        isAutoRegistered: false,
        soaRecord: {
          host: "azureprivatedns.net",
          email: "azureprivatedns-host.microsoft.com",
          serialNumber: 1,
          refreshTime: 3600,
          retryTime: 300,
          expireTime: 2419200,
          minimumTtl: 10,
        },
      },
    });
  }
  return reply;
}

export function putRecordSet(ctx: EmuContext, req: EmuRequest, id: string, info: TypeInfo): Reply {
  const zone = assertParent(ctx, id)!;
  const existing = ctx.store.get(id);
  assertWritable(ctx, req, id, existing);
  const body = requireObjectBody(req);
  const p = parseResourceId(id);
  const recordType = info.type.split("/").pop()!;
  const name = existing?.name ?? p.name!.toLowerCase();
  const given: Record<string, any> = { ...(body.properties ?? {}) };
  for (const k of READ_ONLY) delete given[k];
  const { metadata, ttl, ...records } = given;
  assertAddresses(recordType, name, records);
  const res: ArmResource = {
    id: existing?.id ?? `${zone.id}/${recordType}/${name}`,
    etag: newGuid(),
    name,
    type: info.type,
    properties: {
      ...(metadata !== undefined ? { metadata } : {}),
      ttl: ttl ?? 3600,
      fqdn: fqdnOf(name, zone.name ?? parseResourceId(zone.id).name!),
      isAutoRegistered: false,
      ...records,
    },
  };
  ctx.store.put(res);
  return { status: existing ? 200 : 201, body: render(ctx.store, res) };
}

export function patchRecordSet(ctx: EmuContext, req: EmuRequest, id: string): Reply {
  const existing = ctx.store.get(id);
  assertPreconditions(req, existing, id);
  if (!existing) throw resourceNotFound(id);
  assertWritable(ctx, req, id, existing);
  const body = requireObjectBody(req);
  const next = structuredClone(existing);
  for (const [k, v] of Object.entries(body.properties ?? {})) if (!READ_ONLY.has(k)) (next.properties ??= {})[k] = v;
  assertAddresses(existing.type?.split("/").pop() ?? "", existing.name ?? "", next.properties ?? {});
  next.etag = newGuid();
  ctx.store.put(next);
  return { status: 200, body: render(ctx.store, next) };
}

/**
 * An A record holds an IPv4 address and an AAAA record an IPv6 one (RFC 1035 /
 * RFC 3596; Private DNS spec: ARecord.ipv4Address, AaaaRecord.ipv6Address).
 * Private DNS refuses anything else with 400 BadRequest.
 */
function assertAddresses(recordType: string, name: string, props: Record<string, any>): void {
  const check = (list: unknown, key: string, ok: (s: string) => boolean, what: string) => {
    if (list === undefined) return;
    if (!Array.isArray(list)) throw badRequest("BadRequest", `The ${recordType} record set '${name}' must carry a list of records.`);
    for (const r of list) {
      const v = r?.[key];
      if (typeof v !== "string" || !ok(v))
        throw badRequest("BadRequest", `The value '${String(v)}' of ${key} in ${recordType} record set '${name}' is not a valid ${what} address.`);
    }
  };
  if (recordType.toUpperCase() === "A") check(props.aRecords, "ipv4Address", isIPv4, "IPv4");
  if (recordType.toUpperCase() === "AAAA") check(props.aaaaRecords, "ipv6Address", isIPv6, "IPv6");
}

/** Every record set of a zone (the `ALL` collection). */
export function allRecordSets(ctx: EmuContext, zoneId: string): ArmResource[] {
  return ctx.store.children(zoneId).filter((c) => typeInfo(c.type)?.recordSet);
}

function fqdnOf(name: string, zone: string): string {
  return name === "@" ? `${zone}.` : `${name}.${zone}.`;
}
