// Approval end to end through the real SDK clients and the emulator, on an
// estate made of the official REST examples.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import type { ResourceEvent } from "../../shared/events/index.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { REF, REFERENCE_ALLOW_LIST, referenceEstate } from "../helpers/referenceEstate.js";

let local: LocalArm | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
});

async function setup(allowList = REFERENCE_ALLOW_LIST, opts: { dryRun?: boolean; identity?: { objectId?: string } } = {}) {
  local = await startLocalArm(referenceEstate(), { throttle: false });
  const config = parseConfigText(allowList, "allow-list.yaml");
  const autopilot = new Autopilot({ arm: local.arm, config, ...opts });
  return { local, autopilot, config };
}

function event(resourceId: string, kind: ResourceEvent["kind"] = "write", extra: Partial<ResourceEvent> = {}): ResourceEvent {
  const type = resourceId
    .split("/providers/")[1]!
    .split("/")
    .filter((_, i) => i === 0 || i % 2 === 1)
    .join("/");
  return {
    id: `ev-${Math.random().toString(16).slice(2)}`,
    schema: "eventgrid",
    eventType: kind === "delete" ? "Microsoft.Resources.ResourceDeleteSuccess" : "Microsoft.Resources.ResourceWriteSuccess",
    kind,
    resourceId,
    resourceType: type,
    operationName: `${type}/${kind}`,
    caller: { objectId: "aaaaaaaa-0000-0000-0000-000000000000" },
    ...extra,
  };
}

const status = (l: LocalArm, id: string) => l.emulator.getResource(id)?.properties?.privateLinkServiceConnectionState?.status;
const writes = (l: LocalArm) => l.emulator.calls.filter((c) => c.method !== "GET");

