// Fuzzing the event parser (shared/events) and the raw-event entry point with hostile
// payloads: type confusion, missing and extra fields, deep nesting, huge strings, CR/LF.
// Cost is bounded by count, never by the clock: how many property reads the parser makes
// on its input (a Proxy counts them), how large its result and its log lines are.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseEvent, parseEventBatch } from "../../shared/events/index.js";
import { handleRawEvent } from "../../shared/runtime/handleEvent.js";
import type { Autopilot } from "../../shared/autopilot/autopilot.js";
import type { Logger } from "../../shared/model/decision.js";

const PE = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/pe-1";

function validEvent(): Record<string, any> {
  return {
    id: "a6a5b6a2-8c29-4a43-9f7c-5f0b0c1c7f01",
    eventType: "Microsoft.Resources.ResourceWriteSuccess",
    subject: PE,
    eventTime: "2026-12-01T03:00:00Z",
    dataVersion: "2",
    topic: "/subscriptions/11111111-1111-1111-1111-111111111111",
    data: {
      authorization: {
        scope: PE,
        action: "Microsoft.Network/privateEndpoints/write",
        evidence: { role: "Contributor", principalId: "p", principalType: "User" },
      },
      claims: JSON.stringify({ "http://schemas.microsoft.com/identity/claims/objectidentifier": "o", appid: "a" }),
      correlationId: "c",
      resourceProvider: "Microsoft.Network",
      resourceUri: PE,
      operationName: "Microsoft.Network/privateEndpoints/write",
      status: "Succeeded",
      subscriptionId: "11111111-1111-1111-1111-111111111111",
      tenantId: "t",
    },
  };
}

/** A hostile value for one field. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.anything({ maxDepth: 3 }),
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    `${PE}/`,
    PE.toUpperCase(),
    `${PE}\r\nforged: line`,
    ` ${PE} `,
    "/subscriptions//resourceGroups/",
    "not an id",
    "%2Fsubscriptions%2F",
    "\u0000",
  ),
  fc.integer({ min: 1000, max: 60_000 }).map((n) => `${PE}/${"x".repeat(n)}`),
  fc.integer({ min: 50, max: 2000 }).map((n) => `${PE}${"/sub/x".repeat(n)}`),
  fc.integer({ min: 10, max: 400 }).map((n) => JSON.parse("[".repeat(n) + "]".repeat(n))),
);

/** A valid event with some fields (top-level or in data) replaced by hostile values. */
const mutatedEvent = fc
  .array(
    fc.tuple(
      fc.constantFrom(
        "id",
        "eventType",
        "subject",
        "eventTime",
        "data",
        "topic",
        "type",
        "source",
        "specversion",
        "data.resourceUri",
        "data.operationName",
        "data.claims",
        "data.authorization",
        "data.status",
        "data.tenantId",
        "data.subscriptionId",
      ),
      hostile,
    ),
    { maxLength: 5 },
  )
  .map((edits) => {
    const e = validEvent();
    for (const [path, v] of edits) {
      const [a, b] = path.split(".");
      if (b === undefined) e[a!] = v;
      else if (e.data && typeof e.data === "object") e.data[b] = v;
    }
    return e;
  });

/** Wraps a JSON-like value in Proxies that count every property read, at any depth. */
function counted<T>(value: T): { value: T; reads: () => number } {
  let reads = 0;
  const cache = new WeakMap<object, object>();
  const wrap = (v: any): any => {
    if (v === null || typeof v !== "object") return v;
    if (cache.has(v)) return cache.get(v);
    const p = new Proxy(v, {
      get(t, k, r) {
        reads++;
        return wrap(Reflect.get(t, k, r));
      },
    });
    cache.set(v, p);
    return p;
  };
  return { value: wrap(value), reads: () => reads };
}

function nodes(v: unknown, depth = 0): number {
  if (v === null || typeof v !== "object" || depth > 1000) return 1;
  return 1 + Object.values(v).reduce<number>((n, x) => n + nodes(x, depth + 1), 0);
}

const size = (v: unknown): number => {
  try {
    return JSON.stringify(v)?.length ?? 0;
  } catch {
    return 0;
  }
};

