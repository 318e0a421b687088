// Loads functions/ as the Functions host would, with a stand-in for the
// host-injected @azure/functions-core module, and checks every registration.
// Then invokes the captured handler against the emulator.
import { createRequire } from "node:module";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvocationContext } from "@azure/functions";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { eventGridEvent } from "../../sandbox/eventFactory.js";
import { readFileSync } from "node:fs";
import { CONTINUATIONS_QUEUE, EVENTS_QUEUE } from "../../shared/runtime/azureNames.js";
import { newContinuation } from "../../shared/autopilot/continuations.js";

interface Registration {
  metadata: { name: string; bindings: Record<string, { type: string; direction: string }> };
  handler: (...args: unknown[]) => Promise<unknown>;
}
const registrations: Registration[] = [];
const registered = (name: string) => registrations.find((r) => r.metadata.name === name)!;
const coreStandIn = {
  setProgrammingModel() {},
  registerFunction(metadata: Registration["metadata"], handler: Registration["handler"]) {
    registrations.push({ metadata, handler });
    return { dispose() {} };
  },
  registerHook() {
    return { dispose() {} };
  },
};

const Module = createRequire(import.meta.url)("node:module");
const originalLoad = Module._load;
let local: LocalArm;

beforeAll(async () => {
  Module._load = function (request: string, ...rest: unknown[]) {
    if (request === "@azure/functions-core") return coreStandIn;
    return originalLoad.call(this, request, ...rest);
  };
  const estate = JSON.parse(readFileSync(new URL("../../examples/estate.json", import.meta.url), "utf8"));
  local = await startLocalArm(estate, { throttle: false });
  const dir = mkdtempSync(join(tmpdir(), "pla-fn-"));
  writeFileSync(join(dir, "ca.pem"), local.emulator.ca);
  Object.assign(process.env, {
    AUTOPILOT_ALLOW_LIST_PATH: new URL("../../sandbox/demo/allow-list.yaml", import.meta.url).pathname,
    AZURE_ARM_ENDPOINT: local.emulator.url,
    AZURE_ARM_SCOPE: `${local.emulator.url}/.default`,
    AUTOPILOT_ARM_CA_FILE: join(dir, "ca.pem"),
    AUTOPILOT_ARM_STATIC_TOKEN: "test-token",
    AUTOPILOT_POLL_INTERVAL_MS: "10",
    // The fixtures' managed identity (test/fixtures/events/README.md).
    AUTOPILOT_PRINCIPAL_ID: "8f1d2c3b-4a5e-4f60-9a7b-1c2d3e4f5a6b",
  });
  await import("../../functions/index.js");
});

afterAll(async () => {
  Module._load = originalLoad;
  await local?.close();
});

function context(lines: string[]) {
  return new InvocationContext({
    invocationId: "test-invocation",
    functionName: "resourceEvents",
    logHandler: (level, ...args) => lines.push(`${level}: ${args.join(" ")}`),
  });
}