describe("approval", () => {
  it("approves an allow-listed Pending Key Vault connection, keeping the request message and naming the rule", async () => {
    const { local, autopilot } = await setup();
    const decisions = await autopilot.handleEvent(event(REF.kvConnection));
    expect(decisions).toEqual([expect.objectContaining({ action: "approve", resource: REF.kvConnection, rule: "kv-consumers", outcome: "applied" })]);
    const conn = local.emulator.getResource(REF.kvConnection)!;
    expect(conn.properties!.privateLinkServiceConnectionState.status).toBe("Approved");
    expect(conn.properties!.privateLinkServiceConnectionState.description).toMatch(/rule 'kv-consumers'.*Please approve: sample app/);
    expect(conn.properties!.provisioningState).toBe("Succeeded");
  });

  it("approves Redis Enterprise through the generic ARM path and leaves an unmatched Private Link Service request pending", async () => {
    const { local, autopilot } = await setup();
    const re = await autopilot.handleEvent(event(REF.redisEnterprise));
    expect(re.map((d) => [d.action, d.rule])).toEqual([["approve", "redis-same-subscription"]]);
    expect(status(local, REF.redisEnterpriseConnection)).toBe("Approved");

    const pls = await autopilot.handleEvent(event(REF.plsEndpoint));
    expect(pls).toEqual([expect.objectContaining({ action: "leave-pending", resource: REF.plsPendingConnection })]);
    expect(pls[0]!.reason).toMatch(/requesterSubscriptions/);
    expect(status(local, REF.plsPendingConnection)).toBe("Pending");
  });

  it("rejects unmatched requests when the admins chose `unmatched: reject`", async () => {
    const { local, autopilot } = await setup(REFERENCE_ALLOW_LIST.replace("unmatched: leave-pending", "unmatched: reject"));
    const d = await autopilot.handleEvent(event(REF.pls));
    // testPls has one Approved, one Rejected and our Pending connection: only the Pending one is acted on.
    expect(d.filter((x) => x.action !== "ignore")).toEqual([
      expect.objectContaining({ action: "reject", resource: REF.plsPendingConnection, outcome: "applied" }),
    ]);
    expect(status(local, REF.plsPendingConnection)).toBe("Rejected");
    // Consistency: the consumer endpoint sees the provider's decision.
    expect(
      local.emulator.getResource(REF.plsEndpoint)!.properties!.manualPrivateLinkServiceConnections[0].properties.privateLinkServiceConnectionState.status,
    ).toBe("Rejected");
  });

  it("never acts outside managedScopes", async () => {
    const scoped = REFERENCE_ALLOW_LIST.replace("    - /subscriptions/e7b5a9d2-6b6a-4d2f-9143-20d9a10f5b8f\n", "");
    const { local, autopilot } = await setup(scoped);
    local.emulator.clearCalls();
    const d = await autopilot.handleEvent(event(REF.redisEnterpriseConnection));
    expect(d).toEqual([expect.objectContaining({ action: "ignore", reason: expect.stringMatching(/outside managedScopes/) })]);
    expect(local.emulator.calls).toHaveLength(0);
    expect(status(local, REF.redisEnterpriseConnection)).toBe("Pending");
  });

  it("approves nothing when the allow-list is broken, and says where", async () => {
    const broken = REFERENCE_ALLOW_LIST.replace("requesterSubscriptions: [00000000", "requesterSubscription: [00000000");
    const { local, autopilot, config } = await setup(broken);
    expect(config.ok).toBe(false);
    const d = await autopilot.handleEvent(event(REF.kvConnection));
    expect(d).toEqual([
      expect.objectContaining({ action: "error", retryable: true, reason: expect.stringMatching(/allow-list is invalid.*allow-list\.yaml:\d+/) }),
    ]);
    expect(writes(local)).toHaveLength(0);
    expect(status(local, REF.kvConnection)).toBe("Pending");
  });

  it("a duplicate event costs no write", async () => {
    const { local, autopilot } = await setup();
    const ev = event(REF.kvConnection);
    await autopilot.handleEvent(ev);
    const before = writes(local).length;
    const again = await autopilot.handleEvent(ev);
    expect(again).toEqual([expect.objectContaining({ action: "ignore", reason: expect.stringMatching(/Approved, not Pending/) })]);
    expect(writes(local).length).toBe(before);
  });

  it("an event claiming its own identity is handled like any other: a forged claim cannot hide work, its own events write nothing", async () => {
    const { local, autopilot } = await setup(REFERENCE_ALLOW_LIST, { identity: { objectId: "AAAAAAAA-0000-0000-0000-000000000000" } });
    const d = await autopilot.handleEvent(event(REF.kvConnection));
    expect(d).toEqual([expect.objectContaining({ action: "approve", outcome: "applied" })]);
    expect(status(local, REF.kvConnection)).toBe("Approved");
    // The event its own approval causes: re-read, found done, nothing written.
    const before = writes(local).length;
    expect(await autopilot.handleEvent(event(REF.kvConnection))).toEqual([expect.objectContaining({ action: "ignore", outcome: "skipped" })]);
    expect(writes(local).length).toBe(before);
  });

  it("dry-run plans the approval and writes nothing", async () => {
    const { local, autopilot } = await setup(REFERENCE_ALLOW_LIST, { dryRun: true });
    const d = await autopilot.handleEvent(event(REF.kvConnection));
    expect(d).toEqual([expect.objectContaining({ action: "approve", outcome: "planned" })]);
    expect(writes(local)).toHaveLength(0);
  });

  it("re-reads before writing: a connection approved meanwhile by someone else is left alone", async () => {
    const { local, autopilot } = await setup();
    // Stale event: the estate says Approved by a human by the time we look.
    local.emulator.load({
      resources: [
        {
          ...local.emulator.getResource(REF.kvConnection)!,
          properties: {
            ...local.emulator.getResource(REF.kvConnection)!.properties,
            privateLinkServiceConnectionState: { status: "Approved", description: "by hand" },
          },
        },
      ],
    });
    const d = await autopilot.handleEvent(event(REF.kvConnection));
    expect(d[0]!.action).toBe("ignore");
    expect(local.emulator.getResource(REF.kvConnection)!.properties!.privateLinkServiceConnectionState.description).toBe("by hand");
  });

  it("explain tells the decision and the rule without writing", async () => {
    const { local, autopilot } = await setup();
    const [d] = await autopilot.explain(REF.kvConnection);
    expect(d).toMatchObject({ action: "approve", rule: "kv-consumers", outcome: "planned" });
    expect(writes(local)).toHaveLength(0);
    const [e] = await autopilot.explain(REF.plsPendingConnection);
    expect(e).toMatchObject({ action: "leave-pending" });
    expect(e!.reason).toMatch(/kv-consumers/);
  });

  it("reports a failed provider write and marks it for redelivery", async () => {
    const { local, autopilot } = await setup();
    local.emulator.injectFault({ method: "PUT", pathIncludes: "privateEndpointConnections/sample-pec", status: 409, code: "Conflict", count: 5 });
    const [d] = await autopilot.handleEvent(event(REF.kvConnection));
    expect(d).toMatchObject({ action: "approve", outcome: "failed", retryable: true });
    expect(d!.error).toMatch(/409|Conflict/);
    expect(status(local, REF.kvConnection)).toBe("Pending");
  });
});