const OUTCOMES = ["event", "ignored", "invalid"];

describe("event parser under fuzzing", () => {
  it("never throws; every answer is one of event / ignored / invalid, with a reason", () => {
    fc.assert(
      fc.property(fc.oneof(mutatedEvent, fc.anything({ maxDepth: 4 })), (raw) => {
        const r = parseEvent(raw);
        expect(OUTCOMES).toContain(r.outcome);
        if (r.outcome === "invalid") expect(r.error).toMatch(/\S/);
        if (r.outcome === "ignored") expect(r.reason).toMatch(/\S/);
        if (r.outcome === "event") {
          expect(typeof r.event.resourceId).toBe("string");
          expect(r.event.resourceId).not.toMatch(/\/$/);
          expect(r.event.resourceId).toMatch(/^\/subscriptions\//i);
        }
      }),
      { numRuns: 400, seed: 8 },
    );
  });

  it("reads its input a bounded number of times: at most linear in the input's size", () => {
    fc.assert(
      fc.property(mutatedEvent, (raw) => {
        const n = nodes(raw);
        const c = counted(raw);
        parseEvent(c.value);
        expect(c.reads()).toBeLessThanOrEqual(200 + 20 * n);
      }),
      { numRuns: 300, seed: 9 },
    );
  });

  it("a batch of N events answers N results and reads each event a bounded number of times", () => {
    fc.assert(
      fc.property(fc.array(mutatedEvent, { maxLength: 30 }), (batch) => {
        const c = counted(batch);
        const r = parseEventBatch(c.value);
        expect(r).toHaveLength(batch.length);
        expect(c.reads()).toBeLessThanOrEqual(50 + batch.reduce((s, e) => s + 200 + 20 * nodes(e), 0));
      }),
      { numRuns: 100, seed: 10 },
    );
  });

  it("a malformed event is logged once, on one line, truncated: the log never grows with the payload", async () => {
    const lines: string[] = [];
    const log: Logger = { debug: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
    const noCore = {} as Autopilot; // malformed and ignored events never reach the core
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2_000_000 }), async (n) => {
        lines.length = 0;
        const raw = validEvent();
        raw.subject = raw.data.resourceUri = 42; // malformed: no resource id at all...
        raw.data.padding = "p".repeat(n); // ...with a payload of any size
        const out = await handleRawEvent(raw, noCore, log);
        expect(out.map((d) => d.action)).toEqual(["error"]);
        expect(lines.length).toBeLessThanOrEqual(1);
        for (const l of lines) expect(l.length).toBeLessThanOrEqual(5_000);
      }),
      { numRuns: 25, seed: 11 },
    );
  });

  // Issue 8, "cap what one input may cost" (`gate` is adding the input caps): turn on once landed.
  it("an oversize resource id (600 KB) is refused by the parser with a clear error, and the result stays small", () => {
    const raw = validEvent();
    raw.subject = raw.data.resourceUri = `${PE}${"/sub/x".repeat(100_000)}`;
    const r = parseEvent(raw);
    expect(r.outcome).toBe("invalid");
    expect(r.outcome === "invalid" && r.error).toMatch(/too long|too large|oversize|exceeds|at most/i);
    expect(size(r)).toBeLessThanOrEqual(4_000);
  });

  // Issue 8, "escape CR/LF in logged ids" (`gate`): turn on once landed.
  it("an id with CR/LF cannot forge a log line", async () => {
    const lines: string[] = [];
    const log: Logger = { debug: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
    const core = {
      handleEvent: async (e: any) => [{ event: e.id, action: "ignore", resource: e.resourceId, reason: "test", outcome: "skipped" }],
    } as unknown as Autopilot;
    for (const [id, resource] of [
      ["ok", `${PE}/x\r\nERROR forged line`],
      ["a\r\nERROR forged line", PE],
      ["a\nb", `${PE}\n`],
    ]) {
      const raw = validEvent();
      raw.id = id;
      raw.subject = raw.data.resourceUri = resource;
      await handleRawEvent(raw, core, log);
    }
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).not.toMatch(/[\r\n]/);
  });
});
