// Applies the DNS plan for one endpoint: desired records (shared/dns/desired) →
// per-record step (shared/dns/plan) → Private DNS writes with ETags.
import type { AllowListConfig, DnsConfig } from "../config/index.js";
import { desiredRecords, endpointIps, needsNicForNames, type DesiredRecord, type DesiredResult } from "./desired.js";
import { planRecord, type DnsStep } from "./plan.js";
import { notRegisteredBecause } from "./modes.js";
import type { EndpointsGateway } from "../gateways/endpoints.js";
import { PreconditionFailedError, ZoneNotFoundError, type PrivateDnsGateway } from "../gateways/privateDns.js";
import { type OwnershipIndex } from "../store/ownershipIndex.js";
import { decision, type Decision, type DnsDetail, type Outcome } from "../model/decision.js";
import { errorMessage } from "../util/errorMessage.js";
import { recordSetKey, recordSetResourceId, type CurrentRecordSet, type RecordSetKey } from "../model/recordSet.js";
import type { EndpointInfo } from "../model/endpoint.js";
import type { ConnectionInfo } from "../model/connection.js";

const MAX_ATTEMPTS = 3;

export class DnsRegistrar {
  constructor(
    private readonly endpoints: EndpointsGateway,
    private readonly dns: PrivateDnsGateway,
    private readonly index: OwnershipIndex,
  ) {}

  /**
   * Makes the endpoint's records match what it should have. `assumeApproved`: a
   * dry run that just planned the approval plans DNS as if it had happened.
   */
  async syncEndpoint(
    tag: string,
    pe: EndpointInfo,
    config: AllowListConfig,
    dryRun: boolean,
    assumeApproved = false,
    known?: KnownRecordSets,
  ): Promise<Decision[]> {
    const dns = config.dns;
    if (dns.zones.length === 0) return [];
    const skip = (reason: string, detail: DnsDetail = {}, retryable?: boolean): Decision =>
      decision({ event: tag, action: "dns-skip", resource: pe.id, reason, dns: { ...detail, owner: pe.id } }, "skipped", { retryable });
    const notNow = notRegisteredBecause(dns, pe, assumeApproved);
    if (notNow) return [skip(notNow)];
    const want = await desiredRecordsOf(pe, dns, this.endpoints);
    if (want.waitingForIp.length) {
      // A retryable decision, not a throw: what this run already did (an approval) stays in the report and the audit.
      const reason = `endpoint ${pe.name} has no private IP yet for ${want.waitingForIp.join(", ")}; failing so Event Grid redelivers`;
      return [skip(reason, {}, true)];
    }
    const out = want.skips.map((s) => skip(s.reason, { zone: s.zone, record: s.record, ips: s.ips }));
    // Record sets the index says this endpoint already owns or claims are read before writing
    // (the same change again costs no write, issue 12); the others are created first.
    const held = known || want.records.length === 0 ? undefined : new Set((await this.index.entriesFor(pe.id)).map((e) => recordSetKey(e)));
    // The gate holds DNS writes back under dns.dryRun anyway; knowing it here plans against a read instead.
    for (const r of want.records) out.push(await this.syncRecord(tag, r, dryRun || this.dns.dryRun, known, held?.has(recordSetKey(r)) ?? false));
    return out;
  }

