// A stale or forged delete event must not remove the records of an endpoint that
// still exists (issue 8, "Also"): the endpoint is re-read first; only a 404 confirms.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import type { ResourceEvent } from "../../shared/events/index.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { consumerVnet, createEndpoint, CONSUMER, hubZone, parent, vaultId, SPOKES_ALLOW } from "../helpers/world.js";

const KV = vaultId("kv-shared");
const ZONE = "privatelink.vaultcore.azure.net";
const ALLOW = SPOKES_ALLOW;

let local: LocalArm | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
});

const del = (id: string, resourceId: string): ResourceEvent => ({
  id,
  schema: "eventgrid",
  eventType: "Microsoft.Resources.ResourceDeleteSuccess",
  kind: "delete",
  resourceId,
  resourceType: "Microsoft.Network/privateEndpoints",
  operationName: "Microsoft.Network/privateEndpoints/delete",
  caller: {},
});
const write = (id: string, resourceId: string): ResourceEvent => ({
  ...del(id, resourceId),
  eventType: "Microsoft.Resources.ResourceWriteSuccess",
  kind: "write",
  operationName: "Microsoft.Network/privateEndpoints/write",
});
const records = (l: LocalArm) =>
  l.emulator
    .snapshot()
    .resources.filter((r) => r.type === "Microsoft.Network/privateDnsZones/A")
    .map((r) => r.name);

describe("delete events are hints too", () => {
  it("a forged or stale delete for an endpoint that exists (any id casing) removes nothing; a real delete does", async () => {
    local = await startLocalArm({ resources: [parent(KV, "Microsoft.KeyVault/vaults"), hubZone(ZONE), consumerVnet("rg-app")] }, { throttle: false });
    const pe = await createEndpoint(local, "pe-1", KV);
    const autopilot = new Autopilot({ arm: local.arm, config: parseConfigText(ALLOW, "a.yaml") });
    await autopilot.handleEvent(write("w-1", pe));
    expect(records(local)).toEqual(["kv-shared"]);
    const writesBefore = local.emulator.calls.filter((c) => c.method !== "GET").length;
    for (const [i, id] of [pe, pe.toUpperCase(), `${pe}/`].entries()) {
      const ds = await autopilot.handleEvent(del(`forged-${i}`, id));
      expect(ds).toEqual([expect.objectContaining({ action: "ignore", reason: expect.stringMatching(/endpoint exists/) })]);
    }
    expect(records(local)).toEqual(["kv-shared"]);
    expect(local.emulator.calls.filter((c) => c.method !== "GET").length).toBe(writesBefore);
    // ARM says 404: now the delete is real.
    await local.arm.networkFor(CONSUMER).privateEndpoints.beginDeleteAndWait("rg-app", "pe-1", { updateIntervalInMs: 10 });
    expect((await autopilot.handleEvent(del("real", pe))).map((d) => [d.action, d.outcome])).toEqual([["dns-delete", "applied"]]);
    expect(records(local)).toEqual([]);
  });
});
