// A and AAAA record sets in the hub's Private DNS zones, through @azure/arm-privatedns
// (IPv4 in A, IPv6 in AAAA: Private DNS refuses anything else, RFC 1035 / 3596).
// Optimistic concurrency throughout: create with If-None-Match *, change and
// delete only with If-Match on the ETag just read.
import { httpStatus } from "./arm/errors.js";
import { parseResourceId } from "../model/resourceId.js";
import type { ArmClients } from "./arm/clients.js";
import { ABSENT, WriteGate, type WriteResult } from "./writeGate.js";
import {
  RECORD_TYPES,
  recordSetKeyOf,
  recordSetResourceId,
  recordTypeOf,
  type CurrentRecordSet,
  type ListedRecordSet,
  type RecordSetKey,
  type RecordWrite,
} from "../model/recordSet.js";

export class PreconditionFailedError extends Error {}
export class ZoneNotFoundError extends Error {}

export class PrivateDnsGateway {
  constructor(
    private readonly clients: ArmClients,
    readonly gate: WriteGate = new WriteGate(),
  ) {
    // How a lost write's intent is checked (WriteGate.recover): the record set as it is now.
    const read = async (id: string) => {
      const ref = recordSetKeyOf(id);
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

  private target(ref: RecordSetKey) {
    const rg = parseResourceId(ref.zoneResourceGroupId);
    return { client: this.clients.privateDnsFor(rg.subscriptionId).recordSets, rg: rg.resourceGroup! };
  }

  async get(ref: RecordSetKey): Promise<CurrentRecordSet | undefined> {
    const { client, rg } = this.target(ref);
    try {
      return toCurrent(await client.get(rg, ref.zone, recordTypeOf(ref), ref.recordName));
    } catch (e) {
      if (httpStatus(e) === 404) return undefined;
      throw e;
    }
  }

  /** Every A and AAAA record set of a zone, paged (one list per type). Costly on Private DNS's read budget: only for index rebuilds and sweeps. */
  async *listRecordSets(zoneResourceGroupId: string, zone: string): AsyncIterable<ListedRecordSet> {
    const { client, rg } = this.target({ zoneResourceGroupId, zone, recordName: "" });
    for (const recordType of RECORD_TYPES) {
      for await (const r of client.listByType(rg, zone, recordType)) {
        yield { recordName: r.name!, recordType, current: toCurrent(r) };
      }
    }
  }

  /** Writes per the plan (through the write gate); throws PreconditionFailedError when someone else got there first. */
  write(
    ref: RecordSetKey,
    w: RecordWrite,
    why: { action: string; reason: string } = { action: w.kind === "create" ? "dns-create" : "dns-update", reason: "" },
  ): Promise<WriteResult<string | undefined>> {
    return this.gate.write("dns-write", { resource: recordSetResourceId(ref), want: recordFingerprint(w), ...why }, () => this.put(ref, w));
  }

  /** Deletes with If-Match (through the write gate). */
  delete(
    ref: RecordSetKey,
    ifMatch: string | undefined,
    why: { action: string; reason: string } = { action: "dns-delete", reason: "" },
  ): Promise<WriteResult<void>> {
    return this.gate.write("dns-delete", { resource: recordSetResourceId(ref), want: ABSENT, ...why }, () => this.remove(ref, ifMatch));
  }

  private async put(ref: RecordSetKey, w: RecordWrite): Promise<string | undefined> {
    const { client, rg } = this.target(ref);
    try {
      const r = await client.createOrUpdate(
        rg,
        ref.zone,
        recordTypeOf(ref),
        ref.recordName,
        recordTypeOf(ref) === "AAAA"
          ? { ttl: w.ttl, aaaaRecords: w.ips.map((ipv6Address) => ({ ipv6Address })), metadata: w.metadata }
          : { ttl: w.ttl, aRecords: w.ips.map((ipv4Address) => ({ ipv4Address })), metadata: w.metadata },
        w.kind === "create" ? { ifNoneMatch: "*" } : { ifMatch: w.ifMatch },
      );
      return r.etag;
    } catch (e) {
      throw translate(e, ref);
    }
  }

  private async remove(ref: RecordSetKey, ifMatch: string | undefined): Promise<void> {
    const { client, rg } = this.target(ref);
    try {
      await client.delete(rg, ref.zone, recordTypeOf(ref), ref.recordName, { ifMatch });
    } catch (e) {
      throw translate(e, ref);
    }
  }
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

function translate(e: unknown, ref: RecordSetKey): unknown {
  const status = httpStatus(e);
  if (status === 412) return new PreconditionFailedError(`record set ${ref.recordName}.${ref.zone} changed since it was read (412)`);
  if (status === 404) return new ZoneNotFoundError(`zone ${ref.zone} does not exist in ${ref.zoneResourceGroupId}`);
  return e;
}
