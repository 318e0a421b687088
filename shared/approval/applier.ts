// Applies the approval plan (plan.ts) to one connection: approve, reject or revoke it
// through the connections gateway, conditional on the ETag it was listed with, and keep
// the app's record of its own approvals (the only ones revokeRemoved may revoke).
import type { AllowListConfig } from "../config/index.js";
import { httpStatus } from "../gateways/arm/errors.js";
import type { ConnectionsGateway } from "../gateways/connections.js";
import type { EndpointsGateway } from "../gateways/endpoints.js";
import type { ManagementGroupDirectory } from "../gateways/managementGroups.js";
import { isAnswerLost } from "../gateways/writeGate.js";
import type { ConnectionInfo } from "../model/connection.js";
import { decision, type Decided, type Decision, type Logger } from "../model/decision.js";
import { isOwnApproval, type OwnApproval } from "../model/ownApproval.js";
import type { OwnApprovalStore } from "../store/ownApprovals.js";
import { errorMessage } from "../util/errorMessage.js";
import { APP_NAME, approvalDescription, planApproval } from "./plan.js";
import { connectionFacts, requestFacts, type RequestFacts, type RequesterRead } from "./requestFacts.js";
import { NO_WAIT, type ApprovalWaits } from "./waits.js";

export interface ApprovalApplierDeps {
  connections: ConnectionsGateway;
  endpoints: EndpointsGateway;
  ownApprovals: OwnApprovalStore;
  groups: ManagementGroupDirectory;
  log: Logger;
  now: () => Date;
  /** How long one approval's operation is waited for before the caller leaves its DNS to a continuation. */
  waits: ApprovalWaits;
}

/** What apply() made of one connection; `running`: the write was accepted and the provider is still applying it, after `waitedMs` of waiting. */
export interface Verdict {
  decision: Decision;
  running: boolean;
  waitedMs: number;
}

export class ApprovalApplier {
  constructor(private readonly d: ApprovalApplierDeps) {}

  /** The facts approval and revocation decide on (shared/approval/requestFacts.ts); reads the requester endpoint only when they depend on it. */
  async factsFor(c: ConnectionInfo, config: AllowListConfig): Promise<RequestFacts> {
    const known = connectionFacts(config.approval, c);
    if (known) return known;
    // Only Pending connections and the app's own approvals (which revocation may look at) need more.
    const revocable = c.status === "Approved" && config.approval.revokeRemoved && isOwnApproval(await this.d.ownApprovals.get(c.id), c);
    if (c.status !== "Pending" && !revocable) return requestFacts(config.approval, c, { unreadable: "not read: nothing depends on it" });
    let pe: RequesterRead;
    try {
      pe = await this.d.endpoints.getEndpoint(c.privateEndpointId!);
    } catch (e) {
      // Cross-tenant endpoints are often unreadable: the facts are then unknown (no approval on them, no revocation either).
      this.d.log.debug(`cannot read ${c.privateEndpointId} for group ids: ${(e as Error).message}`);
      pe = { unreadable: (e as Error).message };
    }
    return requestFacts(config.approval, c, pe);
  }

  /** Plans the connection's approval and applies it (dry: plans only). Throws only when reading ARM fails. */
  async apply(tag: string, c: ConnectionInfo, config: AllowListConfig, dryRun: boolean, facts: RequestFacts, opts: { wait?: boolean } = {}): Promise<Verdict> {
    let running = false;
    let waitedMs = 0;
    const d = await this.applyOne(tag, c, config, dryRun, facts, opts.wait !== false, (ms) => {
      running = true;
      waitedMs = ms;
    });
    return { decision: d, running, waitedMs };
  }

