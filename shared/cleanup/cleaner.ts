// Cleanup: releases the records of endpoints that are gone or dead, deletes dead
// endpoints and stale provider connections where the admins enabled it. Never
// touches what is not ours: only record sets carrying our marker, only via the
// ownership index (rebuilt from that marker when lost), only with If-Match.
import { isNotFound } from "../gateways/arm/errors.js";
import type { AllowListConfig, DnsZoneConfig } from "../config/index.js";
import { decodeOwnership } from "../dns/ownership.js";
import { notRegisteredBecause } from "../dns/modes.js";
import { planRelease, type ReleaseStep, type Successor } from "../dns/release.js";
import { planConnectionDeletion, planEndpointDeletion } from "./plan.js";
import type { ConnectionsGateway } from "../gateways/connections.js";
import type { EndpointsGateway } from "../gateways/endpoints.js";
import { PreconditionFailedError, type PrivateDnsGateway } from "../gateways/privateDns.js";
import type { IndexEntry, OwnershipIndex } from "../store/ownershipIndex.js";
import { decision, ignored, type Decision, type Logger, type Outcome } from "../model/decision.js";
import { desiredRecordsOf } from "../dns/registrar.js";
import type { MarkStore } from "../store/marks.js";
import { recordSetKey, recordSetResourceId, zoneKey, type ListedRecordSet, type RecordSetKey } from "../model/recordSet.js";
import type { ConnectionInfo } from "../model/connection.js";
import type { EndpointInfo } from "../model/endpoint.js";

/** Trust a zone's index for this long before reading the zone again on a miss. */
const ZONE_INDEX_TTL_MS = 24 * 3_600_000;

export interface CleanerDeps {
  connections: ConnectionsGateway;
  endpoints: EndpointsGateway;
  dns: PrivateDnsGateway;
  index: OwnershipIndex;
  marks: MarkStore;
  log: Logger;
  now?: () => Date;
}

export class Cleaner {
  /** Zone reads done to rebuild the index, for logs and tests. */
  rebuilds = 0;

  constructor(private readonly d: CleanerDeps) {}

  /** Removes (or hands over) every record the endpoint owns, and withdraws its claims. */
  async releaseRecords(tag: string, endpointId: string, config: AllowListConfig, dryRun: boolean, why: string): Promise<Decision[]> {
    const out: Decision[] = [];
    for (const entry of await this.entriesFor(endpointId, config)) {
      const key = zoneKey(entry.zone, entry.zoneResourceGroupId);
      const zone = config.dns.zones.find((z) => zoneKey(z.name, z.resourceGroupId) === key);
      if (!zone) continue; // zone no longer configured: not ours to touch any more
      out.push(await this.releaseOne(tag, endpointId, entry, zone, config, dryRun, why));
    }
    return out;
  }

  /** A consumer endpoint whose connections are all Disconnected or Rejected. */
  async onDeadEndpoint(tag: string, pe: EndpointInfo, config: AllowListConfig, dryRun: boolean): Promise<Decision[]> {
    const states = [...new Set(pe.links.map((l) => l.status))].join("/");
    const out = await this.releaseRecords(tag, pe.id, config, dryRun, `connection is ${states}`);
    return [...out, ...(await this.deleteIfOurs(tag, pe, config, dryRun))];
  }

  /** Deletes a Disconnected endpoint only where planEndpointDeletion allows it; reports it otherwise. */
  private async deleteIfOurs(tag: string, pe: EndpointInfo, config: AllowListConfig, dryRun: boolean): Promise<Decision[]> {
    const base = { event: tag, action: "delete-endpoint" as const, resource: pe.id };
    const made = (reason: string, outcome: Outcome): Decision[] => [decision({ ...base, reason }, outcome)];
    const clock = async () => {
      const now = this.now();
      return { since: await this.d.marks.firstSeen(`disconnected:${pe.id}`, now), now };
    };
    let plan = planEndpointDeletion(pe, config);
    if (plan.action === "wait" && plan.needsClock) plan = planEndpointDeletion(pe, config, await clock());
    if (plan.action === "keep" && plan.off) return [];
    if (plan.action !== "delete") return [ignored(tag, pe.id, plan.reason)];
    if (dryRun) return made(plan.reason, "planned");
    try {
      // The listing may be minutes old: decide again on the endpoint as it is now.
      const fresh = await this.d.endpoints.getEndpoint(pe.id);
      if (!fresh) return [ignored(tag, pe.id, "endpoint already gone")];
      const now = planEndpointDeletion(fresh, config, await clock());
      if (now.action !== "delete") return [ignored(tag, pe.id, `changed since it was listed: ${now.reason}`)];
      const written = await this.d.endpoints.deleteEndpoint(pe.id, now.reason);
      if (!written.applied) return made(`${now.reason} (${written.reason})`, "planned");
      await this.d.marks.clear(`disconnected:${pe.id}`);
      return made(now.reason, "applied");
    } catch (e) {
      return [decision({ ...base, reason: plan.reason }, "failed", { error: (e as Error).message, retryable: true })];
    }
  }

  /** Provider side: a connection whose endpoint is gone (Disconnected) is deleted when enabled. */
  async deleteStaleConnection(tag: string, conn: ConnectionInfo, config: AllowListConfig, dryRun: boolean): Promise<Decision> {
    const base = { event: tag, action: "delete-connection" as const, resource: conn.id };
    const plan = planConnectionDeletion(config);
    if (plan.action !== "delete") return ignored(tag, conn.id, plan.reason);
    const reason = plan.reason;
    if (dryRun) return decision({ ...base, reason }, "planned");
    try {
      const written = await this.d.connections.deleteConnection(conn, reason);
      if (!written.applied) return decision({ ...base, reason: `${reason} (${written.reason})` }, "planned");
      return decision({ ...base, reason }, "applied");
    } catch (e) {
      if (isNotFound(e)) return ignored(tag, conn.id, "connection already gone");
      return decision({ ...base, reason }, "failed", { error: (e as Error).message, retryable: true });
    }
  }

