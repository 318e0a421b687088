// End to end: EventGridPublisherClient -> local webhook -> core -> emulator,
// with the approval read back through the SDK.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AzureKeyCredential, EventGridPublisherClient } from "@azure/eventgrid";
import { startSandbox, type Sandbox } from "../../sandbox/start.js";
import { DEMO, playDemo } from "../../sandbox/demo/scenario.js";
import { cloudEvent, eventGridEvent } from "../../sandbox/eventFactory.js";
import { runCli } from "../../cli/main.js";
import { sharedAzurite } from "../helpers/sharedAzurite.js";

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0, quiet: true, azurite: await sharedAzurite() });
});
afterAll(async () => sb?.close());

const kv = () => sb.local!.arm.keyVaultFor("22222222-2222-2222-2222-222222222222");

describe("sandbox webhook", () => {
  it("plays the demo: the allow-listed endpoint is approved and registered, the stranger stays pending, the deleted one is cleaned up", async () => {
    const publisher = new EventGridPublisherClient(sb.webhook.url, "EventGrid", new AzureKeyCredential(sb.key), { allowInsecureConnection: true });
    const lines: string[] = [];
    await playDemo({ arm: sb.local!.arm, publisher, decisions: sb.decisions, say: (l) => lines.push(l), sweep: () => sb.runtime.sweep(sb.log) });
    expect(sb.decisions.map((d) => [d.action, d.outcome])).toEqual([
      ["approve", "applied"],
      ["dns-create", "applied"],
      ["leave-pending", "skipped"],
      ["dns-skip", "skipped"],
      ["dns-delete", "applied"],
    ]);
    const stranger = await sb.local!.arm.networkFor(DEMO.stranger.subscriptionId).privateEndpoints.get(DEMO.stranger.resourceGroup, DEMO.stranger.endpoint);
    expect(stranger.manualPrivateLinkServiceConnections![0]!.privateLinkServiceConnectionState!.status).toBe("Pending");
    const states: Record<string, string> = {};
    for await (const c of kv().privateEndpointConnections.listByResource("rg-shared", "kv-shared"))
      states[c.privateEndpoint!.id!.split("/").pop()!] = c.privateLinkServiceConnectionState!.status!;
    // pe-web-kv was approved, then deleted by its team: the provider now sees it Disconnected.
    // The partner's request had no event: the sweep approved it.
    expect(states).toEqual({ "pe-web-kv": "Disconnected", "pe-stranger-kv": "Pending", "pe-partner-kv": "Approved" });
    expect(lines.join("\n")).toMatch(/approve \(rule partner-tenant\)/);
    expect(lines.join("\n")).toMatch(/approve \(rule corp-spokes\)/);
    expect(lines.join("\n")).toMatch(/dns-create kv-shared\.privatelink\.vaultcore\.azure\.net A 10\.10\.1\.\d+ \(TTL 600\)/);
  });

  it("every decision of the demo, taken or refused, is in the audit trail, readable with `audit`", async () => {
    const out: string[] = [];
    const code = await runCli(["audit", "--json", "--since", "1h", "--connection-string", sb.azurite!.connectionString], {
      out: (l) => out.push(l),
      err: () => {},
    });
    expect(code).toBe(0);
    const rows = out.map((l) => JSON.parse(l));
    // Newest first; the webhook's decisions are all there, with the event that caused them.
    for (const d of sb.decisions) {
      expect(rows).toContainEqual(expect.objectContaining({ trigger: d.event, action: d.action, outcome: d.outcome, resource: d.resource }));
    }
    // The event's ARM correlation id travels with its decisions.
    expect(rows.find((r) => r.trigger === sb.decisions[0]!.event)!.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    const sweepActions = rows.filter((r) => r.trigger.startsWith("sweep:")).map((r) => r.action);
    expect(sweepActions).toContain("approve");
    expect(sweepActions).toContain("leave-pending"); // refused: audited on every sweep
    expect(sweepActions).not.toContain("ignore"); // nothing to do: not audited by sweeps
    const approves = await runCli(["audit", "--json", "--action", "approve", "--connection-string", sb.azurite!.connectionString], {
      out: (l) => out.push(l),
      err: () => {},
    });
    expect(approves).toBe(0);
  });

  it("accepts CloudEvents 1.0 and is idempotent on redelivery", async () => {
    const net = sb.local!.arm.networkFor(DEMO.web.subscriptionId);
    const pe = await net.privateEndpoints.beginCreateOrUpdateAndWait(DEMO.web.resourceGroup, "pe-web-2", {
      location: "westeurope",
      subnet: {
        id: `/subscriptions/${DEMO.web.subscriptionId}/resourceGroups/${DEMO.web.resourceGroup}/providers/Microsoft.Network/virtualNetworks/${DEMO.web.vnet}/subnets/snet-pe`,
      },
      manualPrivateLinkServiceConnections: [{ name: "kv", privateLinkServiceId: DEMO.vaultId, groupIds: ["vault"] }],
    });
    const publisher = new EventGridPublisherClient(sb.webhook.url, "CloudEvent", new AzureKeyCredential(sb.key), { allowInsecureConnection: true });
    const ev = cloudEvent({ resourceId: pe.id!, operationName: "Microsoft.Network/privateEndpoints/write" });
    // A write that changed something answered < 400; a refused create-if-absent (412) changed nothing.
    const changes = () => sb.local!.emulator.calls.filter((c) => c.method !== "GET" && c.status < 400).length;
    const before = sb.decisions.length;
    await publisher.send([ev]);
    const changesAfterFirst = changes();
    const callsBefore = sb.local!.emulator.calls.length;
    await publisher.send([ev]);
    expect(sb.local!.emulator.calls.length).toBe(callsBefore);
    // The redelivery (same id) is recognised by the event ledger before any ARM call (checked above).
    expect(sb.decisions.slice(before).map((d) => d.action)).toEqual(["approve", "dns-create", "ignore"]);
    expect(sb.decisions.at(-1)!.reason).toMatch(/duplicate event/);
    expect(changes()).toBe(changesAfterFirst);
  });

  it("answers the Event Grid validation handshake and the CloudEvents OPTIONS handshake", async () => {
    const validation = [
      {
        id: "2d1781af-3a4c-4d7c-bd0c-e34b19da4e66",
        topic: "/subscriptions/x",
        subject: "",
        data: {
          validationCode: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6",
          validationUrl:
            "https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/myeventsub/validate?id=0000000000-0000-0000-0000-00000000000000&t=2022-10-28T04:23:35.1981776Z&apiVersion=2018-05-01-preview&token=1A1A1A1A",
        },
        eventType: "Microsoft.EventGrid.SubscriptionValidationEvent",
        eventTime: "2022-10-28T04:23:35.1981776Z",
        metadataVersion: "1",
        dataVersion: "1",
      },
    ];
    const res = await fetch(sb.webhook.url, {
      method: "POST",
      headers: { "aeg-sas-key": sb.key, "aeg-event-type": "SubscriptionValidation", "content-type": "application/json" },
      body: JSON.stringify(validation),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ validationResponse: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6" });
    const opt = await fetch(sb.webhook.url, { method: "OPTIONS", headers: { "WebHook-Request-Origin": "eventgrid.azure.net" } });
    expect(opt.status).toBe(200);
    expect(opt.headers.get("webhook-allowed-origin")).toBe("eventgrid.azure.net");
  });

  it("refuses a wrong key and a body that is not JSON, and loses no state", async () => {
    const bad = new EventGridPublisherClient(sb.webhook.url, "EventGrid", new AzureKeyCredential("wrong"), { allowInsecureConnection: true });
    await expect(bad.send([eventGridEvent({ resourceId: DEMO.vaultId, operationName: "Microsoft.KeyVault/vaults/write" })])).rejects.toMatchObject({
      statusCode: 401,
    });
    const res = await fetch(sb.webhook.url, { method: "POST", headers: { "aeg-sas-key": sb.key }, body: "{not json" });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/not JSON/);
  });

  it("reports a malformed event as an error without failing the batch", async () => {
    const before = sb.decisions.length;
    const res = await fetch(sb.webhook.url, {
      method: "POST",
      headers: { "aeg-sas-key": sb.key, "content-type": "application/json" },
      body: JSON.stringify([{ id: "broken-1", eventType: "Microsoft.Resources.ResourceWriteSuccess", subject: "/subscriptions/x", dataVersion: "2" }]),
    });
    expect(res.status).toBe(200);
    expect(sb.decisions.slice(before)).toEqual([
      expect.objectContaining({ event: "broken-1", action: "error", reason: expect.stringMatching(/malformed event/) }),
    ]);
  });
});
