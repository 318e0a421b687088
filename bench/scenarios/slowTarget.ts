// Benchmark: one Key Vault with 20 Pending requests, at real approval durations (clock
// factor 1: about 47 s per approval, from the Azure CLI recording
// test_private_endpoint_connection_keyvault.yaml). Measures how long one sweep takes to
// approve all 20 (target: within the 240 s sweep budget; one at a time would take
// 20 x 47 s = 940 s), and when the DNS continuations have written every endpoint's record.
//   npx tsx bench/scenarios/slowTarget.ts            (about 2 minutes)
//   npx tsx bench/scenarios/slowTarget.ts --quick    (clock factor 0.05)
// The bench harness imports run() (`npm run bench -- --only slowTarget`).
import { recordedApprovalMs } from "../../shared/model/approvalTimes.js";
import { performance } from "node:perf_hooks";
import { runWhenMain } from "../lib/scenario.js";
import { parseConfigText } from "../../shared/config/index.js";
import { APPROVAL_CONCURRENCY, APPROVAL_WAIT_MS, Autopilot, CONTINUE_AFTER_MS } from "../../shared/autopilot/autopilot.js";
import { MemoryContinuations } from "../../shared/autopilot/continuations.js";
import { silentLogger, type Decision } from "../../shared/model/decision.js";
import { Sweeper } from "../../shared/autopilot/sweep.js";
import type { ArmResource } from "../../sandbox/estate.js";
import { handleRawEvent } from "../../shared/runtime/handleEvent.js";
import { MemoryCursorStore } from "../../shared/store/marks.js";
import { startLocalArm } from "../../sandbox/localArm.js";
import { ResourceInventory } from "../../shared/gateways/inventory.js";

const PROVIDER = "22222222-2222-2222-2222-222222222222";
const CONSUMER = "11111111-1111-1111-1111-111111111111";
const HUB_RG = "/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-dns";
const VAULT = `/subscriptions/${PROVIDER}/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-busy`;
const REQUESTS = 20;
const KV_APPROVAL_MS = 47_000;
const SWEEP_BUDGET_MS = 240_000;

function estate(): ArmResource[] {
  const out: ArmResource[] = [
    { id: VAULT, type: "Microsoft.KeyVault/vaults", location: "westeurope", properties: {} },
    {
      id: `${HUB_RG}/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net`,
      type: "Microsoft.Network/privateDnsZones",
      location: "global",
      properties: {},
    },
  ];
  for (let i = 0; i < REQUESTS; i++) {
    const pe = `/subscriptions/${CONSUMER}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/pe-${i}`;
    const state = { status: "Pending", description: "please", actionsRequired: "None" };
    out.push(
      {
        id: pe,
        type: "Microsoft.Network/privateEndpoints",
        location: "westeurope",
        properties: {
          provisioningState: "Succeeded",
          customDnsConfigs: [{ fqdn: "kv-busy.vault.azure.net", ipAddresses: [`10.1.0.${i + 4}`] }],
          manualPrivateLinkServiceConnections: [
            { name: "l", properties: { privateLinkServiceId: VAULT, groupIds: ["vault"], privateLinkServiceConnectionState: state } },
          ],
          networkInterfaces: [],
        },
      },
      {
        id: `${VAULT}/privateEndpointConnections/pe-${i}.conn`,
        properties: { privateEndpoint: { id: pe }, privateLinkServiceConnectionState: state, provisioningState: "Succeeded" },
      },
    );
  }
  return out;
}

const ALLOW = `approval:
  managedScopes: [/subscriptions/${PROVIDER}]
  rules:
    - name: spokes
      requesterSubscriptions: [${CONSUMER}]
dns:
  zones:
    - name: privatelink.vaultcore.azure.net
      resourceGroupId: ${HUB_RG}
`;

export async function run(opts: { quick?: boolean } = {}): Promise<{ key: string; result: Record<string, unknown>; summary: string[] }> {
  const clock = opts.quick ? 0.05 : 1;
  const local = await startLocalArm({ resources: estate() }, { timeScale: clock });
  try {
    const continuations = new MemoryContinuations();
    // The app's defaults, on the bench's clock (the same factor as the emulator's durations).
    const autopilot = new Autopilot({
      arm: local.arm,
      config: parseConfigText(ALLOW, "bench.yaml"),
      approvals: {
        concurrency: APPROVAL_CONCURRENCY,
        waitMs: APPROVAL_WAIT_MS * clock,
        expectedMs: (id) => recordedApprovalMs(id, clock),
      },
      continuations: { sink: continuations, delayMs: CONTINUE_AFTER_MS * clock },
    });
    const budgetMs = SWEEP_BUDGET_MS * clock;
    const t0 = performance.now();
    const report = await new Sweeper(autopilot, new ResourceInventory(local.arm), new MemoryCursorStore()).sweep({
      subscriptions: [CONSUMER],
      deadline: Date.now() + budgetMs,
    });
    const sweepMs = performance.now() - t0;
    const approved = report.decisions.filter((d) => d.action === "approve" && d.outcome === "applied").length;

    // Each endpoint's DNS is done once it owns the record or waits as its claimant: written by
    // the sweep's endpoint pass (Key Vault shows Approved on the endpoint at once) or by a
    // continuation, delivered here as the queue trigger would once its delay is over.
    const done = new Set<string>();
    const note = (ds: Decision[]) => {
      for (const d of ds)
        if (d.dns?.owner && (d.action === "dns-create" || d.action === "dns-conflict" || (d.action === "dns-skip" && /up to date/.test(d.reason))))
          done.add(d.dns.owner);
    };
    note(report.decisions);
    let checks = 0;
    const limit = t0 + 20 * (KV_APPROVAL_MS + CONTINUE_AFTER_MS) * clock;
    while (continuations.queued.length && done.size < REQUESTS && performance.now() < limit) {
      for (const c of continuations.due()) {
        checks++;
        note(await handleRawEvent(JSON.parse(JSON.stringify(c)), autopilot, silentLogger));
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const dnsMs = performance.now() - t0;
    const written = done.size;
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const result = {
      clockFactor: clock,
      requests: REQUESTS,
      concurrency: APPROVAL_CONCURRENCY,
      sweepSeconds: +(sweepMs / 1000).toFixed(1),
      sweepBudgetSeconds: budgetMs / 1000,
      approved,
      complete: report.complete,
      oneAtATimeSeconds: (REQUESTS * KV_APPROVAL_MS * clock) / 1000,
      dnsDoneSeconds: +(dnsMs / 1000).toFixed(1),
      dnsDecisions: written,
      continuationChecks: checks,
    };
    const summary = [
      `slow target (clock factor ${clock}): ${approved}/${REQUESTS} Key Vault approvals (${s(KV_APPROVAL_MS * clock)} each) in one sweep of ${s(sweepMs)}, budget ${s(budgetMs)}, complete=${report.complete}; one at a time: ${s(REQUESTS * KV_APPROVAL_MS * clock)}`,
      `  DNS done for ${written}/${REQUESTS} endpoints (1 owner, the rest waiting claimants of the same name) ${s(dnsMs)} after the sweep started; ${checks} continuation checks delivered (every ${s(CONTINUE_AFTER_MS * clock)})`,
    ];
    return { key: "slowTarget", result, summary };
  } finally {
    await local.close();
  }
}

await runWhenMain(import.meta.url, run);
