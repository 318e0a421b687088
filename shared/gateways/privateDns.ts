// A and AAAA record sets in the hub's Private DNS zones, through @azure/arm-privatedns
// (IPv4 in A, IPv6 in AAAA: Private DNS refuses anything else, RFC 1035 / 3596).
// Optimistic concurrency throughout: create with If-None-Match *, change and
// delete only with If-Match on the ETag just read.
import { httpStatus } from "./arm/errors.js";
import { parseResourceId } from "../model/resourceId.js";
import type { ArmClients } from "./arm/clients.js";
import type { CurrentRecordSet, RecordWrite } from "../dns/plan.js";
import { ABSENT, WriteGate, type WriteResult } from "./writeGate.js";

export interface RecordSetRef {
  /** /subscriptions/{s}/resourceGroups/{rg} */
  zoneResourceGroupId: string;
  zone: string;
  recordName: string;
  /** AAAA for IPv6 addresses; absent: A. */
  recordType?: RecordType;
}

export type RecordType = "A" | "AAAA";

/** The record types the app reads and writes (infra/roles grants exactly these). */
export const RECORD_TYPES: readonly RecordType[] = ["A", "AAAA"];

const typeOf = (ref: RecordSetRef): RecordType => ref.recordType ?? "A";

export class PreconditionFailedError extends Error {}
export class ZoneNotFoundError extends Error {}

export class PrivateDnsGateway {
  constructor(
    private readonly clients: ArmClients,
    readonly gate: WriteGate = new WriteGate(),
  ) {
    // How a lost write's intent is checked (WriteGate.recover): the record set as it is now.
    const read = async (id: string) => {
      const ref = recordSetRefOf(id);
      const current = ref && (await this.get(ref));
      return current ? recordFingerprint(current) : ABSENT;
    };
    gate.reader("dns-write", read);
    gate.reader("dns-delete", read);
  }

  /** true when record-set writes are held back (app-wide dry-run or `dns.dryRun`): plan, do not write. */
  get dryRun(): boolean {
    return this.gate.isDry("dns-write");
  }

  private target(ref: RecordSetRef) {
    const rg = parseResourceId(ref.zoneResourceGroupId);
    return { client: this.clients.privateDnsFor(rg.subscriptionId).recordSets, rg: rg.resourceGroup! };
  }

  async get(ref: RecordSetRef): Promise<CurrentRecordSet | undefined> {
    const { client, rg } = this.target(ref);
    try {
      return toCurrent(await client.get(rg, ref.zone, typeOf(ref), ref.recordName));
    } catch (e) {
      if (httpStatus(e) === 404) return undefined;
      throw e;
    }
  }

  /** Every A and AAAA record set of a zone, paged (one list per type). Costly on Private DNS's read budget: only for index rebuilds and sweeps. */
  async *listRecordSets(zoneResourceGroupId: string, zone: string): AsyncIterable<{ recordName: string; recordType: RecordType; current: CurrentRecordSet }> {
    const { client, rg } = this.target({ zoneResourceGroupId, zone, recordName: "" });
    for (const recordType of RECORD_TYPES) {
      for await (const r of client.listByType(rg, zone, recordType)) {
        yield { recordName: r.name!, recordType, current: toCurrent(r) };
      }
    }
  }

  /** Writes per the plan (through the write gate); throws PreconditionFailedError when someone else got there first. */
  write(
    ref: RecordSetRef,
    w: RecordWrite,
    why: { action: string; reason: string } = { action: w.kind === "create" ? "dns-create" : "dns-update", reason: "" },
  ): Promise<WriteResult<string | undefined>> {
    return this.gate.write("dns-write", { resource: recordSetResourceId(ref), want: recordFingerprint(w), ...why }, () => this.put(ref, w));
  }

  /** Deletes with If-Match (through the write gate). */
  delete(
    ref: RecordSetRef,
    ifMatch: string | undefined,
    why: { action: string; reason: string } = { action: "dns-delete", reason: "" },
  ): Promise<WriteResult<void>> {
    return this.gate.write("dns-delete", { resource: recordSetResourceId(ref), want: ABSENT, ...why }, () => this.remove(ref, ifMatch));
  }

  private async put(ref: RecordSetRef, w: RecordWrite): Promise<string | undefined> {
    const { client, rg } = this.target(ref);
    try {
      const r = await client.createOrUpdate(
        rg,
        ref.zone,
        typeOf(ref),
        ref.recordName,
        typeOf(ref) === "AAAA"
          ? { ttl: w.ttl, aaaaRecords: w.ips.map((ipv6Address) => ({ ipv6Address })), metadata: w.metadata }
          : { ttl: w.ttl, aRecords: w.ips.map((ipv4Address) => ({ ipv4Address })), metadata: w.metadata },
        w.kind === "create" ? { ifNoneMatch: "*" } : { ifMatch: w.ifMatch },
      );
      return r.etag;
    } catch (e) {
      throw translate(e, ref);
    }
  }

  private async remove(ref: RecordSetRef, ifMatch: string | undefined): Promise<void> {
    const { client, rg } = this.target(ref);
    try {
      await client.delete(rg, ref.zone, typeOf(ref), ref.recordName, { ifMatch });
    } catch (e) {
      throw translate(e, ref);
    }
  }
}

/** The record set's ARM id. */
export function recordSetResourceId(ref: RecordSetRef): string {
  return `${ref.zoneResourceGroupId}/providers/Microsoft.Network/privateDnsZones/${ref.zone}/${typeOf(ref)}/${ref.recordName}`;
}

function recordSetRefOf(id: string): RecordSetRef | undefined {
  const m = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+)\/providers\/Microsoft\.Network\/privateDnsZones\/([^/]+)\/(A|AAAA)\/([^/]+)$/i.exec(id);
  return m
    ? { zoneResourceGroupId: m[1]!, zone: m[2]!, recordName: m[4]!, ...(m[3]!.toUpperCase() === "AAAA" ? { recordType: "AAAA" as const } : {}) }
    : undefined;
}

/** A record set's content as its intent records it (WriteTarget.want): TTL, addresses, metadata. */
export function recordFingerprint(r: { ttl?: number; ips: string[]; metadata?: Record<string, string> }): string {
  const meta = Object.entries(r.metadata ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([r.ttl ?? null, [...r.ips].sort(), meta]);
}

function toCurrent(r: {
  etag?: string;
  ttl?: number;
  aRecords?: { ipv4Address?: string }[];
  aaaaRecords?: { ipv6Address?: string }[];
  metadata?: Record<string, string>;
}): CurrentRecordSet {
  const ips = [...(r.aRecords ?? []).map((a) => a.ipv4Address), ...(r.aaaaRecords ?? []).map((a) => a.ipv6Address)].filter((x): x is string => !!x);
  return { etag: r.etag, ttl: r.ttl, ips, metadata: r.metadata ?? {} };
}

function translate(e: unknown, ref: RecordSetRef): unknown {
  const status = httpStatus(e);
  if (status === 412) return new PreconditionFailedError(`record set ${ref.recordName}.${ref.zone} changed since it was read (412)`);
  if (status === 404) return new ZoneNotFoundError(`zone ${ref.zone} does not exist in ${ref.zoneResourceGroupId}`);
  return e;
}
