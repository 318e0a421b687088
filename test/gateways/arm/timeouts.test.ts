// Client-side timeouts (issue 8, defect 7): a hung ARM or Table storage call ends
// within the invocation's budget, and the event is left for redelivery, not acknowledged.
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ArmClients } from "../../../shared/gateways/arm/clients.js";
import { BUDGET_EXHAUSTED, withBudget } from "../../../shared/gateways/arm/timeouts.js";
import { parseConfigText } from "../../../shared/config/index.js";
import { Autopilot } from "../../../shared/autopilot/autopilot.js";
import { silentLogger } from "../../../shared/model/decision.js";
import { handleRawEvent } from "../../../shared/runtime/handleEvent.js";
import { MemoryEventLedger } from "../../../shared/store/eventLedger.js";
import { tableClient } from "../../../shared/store/tables.js";
import { DEVSTORE_ACCOUNT, DEVSTORE_KEY } from "../../../sandbox/azurite.js";
import { startLocalArm, type LocalArm } from "../../../sandbox/localArm.js";
import { consumerVnet, createEndpoint, CONSUMER, parent, PROVIDER, vaultId } from "../../helpers/world.js";

const KV = vaultId("kv-shared");
const ALLOW = `
approval:
  managedScopes: [/subscriptions/${PROVIDER}]
  rules:
    - name: spokes
      requesterSubscriptions: [${CONSUMER}]
`;

let local: LocalArm | undefined;
let silent: Server | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
  await local?.close();
  local = undefined;
  for (const s of sockets) s.destroy();
  sockets.clear();
  await new Promise<void>((r) => (silent ? silent.close(() => r()) : r()));
  silent = undefined;
});

/** The event Event Grid would deliver for the endpoint's write. */
const delivery = (id: string, resourceId: string) => ({
  id,
  eventType: "Microsoft.Resources.ResourceWriteSuccess",
  subject: resourceId,
  eventTime: new Date().toISOString(),
  dataVersion: "2",
  data: { resourceUri: resourceId, operationName: "Microsoft.Network/privateEndpoints/write", status: "Succeeded" },
});

const hung = (l: LocalArm) => l.emulator.calls.filter((c) => c.status === 0);
const status = (l: LocalArm) =>
  l.emulator.snapshot().resources.find((r) => r.type === "Microsoft.KeyVault/vaults/privateEndpointConnections")!.properties!.privateLinkServiceConnectionState
    .status;

describe("client-side timeouts", () => {
  it("a hung ARM read times out, is retried by the SDK, and the event is left for redelivery; the redelivery is handled", async () => {
    local = await startLocalArm({ resources: [parent(KV, "Microsoft.KeyVault/vaults"), consumerVnet("rg-app")] }, { throttle: false });
    const pe = await createEndpoint(local, "pe-1", KV);
    const arm = new ArmClients({ ...local.arm.settings, requestTimeoutMs: 200, maxRetries: 1 });
    const config = parseConfigText(ALLOW, "allow-list.yaml");
    const ledger = new MemoryEventLedger();
    // The endpoint read hangs on the first attempt and on the SDK's retry.
    local.emulator.injectFault({ status: 0, hang: true, method: "GET", pathIncludes: "/privateEndpoints/pe-1", count: 2 });
    const first = await handleRawEvent(delivery("ev-1", pe), new Autopilot({ arm, config }), silentLogger, { ledger });
    expect(hung(local)).toHaveLength(2);
    expect(first).toEqual([
      expect.objectContaining({ action: "error", outcome: "failed", retryable: true, error: expect.stringMatching(/no answer within 200 ms/) }),
    ]);
    expect(status(local)).toBe("Pending");
    // Event Grid redelivers the same id: it is handled, not taken for a duplicate.
    const again = await handleRawEvent(delivery("ev-1", pe), new Autopilot({ arm, config }), silentLogger, { ledger });
    expect(again).toContainEqual(expect.objectContaining({ action: "approve", outcome: "applied" }));
    expect(status(local)).toBe("Approved");
  });

  it("no call outlives the invocation's budget: a hang ends there, and the SDK does not retry past it", async () => {
    local = await startLocalArm({ resources: [parent(KV, "Microsoft.KeyVault/vaults")] }, { throttle: false });
    const arm = new ArmClients({ ...local.arm.settings, requestTimeoutMs: 600_000, maxRetries: 5 });
    local.emulator.injectFault({ status: 0, hang: true, method: "GET", count: 100 });
    const err = await withBudget(300, () => arm.generic.get(KV, "2026-02-01")).catch((e) => e);
    expect(err).toMatchObject({ code: expect.stringMatching(new RegExp(`^(ETIMEDOUT|${BUDGET_EXHAUSTED})$`)) });
    // One hung attempt; the SDK's retries find the budget spent and are never sent.
    expect(hung(local)).toHaveLength(1);
  });

  it("a hung Table storage call ends within the budget", async () => {
    silent = createServer((s) => {
      sockets.add(s); // accepts, reads, never answers
      s.on("error", () => {});
    });
    await new Promise<void>((r) => silent!.listen(0, "127.0.0.1", () => r()));
    const port = (silent.address() as { port: number }).port;
    const client = tableClient(
      `DefaultEndpointsProtocol=http;AccountName=${DEVSTORE_ACCOUNT};AccountKey=${DEVSTORE_KEY};TableEndpoint=http://127.0.0.1:${port}/${DEVSTORE_ACCOUNT};`,
      "ledger",
      { retryOptions: { maxRetries: 0 } },
    );
    const err = await withBudget(300, () => client.getEntity("p", "r")).catch((e) => e);
    expect(err).toMatchObject({ code: expect.stringMatching(new RegExp(`^(ETIMEDOUT|${BUDGET_EXHAUSTED})$`)) });
    expect(sockets.size).toBeGreaterThan(0); // it did reach the silent server
  });
});
