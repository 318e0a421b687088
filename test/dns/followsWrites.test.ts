// Issue 8, defect 5: after this run rejects or revokes a connection, DNS follows the
// state the write left, not the endpoint as read before it. Through the real SDK
// clients and the emulator, on the endpoint's own event.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import type { Decision } from "../../shared/model/decision.js";
import type { ResourceEvent } from "../../shared/events/index.js";
import { MemoryOwnApprovalStore } from "../../shared/store/ownApprovals.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { CONSUMER, HUB, HUB_RG, PROVIDER, consumerVnet, createEndpoint, hubZone, parent, vaultId } from "../helpers/world.js";

const ZONE = "privatelink.vaultcore.azure.net";
const KV = vaultId("kv-shared");
const STRANGER = "44444444-4444-4444-4444-444444444444";

const allowList = (o: { requester?: string; approval?: string; dns?: string; zones?: boolean } = {}) => `
approval:
  managedScopes: [/subscriptions/${PROVIDER}]
${o.approval ?? ""}  rules:
    - name: spokes
      requesterSubscriptions: [${o.requester ?? CONSUMER}]
${
  o.zones === false
    ? ""
    : `dns:
${o.dns ?? ""}  zones:
    - name: ${ZONE}
      resourceGroupId: ${HUB_RG}
`
}`;

let local: LocalArm | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
});

/** The app's record of its approvals (its table), shared by the instances of one test. */
let ownApprovals = new MemoryOwnApprovalStore();

async function start() {
  ownApprovals = new MemoryOwnApprovalStore();
  local = await startLocalArm({ resources: [parent(KV, "Microsoft.KeyVault/vaults"), hubZone(ZONE), consumerVnet("rg-app")] }, { throttle: false });
  return local;
}

function autopilot(l: LocalArm, text: string) {
  const config = parseConfigText(text, "allow-list.yaml");
  if (!config.ok) throw new Error(JSON.stringify(config.problems));
  return new Autopilot({ arm: l.arm, config, ownApprovals });
}

const peEvent = (id: string): ResourceEvent => ({
  id: `ev-${Math.random()}`,
  schema: "eventgrid",
  eventType: "Microsoft.Resources.ResourceWriteSuccess",
  kind: "write",
  resourceId: id,
  resourceType: "Microsoft.Network/privateEndpoints",
  operationName: "Microsoft.Network/privateEndpoints/write",
  caller: {},
});

async function records(l: LocalArm) {
  const out: Record<string, string[]> = {};
  for await (const r of l.arm.privateDnsFor(HUB).recordSets.listByType("rg-dns", ZONE, "A")) out[r.name!] = (r.aRecords ?? []).map((a) => a.ipv4Address!);
  return out;
}

const acts = (ds: Decision[]) => ds.map((d) => [d.action, d.outcome]);
const connectionState = (l: LocalArm) =>
  l.emulator.snapshot().resources.find((r) => r.type === "Microsoft.KeyVault/vaults/privateEndpointConnections")!.properties!.privateLinkServiceConnectionState
    .status;

describe("DNS follows this run's reject or revoke (defect 5)", () => {
  for (const mode of ["sync", "upsert-only", "create-only"] as const) {
    it(`a request rejected now gets no record, even with registerWhen: always (mode ${mode})`, async () => {
      const l = await start();
      const id = await createEndpoint(l, "pe-kv", KV);
      const ap = autopilot(l, allowList({ requester: STRANGER, approval: "  unmatched: reject\n", dns: `  mode: ${mode}\n  registerWhen: always\n` }));
      const ds = await ap.handleEvent(peEvent(id));
      expect(ds[0]).toMatchObject({ action: "reject", outcome: "applied" });
      expect(connectionState(l)).toBe("Rejected");
      expect(ds.filter((d) => d.action === "dns-create" || d.action === "dns-update")).toEqual([]);
      expect(await records(l)).toEqual({});
    });
  }

  it("a connection revoked now loses the record it had (sync)", async () => {
    const l = await start();
    const id = await createEndpoint(l, "pe-kv", KV);
    expect(acts(await autopilot(l, allowList()).handleEvent(peEvent(id)))).toEqual([
      ["approve", "applied"],
      ["dns-create", "applied"],
    ]);
    expect(Object.keys(await records(l))).toEqual(["kv-shared"]);
    const ds = await autopilot(l, allowList({ requester: STRANGER, approval: "  revokeRemoved: true\n" })).handleEvent(peEvent(id));
    expect(acts(ds)).toEqual([
      ["revoke", "applied"],
      ["dns-delete", "applied"],
    ]);
    expect(connectionState(l)).toBe("Rejected");
    expect(await records(l)).toEqual({});
  });

  for (const mode of ["upsert-only", "create-only"] as const) {
    it(`a connection revoked now does not get the record it never had (mode ${mode})`, async () => {
      const l = await start();
      const id = await createEndpoint(l, "pe-kv", KV);
      // Approved by the app while no zone was configured: no record yet.
      await autopilot(l, allowList({ zones: false })).handleEvent(peEvent(id));
      expect(connectionState(l)).toBe("Approved");
      const ds = await autopilot(l, allowList({ requester: STRANGER, approval: "  revokeRemoved: true\n", dns: `  mode: ${mode}\n` })).handleEvent(peEvent(id));
      expect(ds[0]).toMatchObject({ action: "revoke", outcome: "applied" });
      expect(ds.filter((d) => d.action === "dns-create" || d.action === "dns-update")).toEqual([]);
      expect(await records(l)).toEqual({});
    });
  }

  it("a dry run plans no record for a reject it plans", async () => {
    const l = await start();
    const id = await createEndpoint(l, "pe-kv", KV);
    const ap = autopilot(l, allowList({ requester: STRANGER, approval: "  unmatched: reject\n", dns: "  registerWhen: always\n" }));
    const ds = await ap.handleEndpoint("dry", id, ap.configOrFailClosed("dry", id) as any, true);
    expect(ds[0]).toMatchObject({ action: "reject", outcome: "planned" });
    expect(ds.filter((d) => d.action === "dns-create")).toEqual([]);
    expect(connectionState(l)).toBe("Pending");
  });
});
