// Private DNS: zones are long-running PUTs that come with an SOA record set;
// record sets are synchronous, lower-cased names, GUID etags, PUT 201/200,
// PATCH merges, DELETE 200 (204 when absent) — as RecordSetA*.json show.
import type { ArmResource } from "../../../shared/estate/types.js";
import { parseResourceId } from "../../../shared/arm/resourceId.js";
import type { EmuContext, EmuRequest, Reply } from "../context.js";
import { resourceNotFound } from "../errors.js";
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
  const reply = putGeneric(ctx, { ...req, body: { location: "global", ...body, properties: { ...defaults, ...(existing?.properties ?? {}), ...(body.properties ?? {}) } } }, id, info);
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
        soaRecord: { host: "azureprivatedns.net", email: "azureprivatedns-host.microsoft.com", serialNumber: 1, refreshTime: 3600, retryTime: 300, expireTime: 2419200, minimumTtl: 10 },
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
  next.etag = newGuid();
  ctx.store.put(next);
  return { status: 200, body: render(ctx.store, next) };
}

/** Every record set of a zone (the `ALL` collection). */
export function allRecordSets(ctx: EmuContext, zoneId: string): ArmResource[] {
  return ctx.store.children(zoneId).filter((c) => typeInfo(c.type)?.recordSet);
}

function fqdnOf(name: string, zone: string): string {
  return name === "@" ? `${zone}.` : `${name}.${zone}.`;
}