  /** Index entries, falling back once to reading the configured zones when the index has none. */
  private async entriesFor(endpointId: string, config: AllowListConfig): Promise<IndexEntry[]> {
    const entries = await this.d.index.entriesFor(endpointId);
    if (entries.length) return entries;
    let rebuilt = false;
    for (const z of config.dns.zones) {
      const at = await this.d.index.zoneIndexedAt(z.name, z.resourceGroupId);
      if (at && this.now().getTime() - at.getTime() < ZONE_INDEX_TTL_MS) continue;
      await this.indexZone(z);
      rebuilt = true;
    }
    return rebuilt ? this.d.index.entriesFor(endpointId) : [];
  }

  /**
   * Lists a zone once and rebuilds its index entries from the record sets' ownership
   * metadata; returns the listing (sweeps plan against it).
   */
  async indexZone(z: DnsZoneConfig): Promise<ListedRecordSet[]> {
    const listing: ListedRecordSet[] = [];
    const entries: IndexEntry[] = [];
    for await (const item of this.d.dns.listRecordSets(z.resourceGroupId, z.name)) {
      listing.push(item);
      const own = decodeOwnership(item.current.metadata, z.ownerId);
      if (!own) continue;
      const key = {
        zoneResourceGroupId: z.resourceGroupId,
        zone: z.name,
        recordName: item.recordName,
        ...(item.recordType === "AAAA" ? { recordType: "AAAA" as const } : {}),
      };
      entries.push({ ...key, endpointId: own.owner, role: "owner" });
      for (const c of own.claimants) entries.push({ ...key, endpointId: c, role: "claimant" });
    }
    await this.d.index.replaceZone(z.name, z.resourceGroupId, entries);
    await this.d.index.markZoneIndexed(z.name, z.resourceGroupId, this.now());
    this.rebuilds++;
    this.d.log.info(`ownership index rebuilt for zone ${z.name}: ${listing.length} record set(s) read, ${entries.length} entr(ies) of ours`);
    return listing;
  }

  private async releaseOne(
    tag: string,
    endpointId: string,
    entry: IndexEntry,
    zone: DnsZoneConfig,
    config: AllowListConfig,
    dryRun: boolean,
    why: string,
  ): Promise<Decision> {
    const ref: RecordSetKey = {
      zoneResourceGroupId: zone.resourceGroupId,
      zone: zone.name,
      recordName: entry.recordName,
      ...(entry.recordType === "AAAA" ? { recordType: "AAAA" as const } : {}),
    };
    const current = await this.d.dns.get(ref);
    const own = decodeOwnership(current?.metadata, zone.ownerId);
    // Find the first live claimant; dead ones are dropped on the way.
    let successor: Successor | undefined;
    const dead: string[] = [];
    if (own && own.owner.toLowerCase() === endpointId.toLowerCase()) {
      for (const c of own.claimants) {
        const ips = await this.claimantIps(c, ref, config);
        if (ips) {
          successor = { endpointId: c, ips };
          break;
        }
        dead.push(c);
      }
    }
    const step = planRelease(endpointId, zone, current, successor, dead);
    const made = (outcome: Outcome, error?: string): Decision =>
      decision(
        {
          event: tag,
          action: step.action,
          resource: recordSetResourceId(ref),
          reason: `${why}: ${step.reason}`,
          dns: { zone: zone.name, record: entry.recordName, ips: step.write?.ips ?? current?.ips, ttl: current?.ttl, owner: step.newOwner ?? endpointId },
        },
        outcome,
        error ? { error, retryable: true } : {},
      );
    if (!step.write && !step.delete) {
      if (!dryRun && !step.suppressed) await this.d.index.remove(endpointId, ref); // nothing of ours left there
      return made("skipped");
    }
    if (dryRun) return made("planned");
    try {
      if (!(await this.apply(ref, step, `${why}: ${step.reason}`))) return made("planned");
      await this.d.index.remove(endpointId, ref);
      if (step.newOwner) await this.d.index.put({ ...ref, endpointId: step.newOwner, role: "owner" });
      return made("applied");
    } catch (e) {
      if (e instanceof PreconditionFailedError) return made("failed", `${e.message}; the redelivery will look again`);
      return made("failed", (e as Error).message);
    }
  }

  /** true when written; false when the write gate held it back (dry-run). */
  private async apply(ref: RecordSetKey, step: ReleaseStep, reason: string): Promise<boolean> {
    if (step.write) return (await this.d.dns.write(ref, step.write, { action: step.action, reason })).applied;
    if (step.delete) return (await this.d.dns.delete(ref, step.delete.ifMatch, { action: step.action, reason })).applied;
    return false;
  }

  /** The IPs a claimant endpoint would put under this name, if it is alive and entitled to it. */
  private async claimantIps(endpointId: string, ref: RecordSetKey, config: AllowListConfig): Promise<string[] | undefined> {
    let pe: EndpointInfo | undefined;
    try {
      pe = await this.d.endpoints.getEndpoint(endpointId);
    } catch (e) {
      this.d.log.warn(`cannot read claimant ${endpointId}: ${(e as Error).message}`);
      return undefined;
    }
    if (!pe || notRegisteredBecause(config.dns, pe)) return undefined;
    const key = recordSetKey(ref);
    const r = (await desiredRecordsOf(pe, config.dns, this.d.endpoints)).records.find((x) => recordSetKey(x) === key);
    return r?.ips;
  }

  private now(): Date {
    return this.d.now ? this.d.now() : new Date();
  }
}
