// Payload variants seen in real deliveries: JSON-string fields, casing, Date times, schema detection.
import { EventGridDeserializer } from "@azure/eventgrid";
import { describe, expect, it } from "vitest";
import { parseEvent } from "../../shared/events/index.js";
import { REF, clone, expectEvent, readJson, readText } from "./helpers.js";

const specs = new URL("rest-api-specs-examples/", REF);
const egWrite = () => readJson(specs, "event-grid-schema.resource_write_success.json");
const ceDelete = () => readJson(specs, "cloud-events-schema.resource_delete_success.json");
const ceAction = () => readJson(specs, "cloud-events-schema.resource_action_success.json");

describe("JSON-encoded fields", () => {
  it("claims, authorization and httpRequest as JSON strings parse like objects", () => {
    for (const make of [egWrite, ceDelete, ceAction]) {
      const plain = expectEvent(parseEvent(make()));
      const raw = make();
      for (const k of ["claims", "authorization", "httpRequest"]) if (raw.data[k] !== undefined) raw.data[k] = JSON.stringify(raw.data[k]);
      const encoded = expectEvent(parseEvent(raw));
      expect(encoded).toEqual(plain);
      expect(encoded.warnings).toBeUndefined();
    }
  });

  it("authorization.evidence as a nested JSON string", () => {
    const raw = ceAction();
    raw.data.authorization.evidence = JSON.stringify(raw.data.authorization.evidence);
    raw.data.authorization = JSON.stringify(raw.data.authorization);
    expect(expectEvent(parseEvent(raw)).caller.principalType).toBe("ServicePrincipal");
  });

  it("a broken claims string is not fatal: caller loses those fields, a warning says why", () => {
    const raw = egWrite();
    raw.data.claims = '{"appid": "x", '; // truncated
    const ev = expectEvent(parseEvent(raw));
    expect(ev.caller).toEqual({});
    expect(ev.warnings).toHaveLength(1);
    expect(ev.warnings![0]).toMatch(/data\.claims is a string that is not valid JSON/);
    expect(ev.resourceId).toContain("{storage-name}");
  });

  it("broken authorization and httpRequest strings only warn", () => {
    const raw = ceAction();
    raw.data.authorization = "{not json";
    raw.data.httpRequest = "[1,2]";
    const ev = expectEvent(parseEvent(raw));
    expect(ev.caller).toEqual({ objectId: "{ID}", appId: "{ID}" }); // claims still work
    expect(ev.httpMethod).toBeUndefined();
    expect(ev.warnings).toHaveLength(2);
    expect(ev.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/data\.authorization is a string that is not valid JSON/),
        expect.stringMatching(/data\.httpRequest is a JSON string holding an array, not an object/),
      ]),
    );
  });

  it("claims of the wrong type (a number) only warn", () => {
    const raw = egWrite();
    raw.data.claims = 42;
    const ev = expectEvent(parseEvent(raw));
    expect(ev.warnings).toEqual([expect.stringMatching(/data\.claims is a number, not an object/)]);
  });

  it("data itself as a JSON string", () => {
    const plain = expectEvent(parseEvent(ceDelete()));
    const raw = ceDelete();
    raw.data = JSON.stringify(raw.data);
    expect(expectEvent(parseEvent(raw))).toEqual(plain);
  });

  it("the whole event as a JSON string", () => {
    const text = readText(specs, "event-grid-schema.resource_delete_success.json");
    expect(expectEvent(parseEvent(text)).kind).toBe("delete");
  });
});

describe("resource ids", () => {
  it("keeps lower-case resourcegroups as sent, and parses its resource group", () => {
    const raw = egWrite();
    expect(raw.data.resourceUri).toContain("/resourcegroups/");
    const ev = expectEvent(parseEvent(raw));
    expect(ev.resourceId).toContain("/resourcegroups/{resource-group}/");
    expect(ev.resourceGroup).toBe("{resource-group}");
  });

  it("prefers data.resourceUri over subject, falls back to subject", () => {
    const raw = egWrite();
    raw.subject = "/subscriptions/s/resourceGroups/other/providers/Microsoft.Storage/storageAccounts/other";
    expect(expectEvent(parseEvent(raw)).resourceId).toContain("{storage-name}");
    delete raw.data.resourceUri;
    expect(expectEvent(parseEvent(raw)).resourceId).toBe(raw.subject);
    raw.data.resourceUri = "";
    expect(expectEvent(parseEvent(raw)).resourceId).toBe(raw.subject);
  });

  it("trims a trailing slash and surrounding whitespace, keeps casing", () => {
    const raw = egWrite();
    raw.data.resourceUri = "  /SUBSCRIPTIONS/S1/resourceGroups/RG/providers/Microsoft.Network/privateEndpoints/PE-1/ ";
    const ev = expectEvent(parseEvent(raw));
    expect(ev.resourceId).toBe("/SUBSCRIPTIONS/S1/resourceGroups/RG/providers/Microsoft.Network/privateEndpoints/PE-1");
    expect(ev.resourceType).toBe("Microsoft.Network/privateEndpoints");
    expect(ev.subscriptionId).toBe("S1");
  });

  it("keeps spaces inside a name (only whitespace next to '/' is removed)", () => {
    const raw = egWrite();
    raw.data.resourceUri = "/subscriptions/{subscription-id} /resourceGroups/rg/providers/Microsoft.Web/certificates/my cert";
    const ev = expectEvent(parseEvent(raw));
    expect(ev.resourceId).toBe("/subscriptions/{subscription-id}/resourceGroups/rg/providers/Microsoft.Web/certificates/my cert");
    expect(ev.warnings).toEqual([expect.stringMatching(/removed whitespace/)]);
  });

  it("a resource group or subscription id has no resourceType", () => {
    const raw = egWrite();
    raw.data.resourceUri = "/subscriptions/s1/resourceGroups/rg-app-web";
    const ev = expectEvent(parseEvent(raw));
    expect(ev.resourceType).toBeUndefined();
    expect(ev.resourceGroup).toBe("rg-app-web");
  });

  it("warns when data.subscriptionId disagrees with the resource id", () => {
    const raw = egWrite();
    raw.data.subscriptionId = "someone-else";
    const ev = expectEvent(parseEvent(raw));
    expect(ev.subscriptionId).toBe("{subscription-id}");
    expect(ev.warnings).toEqual([expect.stringMatching(/data\.subscriptionId "someone-else" differs/)]);
  });

  it("operationName missing → nothing derived", () => {
    const raw = ceDelete();
    delete raw.data.operationName;
    const ev = expectEvent(parseEvent(raw));
    expect(ev.operationName).toBeUndefined();
    expect(ev.kind).toBe("delete");
  });
});

