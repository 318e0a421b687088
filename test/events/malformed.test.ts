// Malformed inputs give `invalid` with a precise message and never throw; batches keep order.
import { describe, expect, it } from "vitest";
import { parseEvent, parseEventBatch, type ParsedEvent } from "../../shared/events/index.js";
import { REF, expectEvent, expectIgnored, expectInvalid, readJson } from "./helpers.js";

const specs = new URL("rest-api-specs-examples/", REF);
const egWrite = () => readJson(specs, "event-grid-schema.resource_write_success.json");
const ceAction = () => readJson(specs, "cloud-events-schema.resource_action_success.json");

describe("parseEvent on malformed input", () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["null", () => null, /^event is null, not an object$/],
    ["undefined", () => undefined, /^event is undefined, not an object$/],
    ["a number", () => 42, /^event is a number, not an object$/],
    ["a boolean", () => true, /^event is a boolean, not an object$/],
    ["an array", () => [egWrite()], /got an array \(use parseEventBatch/],
    ["a non-JSON string", () => "hello", /^event is a string that is not valid JSON .*"hello"$/],
    ["a JSON string of a number", () => "7", /^event is a number, not an object$/],
    ["an object that is no event", () => ({ foo: 1, bar: 2 }), /not an Event Grid event .* nor a CloudEvents event .*keys: \[foo, bar\]/],
    [
      "missing id (Event Grid)",
      () => {
        const r = egWrite();
        delete r.id;
        return r;
      },
      /^missing field id$/,
    ],
    [
      "missing id (CloudEvents)",
      () => {
        const r = ceAction();
        delete r.id;
        return r;
      },
      /^missing field id$/,
    ],
    ["empty id", () => ({ ...egWrite(), id: "" }), /^field id is a string \(empty\), expected a non-empty string$/],
    ["numeric id", () => ({ ...egWrite(), id: 12 }), /^field id is a number, expected a non-empty string$/],
    [
      "missing eventType",
      () => {
        const r = egWrite();
        delete r.eventType;
        return r;
      },
      /^missing field eventType$/,
    ],
    [
      "missing CloudEvents type",
      () => {
        const r = ceAction();
        delete r.type;
        return r;
      },
      /^missing field type$/,
    ],
    [
      "missing data",
      () => {
        const r = egWrite();
        delete r.data;
        return r;
      },
      /^missing field data$/,
    ],
    ["data null", () => ({ ...egWrite(), data: null }), /^field data is null, not an object$/],
    ["data a number", () => ({ ...egWrite(), data: 5 }), /^field data is a number, not an object$/],
    ["data an array", () => ({ ...egWrite(), data: [] }), /^field data is an array, not an object$/],
    [
      "data an invalid JSON string",
      () => ({ ...egWrite(), data: '{"resourceUri": ' }),
      /^field data is a string that is not valid JSON \(.+\): "\{\\"resourceUri\\": "$/,
    ],
    ["data a JSON string of an array", () => ({ ...egWrite(), data: "[1]" }), /^field data is a JSON string holding an array, not an object$/],
    [
      "missing subject and resourceUri",
      () => {
        const r = egWrite();
        delete r.subject;
        delete r.data.resourceUri;
        return r;
      },
      /^missing data\.resourceUri and subject: no resource id$/,
    ],
    [
      "empty subject and resourceUri",
      () => {
        const r = egWrite();
        r.subject = "";
        r.data.resourceUri = " ";
        return r;
      },
      /^missing data\.resourceUri and subject/,
    ],
    [
      "resourceUri not a string",
      () => {
        const r = egWrite();
        r.data.resourceUri = { id: "x" };
        return r;
      },
      /^field data\.resourceUri is an object, expected a string$/,
    ],
    [
      "unparsable resource id",
      () => {
        const r = egWrite();
        r.data.resourceUri = "storageAccounts/foo";
        return r;
      },
      /^unparsable resource id "storageAccounts\/foo" \(from data\.resourceUri\): invalid resource id "storageAccounts\/foo": must start with \/$/,
    ],
    [
      "unparsable subject",
      () => {
        const r = egWrite();
        delete r.data.resourceUri;
        r.subject = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network";
        return r;
      },
      /^unparsable resource id .* \(from subject\): .*expected providers|type and name/,
    ],
    [
      "odd type/name segments",
      () => {
        const r = egWrite();
        r.data.resourceUri = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints";
        return r;
      },
      /type and name segments must come in pairs/,
    ],
    [
      "resourceInfo not an object",
      () => {
        const r = readJson(new URL("resource-notifications/", REF), "event-grid-schema.Resources_Deleted.json");
        r.data.resourceInfo = "{oops";
        return r;
      },
      /^field data\.resourceInfo is a string that is not valid JSON/,
    ],
  ];

  for (const [name, make, match] of cases) {
    it(name, () => {
      let p: ParsedEvent | undefined;
      expect(() => (p = parseEvent(make()))).not.toThrow();
      expectInvalid(p!, match);
    });
  }

  it("keeps the event id on invalid results when there is one", () => {
    const p = parseEvent({ ...egWrite(), data: 5 });
    expect(p.outcome === "invalid" && p.id).toBe("4db48cba-50a2-455a-93b4-de41a3b5b7f6");
  });

  it("unrelated types are ignored even when their data would be malformed", () => {
    expectIgnored(
      parseEvent({ id: "x", eventType: "Microsoft.Storage.BlobCreated", subject: "/blobServices/default", data: 5 }),
      /unrelated event type Microsoft\.Storage\.BlobCreated/,
    );
  });

  it("a hostile object (throwing getter) does not throw", () => {
    const evil = egWrite();
    Object.defineProperty(evil.data, "resourceUri", {
      get() {
        throw new Error("boom");
      },
      enumerable: true,
    });
    const p = parseEvent(evil);
    expectInvalid(p, /unexpected parser failure: boom/);
  });
});