describe("functions/", () => {
  it("registers the Event Grid trigger, the events-queue trigger, the continuations-queue trigger and the reconcile timer", () => {
    expect(registrations.map((r) => r.metadata.name)).toEqual(["resourceEvents", "resourceEventsQueue", "continuationsQueue", "reconcile"]);
    expect(Object.values(registered("resourceEvents").metadata.bindings)).toEqual([expect.objectContaining({ type: "eventGridTrigger", direction: "in" })]);
    expect(Object.values(registered("resourceEventsQueue").metadata.bindings)).toEqual([
      expect.objectContaining({ type: "queueTrigger", direction: "in", queueName: EVENTS_QUEUE, connection: "AzureWebJobsStorage" }),
    ]);
    expect(Object.values(registered("continuationsQueue").metadata.bindings)).toEqual([
      expect.objectContaining({ type: "queueTrigger", direction: "in", queueName: CONTINUATIONS_QUEUE, connection: "AzureWebJobsStorage" }),
    ]);
    expect(CONTINUATIONS_QUEUE).not.toBe(EVENTS_QUEUE);
    expect(Object.values(registered("reconcile").metadata.bindings)).toEqual([
      expect.objectContaining({ type: "timerTrigger", direction: "in", schedule: "0 */15 * * * *" }),
    ]);
  });

  it("the queue trigger takes an Event Grid schema message as Event Grid writes it (base64) and approves like the webhook", async () => {
    // A second team endpoint to the shared vault, created as a team would.
    const created = await local.arm.networkFor("11111111-1111-1111-1111-111111111111").privateEndpoints.beginCreateOrUpdateAndWait("rg-app-web", "pe-api-kv", {
      location: "westeurope",
      subnet: {
        id: "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-app-web/providers/Microsoft.Network/virtualNetworks/vnet-app-web/subnets/snet-pe",
      },
      manualPrivateLinkServiceConnections: [
        {
          name: "kv-shared",
          privateLinkServiceId: "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-shared",
          groupIds: ["vault"],
          requestMessage: "api",
        },
      ],
    });
    const pe = created.id!;
    const before = local.emulator.getResource(pe)!.properties!.manualPrivateLinkServiceConnections[0].properties.privateLinkServiceConnectionState.status;
    expect(before).toBe("Pending");
    const message = Buffer.from(JSON.stringify(eventGridEvent({ resourceId: pe, operationName: "Microsoft.Network/privateEndpoints/write" }))).toString(
      "base64",
    );
    const lines: string[] = [];
    await registered("resourceEventsQueue").handler(message, context(lines));
    const status = local.emulator.getResource(pe)!.properties!.manualPrivateLinkServiceConnections[0].properties.privateLinkServiceConnectionState.status;
    expect(status).toBe("Approved");
    expect(lines.join("\n")).toMatch(/information: approve .*pe-api-kv/);
  });

  it("the continuations trigger takes the app's own continuation as the app writes it (base64) and writes the endpoint's records", async () => {
    // pe-api-kv was approved through the events queue above; its record is taken away, as if the approval had still been running.
    const kv = local.arm.keyVaultFor("22222222-2222-2222-2222-222222222222");
    const conns = [];
    for await (const c of kv.privateEndpointConnections.listByResource("rg-shared", "kv-shared")) conns.push(c);
    const conn = conns.find((c) => c.privateEndpoint?.id?.endsWith("/pe-api-kv"))!;
    expect(conn.privateLinkServiceConnectionState?.status).toBe("Approved");
    const recordPut = local.emulator.calls.find((c) => c.method === "PUT" && /\/privateDnsZones\/[^/]+\/A\//i.test(c.path) && c.status < 400);
    expect(recordPut).toBeDefined();
    const record = recordPut!.path.split("?")[0]!;
    const [, sub, rg, zone, name] =
      /subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/privateDnsZones\/([^/]+)\/A\/([^/]+)/i.exec(record)!;
    await local.arm.privateDnsFor(sub!).recordSets.delete(rg!, zone!, "A", name!);
    expect(local.emulator.getResource(record)).toBeUndefined();

    const message = Buffer.from(JSON.stringify(newContinuation(conn.id!, 1))).toString("base64");
    const lines: string[] = [];
    await registered("continuationsQueue").handler(message, context(lines));
    expect(local.emulator.getResource(record)?.properties?.aRecords).toHaveLength(1);
    expect(lines.join("\n")).toMatch(/information: dns-create /);
  });

  it("the queue trigger throws on a retryable failure, so the host retries after the visibility timeout", async () => {
    const pe = "/subscriptions/99999999-9999-9999-9999-999999999999/resourceGroups/rg-stranger/providers/Microsoft.Network/privateEndpoints/pe-stranger-kv";
    local.emulator.injectFault({ method: "GET", pathIncludes: "pe-stranger-kv", status: 503, code: "ServiceUnavailable", retryAfterSeconds: 0, count: 10 });
    // The host decoded the base64 and handed over the JSON parsed.
    const ev = JSON.parse(JSON.stringify(eventGridEvent({ resourceId: pe, operationName: "Microsoft.Network/privateEndpoints/write" })));
    await expect(registered("resourceEventsQueue").handler(ev, context([]))).rejects.toThrow(/redelivery/);
  }, 60_000);

  it("the registered handler approves an allow-listed endpoint's connection", async () => {
    const pe = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-app-web/providers/Microsoft.Network/privateEndpoints/pe-web-kv";
    const ev = eventGridEvent({ resourceId: pe, operationName: "Microsoft.Network/privateEndpoints/write" });
    const lines: string[] = [];
    // The host hands the event over as plain JSON (eventTime a string).
    await registered("resourceEvents").handler(JSON.parse(JSON.stringify(ev)), context(lines));
    const status = local.emulator.getResource(pe)!.properties!.manualPrivateLinkServiceConnections[0].properties.privateLinkServiceConnectionState.status;
    expect(status).toBe("Approved");
    expect(lines.join("\n")).toMatch(/information: approve .*rule corp-spokes/);
  });

  it("handles the echo of its own write (caller = the app's identity) like any event: it reads, finds it done, writes nothing", async () => {
    const [echo] = JSON.parse(readFileSync(new URL("../fixtures/events/kv-connection-write-by-autopilot.eventgrid.json", import.meta.url), "utf8"));
    local.emulator.clearCalls();
    const lines: string[] = [];
    await registered("resourceEvents").handler(echo, context(lines));
    // The caller claim is the sender's word: no skip on it (issue 8), but no write either.
    expect(local.emulator.calls.filter((c) => c.method !== "GET" && c.status < 400).map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([]); // a refused create-if-absent (412) changes nothing
    expect(lines.join("\n")).not.toMatch(/error/);
  });

  it("throws (so Event Grid redelivers) when ARM keeps failing, and logs why", async () => {
    const pe = "/subscriptions/99999999-9999-9999-9999-999999999999/resourceGroups/rg-stranger/providers/Microsoft.Network/privateEndpoints/pe-stranger-kv";
    local.emulator.injectFault({ method: "GET", pathIncludes: "pe-stranger-kv", status: 503, code: "ServiceUnavailable", retryAfterSeconds: 0, count: 10 });
    const lines: string[] = [];
    await expect(
      registered("resourceEvents").handler(eventGridEvent({ resourceId: pe, operationName: "Microsoft.Network/privateEndpoints/write" }), context(lines)),
    ).rejects.toThrow(/redelivery/);
    expect(lines.join("\n")).toMatch(/error: event .* failed/);
  }, 60_000);

  it("each file exports its handler by name, callable without the host (the timer's here)", async () => {
    const { reconcile } = await import("../../functions/reconcile.js");
    const lines: string[] = [];
    await reconcile({ isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } }, context(lines));
    expect(lines.join("\n")).toMatch(/information: sweep [0-9a-f-]+ complete: \{/);
  });

  it("the timer handler runs a sweep and logs its totals (and the sweep approves nothing the allow-list does not)", async () => {
    const lines: string[] = [];
    await registered("reconcile").handler({ isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: {} }, context(lines));
    expect(lines.join("\n")).toMatch(/information: sweep [0-9a-f-]+ complete: \{/);
    const stranger =
      "/subscriptions/99999999-9999-9999-9999-999999999999/resourceGroups/rg-stranger/providers/Microsoft.Network/privateEndpoints/pe-stranger-kv";
    expect(local.emulator.getResource(stranger)!.properties!.manualPrivateLinkServiceConnections[0].properties.privateLinkServiceConnectionState.status).toBe(
      "Pending",
    );
  });
});