describe("schema detection", () => {
  it("CloudEvents with specversion and with specVersion", () => {
    const lower = ceAction();
    expect(lower.specversion).toBe("1.0");
    expect(expectEvent(parseEvent(lower)).schema).toBe("cloudevents");
    const upper = ceDelete();
    expect(upper.specVersion).toBe("1.0");
    expect(expectEvent(parseEvent(upper)).schema).toBe("cloudevents");
  });

  it("CloudEvents without specversion but with type + source is accepted with a warning", () => {
    const raw = ceDelete();
    delete raw.specVersion;
    const ev = expectEvent(parseEvent(raw));
    expect(ev.schema).toBe("cloudevents");
    expect(ev.warnings).toEqual(["CloudEvents event without specversion; assumed 1.0"]);
  });

  it("Event Grid schema without dataVersion/topic/eventTime is still recognised by eventType", () => {
    const raw = egWrite();
    delete raw.dataVersion;
    delete raw.metadataVersion;
    delete raw.topic;
    delete raw.eventTime;
    const ev = expectEvent(parseEvent(raw));
    expect(ev.schema).toBe("eventgrid");
    expect(ev.time).toBeUndefined();
  });

  it("event type matching is case-insensitive, the original spelling is kept", () => {
    const raw = egWrite();
    raw.eventType = "microsoft.resources.resourcewritesuccess";
    const ev = expectEvent(parseEvent(raw));
    expect(ev.kind).toBe("write");
    expect(ev.eventType).toBe("microsoft.resources.resourcewritesuccess");
  });
});

describe("times", () => {
  it("a Date eventTime / time becomes an ISO string", () => {
    const raw = egWrite();
    raw.eventTime = new Date("2018-07-19T18:38:04.611Z");
    expect(expectEvent(parseEvent(raw)).time).toBe("2018-07-19T18:38:04.611Z");
    const ce = ceAction();
    ce.time = new Date("2018-10-08T22:46:22.602Z");
    expect(expectEvent(parseEvent(ce)).time).toBe("2018-10-08T22:46:22.602Z");
  });

  it("an unparsable time is dropped with a warning, not fatal", () => {
    const raw = egWrite();
    raw.eventTime = "yesterday-ish";
    const ev = expectEvent(parseEvent(raw));
    expect(ev.time).toBeUndefined();
    expect(ev.warnings).toEqual([expect.stringMatching(/eventTime "yesterday-ish" is not a date/)]);
  });

  it("ResourceNotifications without event time fall back to operationalInfo.resourceEventTime", () => {
    const raw = readJson(new URL("resource-notifications/", REF), "event-grid-schema.Resources_Deleted.json");
    delete raw.eventTime;
    expect(expectEvent(parseEvent(raw)).time).toBe("2023-07-28T20:11:36.6347858Z");
  });
});

describe("output of @azure/eventgrid's EventGridDeserializer", () => {
  const deserializer = new EventGridDeserializer();

  it("Event Grid schema events (eventTime is a Date) parse", async () => {
    const [ev] = await deserializer.deserializeEventGridEvents(readText(specs, "event-grid-schema.resource_delete_success.json"));
    expect(ev!.eventTime).toBeInstanceOf(Date);
    const parsed = expectEvent(parseEvent(ev));
    expect(parsed.kind).toBe("delete");
    expect(parsed.time).toBe("2018-07-19T19:24:12.763Z");
  });

  it("CloudEvents (time is a Date) parse", async () => {
    const [ev] = await deserializer.deserializeCloudEvents(readText(specs, "cloud-events-schema.resource_action_success.json"));
    const parsed = expectEvent(parseEvent(ev));
    expect(parsed.kind).toBe("action");
    expect(parsed.schema).toBe("cloudevents");
    expect(parsed.time).toBe("2018-10-08T22:46:22.602Z");
  });

  it("the deserializer rejects specVersion (camel case); parseEvent accepts it", async () => {
    const text = readText(specs, "cloud-events-schema.resource_delete_success.json");
    await expect(deserializer.deserializeCloudEvents(text)).rejects.toThrow(/specversion/);
    expect(parseEvent(clone(JSON.parse(text))).outcome).toBe("event");
  });
});
