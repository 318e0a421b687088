// The handler acts only on the operations the Event Grid filter admits (shared/events/operations.ts).
import { describe, expect, it } from "vitest";
import type { ArmClients } from "../../shared/gateways/arm/clients.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import { isHandledOperation, type ResourceEvent } from "../../shared/events/index.js";

// No ARM at all: any ARM call would throw, so an ignored event provably made none.
const noArm = new Proxy(
  {},
  {
    get: (_, p) => {
      throw new Error(`ARM used: ${String(p)}`);
    },
  },
) as unknown as ArmClients;
const brokenConfig = { ok: false, problems: [{ file: "allow-list.yaml", line: 1, column: 1, key: "", message: "no allow-list in this test" }] } as never;

const storage = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1";
function event(operationName: string | undefined, resourceId = storage): ResourceEvent {
  return {
    id: "e1",
    schema: "eventgrid",
    eventType: "Microsoft.Resources.ResourceActionSuccess",
    kind: "action",
    resourceId,
    resourceType: "Microsoft.Storage/storageAccounts",
    caller: {},
    ...(operationName ? { operationName } : {}),
  };
}

describe("operations the handler acts on", () => {
  it("ignores an operation outside the list (key listings on a managed account) without reading ARM", async () => {
    const ap = new Autopilot({ arm: noArm, config: brokenConfig });
    const d = await ap.handleEvent(event("Microsoft.Storage/storageAccounts/listKeys/action"));
    expect(d).toEqual([expect.objectContaining({ action: "ignore", outcome: "skipped", reason: expect.stringContaining("listKeys/action cannot change") })]);
  });

  it("goes on to decide for a handled operation, and for an event without an operation name (ResourceNotifications)", async () => {
    const ap = new Autopilot({ arm: noArm, config: brokenConfig });
    for (const op of [
      "Microsoft.Storage/storageAccounts/privateEndpointConnections/write",
      "MICROSOFT.STORAGE/storageaccounts/privateEndpointConnectionsApproval/action",
      undefined,
    ]) {
      // The broken allow-list is reached: the operation was not filtered out.
      expect(await ap.handleEvent(event(op)), String(op)).toEqual([
        expect.objectContaining({ action: "error", reason: expect.stringContaining("allow-list is invalid") }),
      ]);
    }
  });

  it("keeps the app's own DNS record writes out, admits endpoint writes and deletes", () => {
    expect(isHandledOperation("Microsoft.Network/privateDnsZones/A/write")).toBe(false);
    expect(isHandledOperation("Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write")).toBe(false);
    expect(isHandledOperation("Microsoft.Network/privateEndpoints/write")).toBe(true);
    expect(isHandledOperation("Microsoft.Network/privateEndpoints/delete")).toBe(true);
    expect(isHandledOperation("Microsoft.KeyVault/vaults/privateEndpointConnectionProxies/write")).toBe(true);
  });
});
