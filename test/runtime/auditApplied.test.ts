// Every applied write is audited, whatever fails afterwards (issue 8, defect 9): one
// channel for "retry later" (a retryable decision), never a throw past decisions
// already made; the host still fails the invocation, after the audit.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryAuditLog } from "../../shared/store/audit/index.js";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import { silentLogger } from "../../shared/model/decision.js";
import { handleRawEvent } from "../../shared/runtime/handleEvent.js";
import { onResourceEvent, onSweepTimer } from "../../shared/runtime/host.js";
import { Runtime } from "../../shared/runtime/runtime.js";
import { MemoryEventLedger } from "../../shared/store/eventLedger.js";
import type { ArmResource } from "../../sandbox/estate.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { CONSUMER, hubZone, parent, vaultId, SPOKES_ALLOW } from "../helpers/world.js";

const ZONE = "privatelink.vaultcore.azure.net";
const KV = vaultId("kv-shared");
const PE = `/subscriptions/${CONSUMER}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/pe-1`;
const CONN = `${KV}/privateEndpointConnections/pe-1.conn`;
const ALLOW = SPOKES_ALLOW;

/** A Pending request whose endpoint names its FQDN but has no private IP yet. */
function estate(ips: string[] = []): ArmResource[] {
  const state = { status: "Pending", description: "please", actionsRequired: "None" };
  return [
    parent(KV, "Microsoft.KeyVault/vaults"),
    hubZone(ZONE),
    {
      id: PE,
      type: "Microsoft.Network/privateEndpoints",
      location: "westeurope",
      properties: {
        provisioningState: "Succeeded",
        customDnsConfigs: [{ fqdn: "kv-shared.vault.azure.net", ipAddresses: ips }],
        manualPrivateLinkServiceConnections: [
          { name: "l", properties: { privateLinkServiceId: KV, groupIds: ["vault"], privateLinkServiceConnectionState: state } },
        ],
        networkInterfaces: [],
      },
    },
    {
      id: CONN,
      type: "Microsoft.KeyVault/vaults/privateEndpointConnections",
      properties: { privateEndpoint: { id: PE }, privateLinkServiceConnectionState: state, provisioningState: "Succeeded" },
    },
  ];
}

const delivery = (id: string) => ({
  id,
  eventType: "Microsoft.Resources.ResourceWriteSuccess",
  subject: PE,
  eventTime: new Date().toISOString(),
  dataVersion: "2",
  data: { resourceUri: PE, operationName: "Microsoft.Network/privateEndpoints/write", status: "Succeeded" },
});

let local: LocalArm | undefined;
let dir: string | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function runtime(l: LocalArm): Runtime {
  dir = mkdtempSync(join(tmpdir(), "audit-applied-"));
  const file = join(dir, "allow-list.yaml");
  writeFileSync(file, ALLOW);
  return new Runtime({ allowListPath: file, dryRun: false, identity: {}, arm: l.arm.settings, subscriptions: [CONSUMER] });
}

const rows = async (rt: { audit: { query(q: object): Promise<{ action: string; outcome: string; resource: string }[]> } }) =>
  (await rt.audit.query({})).map((e) => `${e.action}:${e.outcome}`).sort();

describe("every applied write is audited", () => {
  it("approval applied, then no IP yet: the approval is reported and audited, and the event is still left for redelivery", async () => {
    local = await startLocalArm({ resources: estate() }, { throttle: false });
    const audit = new MemoryAuditLog();
    const ledger = new MemoryEventLedger();
    const config = parseConfigText(ALLOW, "allow-list.yaml");
    const ds = await handleRawEvent(delivery("ev-1"), new Autopilot({ arm: local.arm, config }), silentLogger, { audit, ledger });
    expect(ds.map((d) => [d.action, d.outcome, !!d.retryable])).toEqual([
      ["approve", "applied", false],
      ["dns-skip", "skipped", true],
    ]);
    expect(ds[1]!.reason).toMatch(/no private IP yet/);
    expect(await rows({ audit })).toEqual(["approve:applied", "dns-skip:skipped"]);

    // The IP arrives; the redelivery writes the record (the approval is not repeated).
    const pe = local.emulator.getResource(PE)!;
    pe.properties!.customDnsConfigs[0].ipAddresses = ["10.1.0.4"];
    local.emulator.load({ resources: [pe] });
    const again = await handleRawEvent(delivery("ev-1"), new Autopilot({ arm: local.arm, config }), silentLogger, { audit, ledger });
    expect(again.map((d) => [d.action, d.outcome])).toContainEqual(["dns-create", "applied"]);
  });

  it("the host fails the invocation (so Event Grid redelivers) only after the applied approval is audited", async () => {
    local = await startLocalArm({ resources: estate() }, { throttle: false });
    const rt = runtime(local);
    await expect(onResourceEvent(delivery("ev-2"), silentLogger, rt)).rejects.toThrow(/left for redelivery.*no private IP yet/);
    expect(await rows(rt)).toEqual(["approve:applied", "dns-skip:skipped"]);
  });

  it("a sweep whose later listing fails audits the approvals it already wrote, and the failure", async () => {
    local = await startLocalArm({ resources: estate(["10.1.0.4"]) }, { throttle: false });
    const rt = runtime(local);
    // Phase 1 approves; phase 2 cannot list the consumer's endpoints (the identity lost its role there).
    local.emulator.injectFault({
      status: 403,
      method: "GET",
      pathIncludes: `/subscriptions/${CONSUMER}/providers/Microsoft.Network/privateEndpoints`,
      count: 100,
    });
    const report = await onSweepTimer(silentLogger, rt);
    expect(report.decisions).toContainEqual(expect.objectContaining({ action: "error", outcome: "failed", reason: expect.stringMatching(/403/) }));
    expect(await rt.audit.query({ action: "error" })).toHaveLength(1);
    expect(local.emulator.getResource(CONN)!.properties!.privateLinkServiceConnectionState.status).toBe("Approved");
    const audited = await rt.audit.query({ action: "approve" });
    expect(audited.map((e) => [e.resource.toLowerCase(), e.outcome])).toEqual([[CONN.toLowerCase(), "applied"]]);
  });
});
