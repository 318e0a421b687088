// The private-endpoint fixture set under test/fixtures/events parses as documented in its README.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isFromPrincipal, parseEventBatch, type ResourceEvent } from "../../shared/events/index.js";
import { FIX, expectEvent, readText } from "./helpers.js";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CONSUMER = "11111111-1111-1111-1111-111111111111";
const PROVIDER = "22222222-2222-2222-2222-222222222222";
const STRANGER = "99999999-9999-9999-9999-999999999999";
const PE_WEB = `/subscriptions/${CONSUMER}/resourceGroups/rg-app-web/providers/Microsoft.Network/privateEndpoints/pe-web-kv`;
const PE_STRANGER = `/subscriptions/${STRANGER}/resourceGroups/rg-stranger/providers/Microsoft.Network/privateEndpoints/pe-stranger-kv`;
const KV = `/subscriptions/${PROVIDER}/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-shared`;
const CONN_WEB = `${KV}/privateEndpointConnections/pe-web-kv.6f1f0e3a-4b8c-4d2e-9a57-0c1d2e3f4a5b`;
const CONN_STRANGER = `${KV}/privateEndpointConnections/pe-stranger-kv.c0ffee00-1234-4abc-9def-0123456789ab`;
const ALICE = "3c6f0f5e-8b7a-4c1d-9e2f-5a6b7c8d9e01";
const MALLORY = "b7e3a1c9-2d4f-4e6a-8c0b-9f1e2d3c4b5a";
const AUTOPILOT = { objectId: "8f1d2c3b-4a5e-4f60-9a7b-1c2d3e4f5a6b", clientId: "0d9c8b7a-6f5e-4d3c-2b1a-0f9e8d7c6b5a" };

function single(file: string): ResourceEvent {
  const out = parseEventBatch(readText(FIX, file));
  expect(out).toHaveLength(1);
  const ev = expectEvent(out[0]!);
  expect(ev.warnings).toBeUndefined();
  expect(ev.tenantId).toBe(TENANT);
  expect(ev.status).toBe("Succeeded");
  return ev;
}

describe("private-endpoint fixtures", () => {
  it("every fixture file is a JSON array that parses without invalid results", () => {
    const files = readdirSync(fileURLToPath(FIX)).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const f of files) {
      const body = JSON.parse(readText(FIX, f));
      expect(Array.isArray(body), f).toBe(true);
      for (const p of parseEventBatch(body)) expect(p.outcome, f).not.toBe("invalid");
    }
  });

  for (const schema of ["eventgrid", "cloudevents"] as const) {
    it(`pe-write.${schema}.json`, () => {
      const ev = single(`pe-write.${schema}.json`);
      expect(ev).toMatchObject({
        schema,
        eventType: "Microsoft.Resources.ResourceWriteSuccess",
        kind: "write",
        resourceType: "Microsoft.Network/privateEndpoints",
        operationName: "Microsoft.Network/privateEndpoints/write",
        subscriptionId: CONSUMER,
        resourceGroup: "rg-app-web",
        httpMethod: "PUT",
        caller: { objectId: ALICE, appId: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", principalType: "User", name: "Alice Example" },
      });
      expect(ev.resourceId).toBe(PE_WEB);
      expect(isFromPrincipal(ev, AUTOPILOT)).toBe(false);
    });

    it(`kv-connection-write.${schema}.json`, () => {
      const ev = single(`kv-connection-write.${schema}.json`);
      expect(ev).toMatchObject({
        schema,
        kind: "write",
        resourceType: "Microsoft.KeyVault/vaults/privateEndpointConnections",
        operationName: "Microsoft.KeyVault/vaults/privateEndpointConnections/write",
        subscriptionId: PROVIDER,
        resourceGroup: "rg-shared",
        caller: { objectId: ALICE },
      });
      expect(ev.resourceId.toLowerCase()).toBe(CONN_WEB.toLowerCase());
    });

    it(`pe-delete.${schema}.json`, () => {
      const ev = single(`pe-delete.${schema}.json`);
      expect(ev).toMatchObject({
        schema,
        kind: "delete",
        operationName: "Microsoft.Network/privateEndpoints/delete",
        httpMethod: "DELETE",
        subscriptionId: CONSUMER,
      });
      expect(ev.resourceId.toLowerCase()).toBe(PE_WEB.toLowerCase());
    });
  }

  it("stranger fixtures", () => {
    const pe = single("stranger-pe-write.eventgrid.json");
    expect(pe.resourceId).toBe(PE_STRANGER);
    expect(pe.subscriptionId).toBe(STRANGER);
    expect(pe.caller.objectId).toBe(MALLORY);
    const conn = single("stranger-kv-connection-write.eventgrid.json");
    expect(conn.resourceId).toBe(CONN_STRANGER);
    expect(conn.subscriptionId).toBe(PROVIDER);
  });

  it("the autopilot's own approval is recognised as a self-event", () => {
    const ev = single("kv-connection-write-by-autopilot.eventgrid.json");
    expect(ev.resourceId).toBe(CONN_WEB);
    expect(ev.caller).toMatchObject({ objectId: AUTOPILOT.objectId, appId: AUTOPILOT.clientId, principalType: "ServicePrincipal" });
    expect(isFromPrincipal(ev, AUTOPILOT)).toBe(true);
    expect(isFromPrincipal(ev, { objectId: AUTOPILOT.objectId })).toBe(true);
    expect(isFromPrincipal(ev, { clientId: AUTOPILOT.clientId })).toBe(true);
  });

  it("mixed-batch.json: one result per event, in order", () => {
    const out = parseEventBatch(readText(FIX, "mixed-batch.json"));
    expect(out.map((p) => p.outcome)).toEqual(["event", "ignored", "event", "ignored", "event", "event", "event"]);
    expect(out[1]).toMatchObject({ outcome: "ignored", eventType: "Microsoft.Storage.BlobCreated" });
    expect(out[3]).toMatchObject({ outcome: "ignored", eventType: "Microsoft.Resources.ResourceWriteFailure" });
    const events = out.flatMap((p) => (p.outcome === "event" ? [p.event] : []));
    expect(events.map((e) => `${e.kind} ${e.resourceId.toLowerCase()}`)).toEqual(
      [`write ${PE_WEB}`, `write ${CONN_WEB}`, `write ${PE_STRANGER}`, `write ${CONN_STRANGER}`, `delete ${PE_WEB}`].map((s) => s.toLowerCase()),
    );
    expect(new Set(out.map((p) => (p.outcome === "invalid" ? undefined : p.outcome === "event" ? p.event.id : p.id))).size).toBe(7);
  });
});
