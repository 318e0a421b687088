// Every published reference sample parses to the expected outcome.
import { describe, expect, it } from "vitest";
import { parseEvent, parseEventBatch, subscriptionValidation } from "../../shared/events/index.js";
import { REF, expectEvent, expectIgnored, readJson, readText } from "./helpers.js";

const STORAGE = "/subscriptions/{subscription-id}/resourceGroups/{resource-group}/providers/Microsoft.Storage/storageAccounts/{storage-name}";
const STORAGE_LOWER_RG = "/subscriptions/{subscription-id}/resourcegroups/{resource-group}/providers/Microsoft.Storage/storageAccounts/{storage-name}";
const EVENTHUB_RULE =
  "/subscriptions/{subscription-id}/resourceGroups/{resource-group}/providers/Microsoft.EventHub/namespaces/{namespace}/AuthorizationRules/RootManageSharedAccessKey";

describe("Microsoft.Resources reference samples", () => {
  const cases = [
    {
      file: "event-grid-schema.resource_write_success.json",
      schema: "eventgrid",
      kind: "write",
      resourceId: STORAGE_LOWER_RG,
      op: "Microsoft.Storage/storageAccounts/write",
      time: "2018-07-19T18:38:04.6117357Z",
    },
    {
      file: "cloud-events-schema.resource_write_success.json",
      schema: "cloudevents",
      kind: "write",
      resourceId: STORAGE_LOWER_RG,
      op: "Microsoft.Storage/storageAccounts/write",
      time: "2018-07-19T18:38:04.6117357Z",
    },
    {
      file: "event-grid-schema.resource_delete_success.json",
      schema: "eventgrid",
      kind: "delete",
      resourceId: STORAGE,
      op: "Microsoft.Storage/storageAccounts/delete",
      time: "2018-07-19T19:24:12.763881Z",
    },
    {
      file: "cloud-events-schema.resource_delete_success.json",
      schema: "cloudevents",
      kind: "delete",
      resourceId: STORAGE,
      op: "Microsoft.Storage/storageAccounts/delete",
      time: "2018-07-19T19:24:12.7638810Z",
    },
    {
      file: "cloud-events-schema.resource_action_success.json",
      schema: "cloudevents",
      kind: "action",
      resourceId: EVENTHUB_RULE,
      op: "Microsoft.EventHub/namespaces/AuthorizationRules/listKeys/action",
      time: "2018-10-08T22:46:22.6022559Z",
    },
  ] as const;

  for (const c of cases) {
    it(`${c.file} → ${c.kind}`, () => {
      const raw = readJson(new URL("rest-api-specs-examples/", REF), c.file);
      const ev = expectEvent(parseEvent(raw));
      expect(ev.id).toBe(raw.id);
      expect(ev.schema).toBe(c.schema);
      expect(ev.eventType).toBe(raw.eventType ?? raw.type);
      expect(ev.kind).toBe(c.kind);
      expect(ev.resourceId).toBe(c.resourceId);
      expect(ev.operationName).toBe(c.op);
      expect(ev.subscriptionId).toBe("{subscription-id}");
      expect(ev.resourceGroup).toBe("{resource-group}");
      expect(ev.tenantId).toBe("{tenant-id}");
      expect(ev.status).toBe("Succeeded");
      expect(ev.correlationId).toBe("{ID}");
      expect(ev.time).toBe(c.time);
      expect(ev.warnings).toBeUndefined();
    });
  }

  it("resource types come from the resource id", () => {
    const w = expectEvent(parseEvent(readJson(new URL("rest-api-specs-examples/", REF), "event-grid-schema.resource_write_success.json")));
    expect(w.resourceType).toBe("Microsoft.Storage/storageAccounts");
    const a = expectEvent(parseEvent(readJson(new URL("rest-api-specs-examples/", REF), "cloud-events-schema.resource_action_success.json")));
    expect(a.resourceType).toBe("Microsoft.EventHub/namespaces/AuthorizationRules");
    expect(a.httpMethod).toBe("POST");
  });

  it("callers of the samples", () => {
    const w = expectEvent(parseEvent(readJson(new URL("rest-api-specs-examples/", REF), "cloud-events-schema.resource_write_success.json")));
    expect(w.caller).toEqual({ objectId: "{ID}", appId: "{ID}", name: "{full-name}" });
    const a = expectEvent(parseEvent(readJson(new URL("rest-api-specs-examples/", REF), "cloud-events-schema.resource_action_success.json")));
    expect(a.caller).toEqual({ objectId: "{ID}", appId: "{ID}", principalType: "ServicePrincipal" });
  });

  for (const file of ["event-grid-schema.resource_write_failure.json", "cloud-events-schema.resource_write_failure.json"]) {
    it(`${file} → ignored (failure, although its status says Succeeded)`, () => {
      const p = parseEvent(readJson(new URL("rest-api-specs-examples/", REF), file));
      expectIgnored(p, /failed/);
      if (p.outcome === "ignored") {
        expect(p.id).toBe("4db48cba-50a2-455a-93b4-de41a3b5b7f6");
        expect(p.eventType).toBe("Microsoft.Resources.ResourceWriteFailure");
      }
    });
  }
});