  private async syncRecord(tag: string, r: DesiredRecord, dryRun: boolean, known?: KnownRecordSets, heldBefore = false): Promise<Decision> {
    const ref: RecordSetKey = {
      zoneResourceGroupId: r.zoneResourceGroupId,
      zone: r.zone,
      recordName: r.recordName,
      ...(r.recordType === "AAAA" ? { recordType: "AAAA" as const } : {}),
    };
    const made = (step: DnsStep, outcome: Outcome, more?: { error: string; retryable?: boolean }) =>
      decision(
        {
          event: tag,
          action: step.action,
          resource: recordSetResourceId(ref),
          reason: step.reason,
          dns: { zone: r.zone, record: r.recordName, ips: r.ips, ttl: r.ttl, owner: r.owner, ...(step.heldBy ? { heldBy: step.heldBy } : {}) },
        },
        outcome,
        more,
      );
    const key = recordSetKey(ref);
    let step: DnsStep | undefined; // the step being written, for the failure report
    try {
      if (dryRun) {
        // A sweep has listed the zone already: plan against that, else read.
        const planned = planRecord(r, known?.has(key) ? known.get(key) : await this.dns.get(ref));
        return made(planned, planned.write ? "planned" : "skipped");
      }
      // Create first (a new record costs no Private DNS read: 500 reads / 5 min / subscription),
      // unless a sweep's listing already says what is there, or the index says it exists
      // (then one read instead of a refused create plus the same read).
      let current = known ? known.get(key) : heldBefore ? await this.dns.get(ref) : undefined;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        step = planRecord(r, current);
        if (!step.write) return made(step, "skipped");
        try {
          if (!(await this.dns.write(ref, step.write, { action: step.action, reason: step.reason })).applied) return made(step, "planned");
          // Keep the index (endpoint → names) in step, so cleanup needs no zone listing.
          await this.index.put({ ...ref, endpointId: r.owner, role: step.action === "dns-conflict" ? "claimant" : "owner" });
          return made(step, "applied");
        } catch (e) {
          if (!(e instanceof PreconditionFailedError)) throw e;
          current = await this.dns.get(ref); // it exists, or changed since read: look and plan again
        }
      }
      return made(planRecord(r, current), "failed", { error: `record set kept changing during ${MAX_ATTEMPTS} attempts`, retryable: true });
    } catch (e) {
      if (e instanceof ZoneNotFoundError) return made({ action: "dns-skip", reason: e.message }, "failed", { error: e.message });
      const failed: DnsStep = step ? { action: step.action, reason: "Private DNS write failed" } : { action: "dns-skip", reason: "Private DNS read failed" };
      return made(failed, "failed", { error: errorMessage(e), retryable: true });
    }
  }

  /** The records of a connection's endpoint, read first (it may lie in another subscription or tenant). */
  async syncConnectionEndpoint(tag: string, c: ConnectionInfo, config: AllowListConfig, dryRun: boolean): Promise<Decision[]> {
    let pe: EndpointInfo | undefined;
    try {
      pe = await this.endpoints.getEndpoint(c.privateEndpointId!);
    } catch (e) {
      const reason = `endpoint cannot be read (${(e as Error).message}); its records wait for an event from its own subscription`;
      return [decision({ event: tag, action: "dns-skip", resource: c.privateEndpointId!, reason }, "skipped")];
    }
    if (!pe) {
      const reason = "endpoint not found: deleted, or in a tenant this identity cannot read (its records are that tenant's business)";
      return [decision({ event: tag, action: "dns-skip", resource: c.privateEndpointId!, reason }, "skipped")];
    }
    return this.syncEndpoint(tag, pe, config, dryRun, dryRun && c.status === "Pending");
  }
}

/**
 * Record sets a sweep has listed, by recordSetKey. A name not in the map is
 * handled as on the event path: created first, read only if it turns out to exist.
 */
export type KnownRecordSets = Map<string, CurrentRecordSet | undefined>;

/**
 * The records an endpoint should have; its NIC is read only when its own configs do not
 * provably carry what is needed (names of its own target; IPs for custom records).
 */
export async function desiredRecordsOf(pe: EndpointInfo, dns: DnsConfig, endpoints: EndpointsGateway): Promise<DesiredResult> {
  const needNic = needsNicForNames(pe) || (dns.customRecords.length > 0 && endpointIps(pe, undefined).length === 0);
  return desiredRecords(pe, needNic ? await endpoints.getIpConfigs(pe) : undefined, dns);
}