  private async applyOne(
    tag: string,
    c: ConnectionInfo,
    config: AllowListConfig,
    dryRun: boolean,
    facts: RequestFacts,
    mayWait: boolean,
    noteRunning: (waitedMs: number) => void,
  ): Promise<Decision> {
    // Only what this app approved may be revoked: its own record says so, not the description.
    const own = c.status === "Approved" && config.approval.revokeRemoved ? await this.d.ownApprovals.get(c.id) : undefined;
    await this.d.groups.load(config.approval); // cached: a read per group and refresh interval
    const plan = planApproval(config.approval, c, facts, own, this.d.groups);
    const base: Decided = { event: tag, action: plan.action, resource: c.id, reason: plan.reason, ...(plan.rule ? { rule: plan.rule } : {}) };
    // Nothing written: the same decision with another action and reason.
    const instead = (reason: string): Decision => decision({ ...base, action: "ignore", reason }, "skipped");
    if (plan.action === "ignore" || plan.action === "leave-pending") return decision(base, "skipped");
    if (dryRun) return decision(base, "planned");

    // Events are hints: the write must not land on a connection that changed since it was
    // read (a duplicate, another instance, a human). The listed ETag makes the write
    // conditional (If-Match: a change since the listing fails it with 412), so no re-read
    // is needed (issue 12); without an ETag, and before a revoke, read it again.
    const fresh = c.etag && plan.action !== "revoke" ? c : await this.d.connections.getConnection(c.id);
    const expected = plan.action === "revoke" ? "Approved" : "Pending";
    if (!fresh || fresh.status !== expected) {
      return instead(`connection is now ${fresh?.status ?? "gone"}; nothing to do`);
    }
    if (plan.action === "revoke") {
      // A human who approved again since the listing made it theirs: not revoked.
      if (!isOwnApproval(own, fresh))
        return instead(
          `connection changed since it was listed (description now ${JSON.stringify(fresh.description ?? "")}): no longer as ${APP_NAME} approved it, so not revoked`,
        );
      if (c.etag && fresh.etag && c.etag !== fresh.etag)
        return instead("connection was written since it was listed: not revoked now; the next event or sweep looks again");
    }
    const status = plan.action === "approve" ? "Approved" : "Rejected";
    const description = approvalDescription(fresh, plan);
    let written;
    const wait = mayWait ? this.d.waits.begin() : NO_WAIT;
    try {
      written = await this.d.connections.setState(
        fresh,
        status,
        description,
        { action: plan.action, reason: plan.reason, ...(plan.rule ? { rule: plan.rule } : {}) },
        { waitMs: wait.ms },
      );
      if (!written.applied) return decision({ ...base, reason: `${base.reason} (${written.reason})` }, "planned");
      if (written.value.provisioningState === "Failed") throw new Error(`provider reports provisioningState Failed`);
    } catch (e) {
      // A 412 after an attempt that went unanswered may be our own write, applied: retried, and audited then (WriteGate.recover).
      if (httpStatus(e) === 412 && !isAnswerLost(e))
        return instead("connection was written by someone else since it was read (412 on If-Match): nothing written; the next event or sweep looks again");
      const msg = `${errorMessage(e)}${isAnswerLost(e) ? " (an attempt went unanswered: ARM may have applied it; the redelivery looks again)" : ""}`;
      return decision(base, "failed", { error: msg, retryable: true });
    } finally {
      wait.end();
    }
    const note = await this.noteOwnApproval(
      plan.action,
      fresh,
      written.value.operationRunning ? description : (written.value.description ?? description),
      plan.rule,
    );
    const running = written.value.operationRunning
      ? `accepted; the provider is still applying it, ${wait.ms ? `not done after a wait of ${seconds(wait.ms)} s` : "not waited for"}`
      : undefined;
    const notes = [running, note].filter(Boolean);
    if (written.value.operationRunning) noteRunning(wait.ms);
    return decision({ ...base, ...(notes.length ? { reason: `${base.reason} (${notes.join("; ")})` } : {}) }, "applied");
  }

  /** Keeps the app's record of its approvals in step with what it just wrote; a failure here never undoes the write. */
  async noteOwnApproval(action: string, conn: ConnectionInfo, description: string, rule?: string): Promise<string | undefined> {
    try {
      if (action === "approve" && conn.privateEndpointId) {
        const rec: OwnApproval = { connectionId: conn.id, endpointId: conn.privateEndpointId, description, rule: rule ?? "", at: this.d.now().toISOString() };
        await this.d.ownApprovals.put(rec);
      } else if (action === "revoke") {
        await this.d.ownApprovals.remove(conn.id);
      }
      return undefined;
    } catch (e) {
      this.d.log.warn(`cannot record ${action} of ${conn.id} in the app's approvals: ${(e as Error).message}`);
      return action === "approve" ? `not recorded as ${APP_NAME}'s own approval (${(e as Error).message}), so revokeRemoved will never revoke it` : undefined;
    }
  }
}

/** 0.2, 10: tenths below 10 s. */
function seconds(ms: number): string {
  return ms < 10_000 ? (Math.round(ms / 100) / 10).toString() : Math.round(ms / 1000).toString();
}