describe("Microsoft.ResourceNotifications reference samples", () => {
  const dir = new URL("resource-notifications/", REF);
  const STORAGE_RN = "/subscriptions/{subscription-id}/resourceGroups/{rg-name}/providers/Microsoft.Storage/storageAccounts/{storageAccount-name}";

  for (const schema of ["event-grid", "cloud-events"] as const) {
    it(`${schema} Resources.CreatedOrUpdated → write, from resourceInfo.id, stray space removed`, () => {
      const ev = expectEvent(parseEvent(readJson(dir, `${schema}-schema.Resources_CreatedOrUpdated.json`)));
      expect(ev.kind).toBe("write");
      expect(ev.schema).toBe(schema === "event-grid" ? "eventgrid" : "cloudevents");
      // resourceInfo.id wins over subject (it carries the sample's "{subcription-id}" typo).
      expect(ev.resourceId).toBe(STORAGE_RN.replace("{subscription-id}", "{subcription-id}"));
      expect(ev.subscriptionId).toBe("{subcription-id}");
      expect(ev.resourceGroup).toBe("{rg-name}");
      expect(ev.resourceType).toBe("Microsoft.Storage/storageAccounts");
      expect(ev.operationName).toBeUndefined();
      expect(ev.time).toBe("2023-07-28T20:13:10.8418063Z");
      expect(ev.caller).toEqual({});
      expect(ev.warnings).toEqual([expect.stringMatching(/removed whitespace from resource id/)]);
    });

    it(`${schema} Resources.Deleted → delete`, () => {
      const ev = expectEvent(parseEvent(readJson(dir, `${schema}-schema.Resources_Deleted.json`)));
      expect(ev.kind).toBe("delete");
      expect(ev.id).toBe("d4611260-d179-4f86-b196-3a9d4128be2d");
      expect(ev.resourceId).toBe(STORAGE_RN);
      expect(ev.time).toBe("2023-07-28T20:11:36.6347858Z");
      expect(ev.warnings).toBeUndefined();
    });
  }

  it("HealthResources.AvailabilityStatusChanged → ignored", () => {
    const p = parseEvent(readJson(dir, "event-grid-schema.HealthResources_AvailabilityStatusChanged.json"));
    expectIgnored(p, /not a resource change/);
  });

  it("accepts resourceDetails (the name @azure/eventgrid's typings use) instead of resourceInfo", () => {
    const raw = readJson(dir, "event-grid-schema.Resources_Deleted.json");
    raw.data.resourceDetails = { ...raw.data.resourceInfo, id: raw.data.resourceInfo.id.replace("{storageAccount-name}", "other") };
    delete raw.data.resourceInfo;
    raw.subject = "";
    expect(expectEvent(parseEvent(raw)).resourceId).toBe(STORAGE_RN.replace("{storageAccount-name}", "other"));
  });

  it("resourceInfo.id missing → falls back to subject", () => {
    const raw = readJson(dir, "event-grid-schema.Resources_Deleted.json");
    delete raw.data.resourceInfo.id;
    expect(expectEvent(parseEvent(raw)).resourceId).toBe(STORAGE_RN);
  });
});

describe("subscription validation sample", () => {
  const body = readText(new URL("validation/", REF), "SubscriptionValidationEvent.eventgrid.json");
  const expected = readJson(new URL("validation/", REF), "SubscriptionValidationResponse.json");

  it("is recognised from the webhook body (string, array or single object)", () => {
    const arr = JSON.parse(body);
    for (const input of [body, arr, arr[0]]) {
      const v = subscriptionValidation(input);
      expect(v?.validationCode).toBe(expected.validationResponse);
      expect(v?.validationUrl).toMatch(/^https:\/\/rp-eastus2\.eventgrid\.azure\.net:553\//);
    }
  });

  it("is ignored by parseEvent / parseEventBatch, not invalid", () => {
    const [p] = parseEventBatch(body);
    expectIgnored(p!, /subscription validation/);
  });

  it("resource events are not validation events", () => {
    expect(subscriptionValidation(readJson(new URL("rest-api-specs-examples/", REF), "event-grid-schema.resource_write_success.json"))).toBeUndefined();
    expect(subscriptionValidation(null)).toBeUndefined();
    expect(subscriptionValidation("not json")).toBeUndefined();
    expect(subscriptionValidation([{ eventType: "Microsoft.EventGrid.SubscriptionValidationEvent", data: {} }])).toBeUndefined();
  });

  it("accepts data as a JSON string", () => {
    const arr = JSON.parse(body);
    arr[0].data = JSON.stringify(arr[0].data);
    expect(subscriptionValidation(arr)?.validationCode).toBe(expected.validationResponse);
  });
});
