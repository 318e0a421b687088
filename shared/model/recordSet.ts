// A and AAAA record sets in Private DNS zones: how the app names one (RecordSetKey, and
// recordSetKey for a case-insensitive map key), and their content as read and as written.
import { idKey } from "./resourceId.js";

export type RecordType = "A" | "AAAA";

/** The record types the app reads and writes (infra/roles grants exactly these). */
export const RECORD_TYPES: readonly RecordType[] = ["A", "AAAA"];

/** A record set in a Private DNS zone. */
export interface RecordSetKey {
  /** /subscriptions/{s}/resourceGroups/{rg} */
  zoneResourceGroupId: string;
  zone: string;
  recordName: string;
  /** AAAA for IPv6 addresses; absent: A (index rows written before AAAA existed read as A). */
  recordType?: RecordType;
}

export const recordTypeOf = (k: RecordSetKey): RecordType => k.recordType ?? "A";

/** Case-insensitive identity of a zone: `{resource group id}/{zone}`. */
export function zoneKey(zone: string, zoneResourceGroupId: string): string {
  return `${idKey(zoneResourceGroupId)}/${zone.toLowerCase()}`;
}

/** Case-insensitive identity of a record set: `{resource group id}/{zone}/{record name}` (`/aaaa` appended for an AAAA set). */
export function recordSetKey(k: RecordSetKey): string {
  return `${zoneKey(k.zone, k.zoneResourceGroupId)}/${k.recordName.toLowerCase()}${k.recordType === "AAAA" ? "/aaaa" : ""}`;
}

/** The record set's ARM id. */
export function recordSetResourceId(k: RecordSetKey): string {
  return `${k.zoneResourceGroupId}/providers/Microsoft.Network/privateDnsZones/${k.zone}/${recordTypeOf(k)}/${k.recordName}`;
}

/** The inverse of recordSetResourceId; undefined for anything else. */
export function recordSetKeyOf(id: string): RecordSetKey | undefined {
  const m = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+)\/providers\/Microsoft\.Network\/privateDnsZones\/([^/]+)\/(A|AAAA)\/([^/]+)$/i.exec(id);
  return m
    ? { zoneResourceGroupId: m[1]!, zone: m[2]!, recordName: m[4]!, ...(m[3]!.toUpperCase() === "AAAA" ? { recordType: "AAAA" as const } : {}) }
    : undefined;
}

/** A record set as ARM holds it. */
export interface CurrentRecordSet {
  etag?: string;
  ttl?: number;
  ips: string[];
  metadata: Record<string, string>;
}

/** A record set as a zone's listing returns it. */
export interface ListedRecordSet {
  recordName: string;
  recordType: RecordType;
  current: CurrentRecordSet;
}

/** A record set as the app writes it. */
export interface RecordWrite {
  /** create: If-None-Match *; update: If-Match etag. */
  kind: "create" | "update";
  ifMatch?: string;
  ttl: number;
  ips: string[];
  metadata: Record<string, string>;
}