describe("parseEventBatch", () => {
  const good = egWrite();
  const unrelated = {
    id: "blob-1",
    eventType: "Microsoft.Storage.BlobCreated",
    subject: "/blobServices/default/containers/c/blobs/b",
    data: { api: "PutBlob" },
    dataVersion: "",
    eventTime: "2026-01-01T00:00:00Z",
  };
  const failure = readJson(specs, "event-grid-schema.resource_write_failure.json");
  const noData = (() => {
    const r = egWrite();
    delete r.data;
    r.id = "no-data";
    return r;
  })();
  const badId = (() => {
    const r = ceAction();
    r.id = "bad-id";
    r.data.resourceUri = "not/an/id";
    return r;
  })();
  const batch = [good, null, unrelated, 3, failure, noData, ceAction(), badId];

  it("returns one result per input, in order", () => {
    const out = parseEventBatch(batch);
    expect(out.map((p) => p.outcome)).toEqual(["event", "invalid", "ignored", "invalid", "ignored", "invalid", "event", "invalid"]);
    expect(out[1]).toEqual({ outcome: "invalid", error: "event [1]: event is null, not an object" });
    expect(out[3]).toEqual({ outcome: "invalid", error: "event [3]: event is a number, not an object" });
    expect(out[5]).toEqual({ outcome: "invalid", id: "no-data", error: "event [5]: missing field data" });
    expectInvalid(out[7]!, /^event \[7\]: unparsable resource id "not\/an\/id"/);
    expect(expectEvent(out[6]!).kind).toBe("action");
  });

  it("accepts the same batch as a JSON string and as a Buffer", () => {
    const text = JSON.stringify(batch);
    const expected = parseEventBatch(batch);
    expect(parseEventBatch(text)).toEqual(expected);
    expect(parseEventBatch(Buffer.from(text, "utf8"))).toEqual(expected);
  });

  it("accepts one object (or its JSON) as a batch of one", () => {
    expect(parseEventBatch(good)).toHaveLength(1);
    expect(expectEvent(parseEventBatch(JSON.stringify(good))[0]!).kind).toBe("write");
  });

  it("an empty array gives no results", () => {
    expect(parseEventBatch([])).toEqual([]);
    expect(parseEventBatch("[]")).toEqual([]);
  });

  it("bodies that are not events give one invalid result, never throw", () => {
    for (const [body, match] of [
      [null, /^body is null, not an event object or an array of events$/],
      [undefined, /^body is undefined, not an event/],
      [12, /^body is a number/],
      ["", /^body is an empty string/],
      ["{not json", /^body is not valid JSON \(.+\): "\{not json"$/],
      ['"just a string"', /^body is a string, not an event/],
    ] as const) {
      const out = parseEventBatch(body);
      expect(out).toHaveLength(1);
      expectInvalid(out[0]!, match);
    }
  });
});
