// Pure: desired record vs the record set ARM holds → one step, with its reason.
// Conflicts are resolved here and only here: one owner per name, a second
// endpoint is recorded as a waiting claimant, a foreign record is never touched.
import type { DnsAction } from "../model/decision.js";
import type { CurrentRecordSet, RecordWrite } from "../model/recordSet.js";
import type { DesiredRecord } from "./desired.js";
import { decodeOwnership, encodeOwnership, MAX_CLAIMANTS, sameEndpoint } from "./ownership.js";
import { modeAllows } from "./modes.js";
import { sortIps } from "./desired.js";

export interface DnsStep {
  action: DnsAction;
  reason: string;
  write?: RecordWrite;
  /** Owner of the name when it is not the desired owner. */
  heldBy?: string;
}

export function planRecord(desired: DesiredRecord, current: CurrentRecordSet | undefined): DnsStep {
  if (!current) {
    return {
      action: "dns-create",
      reason: `new record for ${desired.source}`,
      write: { kind: "create", ttl: desired.ttl, ips: desired.ips, metadata: encodeOwnership({ owner: desired.owner, claimants: [] }, {}, desired.ownerId) },
    };
  }
  const own = decodeOwnership(current.metadata, desired.ownerId);
  if (!own) {
    return { action: "dns-conflict", reason: "a record set without privatelink-autopilot's marker holds this name: foreign, left untouched" };
  }
  if (sameEndpoint(own.owner, desired.owner)) {
    const sameIps = sortIps(current.ips).join() === desired.ips.join();
    if (sameIps && current.ttl === desired.ttl) return { action: "dns-skip", reason: "record is up to date" };
    if (!modeAllows(desired.mode, "update")) {
      return {
        action: "dns-skip",
        reason: `record differs (IPs ${sortIps(current.ips).join(",")} ttl ${current.ttl}) but mode ${desired.mode} forbids updates`,
      };
    }
    return {
      action: "dns-update",
      reason: sameIps ? `TTL ${current.ttl} → ${desired.ttl}` : `IPs ${sortIps(current.ips).join(",") || "(none)"} → ${desired.ips.join(",")}`,
      write: { kind: "update", ifMatch: current.etag, ttl: desired.ttl, ips: desired.ips, metadata: encodeOwnership(own, current.metadata, desired.ownerId) },
    };
  }
  // Another endpoint owns the name: keep it; remember this one as a claimant.
  if (own.claimants.some((c) => sameEndpoint(c, desired.owner))) {
    return { action: "dns-conflict", reason: "name is owned by another endpoint; this one is already recorded as a waiting claimant", heldBy: own.owner };
  }
  if (own.claimants.length >= MAX_CLAIMANTS) {
    return { action: "dns-conflict", reason: `name is owned by another endpoint and ${MAX_CLAIMANTS} claimants already wait: not recorded`, heldBy: own.owner };
  }
  return {
    action: "dns-conflict",
    reason: "name is owned by another endpoint: kept, no overwrite, no round-robin; this endpoint is recorded as a waiting claimant",
    heldBy: own.owner,
    // Only the metadata changes; the records keep resolving to the owner.
    write: {
      kind: "update",
      ifMatch: current.etag,
      ttl: current.ttl ?? desired.ttl,
      ips: current.ips,
      metadata: encodeOwnership({ owner: own.owner, claimants: [...own.claimants, desired.owner] }, current.metadata, desired.ownerId),
    },
  };
}
