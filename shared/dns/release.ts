// Pure: what happens to a record set when the endpoint behind it goes (deleted,
// Disconnected, Rejected, revoked). The owner's records are handed to the first
// live claimant, else deleted; a claimant just withdraws. Modes are honoured and
// what they suppress is reported.
import type { DnsMode } from "../config/index.js";
import { decodeOwnership, encodeOwnership, sameEndpoint } from "./ownership.js";
import { modeAllows } from "./modes.js";
import type { CurrentRecordSet, RecordWrite } from "../model/recordSet.js";

export interface ReleaseStep {
  action: "dns-delete" | "dns-handover" | "dns-update" | "dns-skip";
  reason: string;
  write?: RecordWrite;
  /** Delete with If-Match on this ETag. */
  delete?: { ifMatch?: string };
  /** The new owner after a handover. */
  newOwner?: string;
  /** A mode kept the record: the endpoint still owns it, so its index entry stays. */
  suppressed?: boolean;
}

export interface Successor {
  endpointId: string;
  ips: string[];
}

export function planRelease(
  endpointId: string,
  zone: { ttl: number; mode: DnsMode; ownerId?: string },
  current: CurrentRecordSet | undefined,
  successor?: Successor,
  deadClaimants: string[] = [],
): ReleaseStep {
  if (!current) return { action: "dns-skip", reason: "record set is already gone" };
  const own = decodeOwnership(current.metadata, zone.ownerId);
  if (!own) return { action: "dns-skip", reason: "record set carries no privatelink-autopilot marker: left untouched" };
  const others = (list: string[]) => list.filter((c) => !sameEndpoint(c, endpointId) && !deadClaimants.some((d) => sameEndpoint(d, c)));
  if (!sameEndpoint(own.owner, endpointId)) {
    if (!own.claimants.some((c) => sameEndpoint(c, endpointId)))
      return { action: "dns-skip", reason: "owned by another endpoint; nothing of this endpoint's to remove" };
    return {
      action: "dns-update",
      reason: "withdrawn as a waiting claimant; the owner keeps the name",
      write: {
        kind: "update",
        ifMatch: current.etag,
        ttl: current.ttl ?? zone.ttl,
        ips: current.ips,
        metadata: encodeOwnership({ owner: own.owner, claimants: others(own.claimants) }, current.metadata, zone.ownerId),
      },
    };
  }
  if (successor) {
    if (!modeAllows(zone.mode, "update"))
      return { action: "dns-skip", reason: `a claimant waits, but mode ${zone.mode} forbids the update a handover needs`, suppressed: true };
    return {
      action: "dns-handover",
      reason: `owner gone: name handed to the waiting claimant ${successor.endpointId}`,
      newOwner: successor.endpointId,
      write: {
        kind: "update",
        ifMatch: current.etag,
        ttl: zone.ttl,
        ips: successor.ips,
        metadata: encodeOwnership(
          { owner: successor.endpointId, claimants: others(own.claimants).filter((c) => !sameEndpoint(c, successor.endpointId)) },
          current.metadata,
          zone.ownerId,
        ),
      },
    };
  }
  if (!modeAllows(zone.mode, "delete"))
    return { action: "dns-skip", reason: `owner gone and no live claimant, but mode ${zone.mode} never deletes`, suppressed: true };
  return { action: "dns-delete", reason: "owner gone and no live claimant waits", delete: { ifMatch: current.etag } };
}
