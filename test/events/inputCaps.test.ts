// What one input may cost (issue 8, "Also"): oversize ids, subjects and payloads are
// refused with a clear, short error; resource-id ancestry is linear; logged ids
// cannot forge log lines; a forged "own identity" claim does not make the app skip work.
// Bounds are asserted by sizes and counts, never by the clock.
import { describe, expect, it } from "vitest";
import { idKey, InvalidResourceIdError, MAX_RESOURCE_ID_LENGTH, parseResourceId } from "../../shared/model/resourceId.js";
import { managedAncestor } from "../../shared/autopilot/autopilot.js";
import type { Logger } from "../../shared/model/decision.js";
import { MAX_EVENT_ID_LENGTH, parseEvent, parseEventBatch } from "../../shared/events/parse.js";
import { forLog, handleRawEvent } from "../../shared/runtime/handleEvent.js";
import type { Autopilot } from "../../shared/autopilot/autopilot.js";

const KV = "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv";

const ev = (over: Record<string, unknown> = {}, data: Record<string, unknown> = {}) => ({
  id: "e-1",
  eventType: "Microsoft.Resources.ResourceWriteSuccess",
  subject: KV,
  eventTime: "2026-12-01T00:00:00Z",
  dataVersion: "2",
  data: { resourceUri: KV, operationName: "Microsoft.KeyVault/vaults/write", status: "Succeeded", ...data },
  ...over,
});

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = () => (m: string) => void lines.push(m);
  return { lines, debug: at(), info: at(), warn: at(), error: at() };
}

/** An Autopilot that must never be reached: the input is refused before any work. */
const unreachable = new Proxy({}, { get: () => () => Promise.reject(new Error("reached the core")) }) as unknown as Autopilot;

describe("input caps", () => {
  it("an oversize event id (600 KB) is refused with a short, clear error, and the id is not echoed whole", () => {
    const p = parseEvent(ev({ id: "x".repeat(600_000) }));
    expect(p).toMatchObject({
      outcome: "invalid",
      error: expect.stringMatching(new RegExp(`event id is 600000 characters long; at most ${MAX_EVENT_ID_LENGTH}`)),
    });
    if (p.outcome !== "invalid") throw new Error("unreachable");
    expect(p.error.length).toBeLessThan(200);
    expect(p.id!.length).toBeLessThan(200);
  });

  it("an oversize resource id (10 MB subject and resourceUri) is refused before parsing it", () => {
    const huge = `${KV}/${"a/".repeat(5_000_000)}`;
    const p = parseEvent(ev({ subject: huge }, { resourceUri: huge }));
    expect(p).toMatchObject({ outcome: "invalid", error: expect.stringMatching(/characters long; real ARM ids have at most 2048/) });
    if (p.outcome !== "invalid") throw new Error("unreachable");
    expect(p.error.length).toBeLessThan(300);
    expect(() => parseResourceId(huge)).toThrow(InvalidResourceIdError);
    try {
      parseResourceId(huge);
    } catch (e) {
      expect((e as Error).message.length).toBeLessThan(300);
    }
  });

  it("an oversize payload string is refused without parsing it", () => {
    const body = JSON.stringify(ev({ padding: "p".repeat(2_000_000) }));
    expect(parseEvent(body)).toMatchObject({ outcome: "invalid", error: expect.stringMatching(/characters long; at most 1048576/) });
    expect(parseEventBatch(body)).toEqual([expect.objectContaining({ outcome: "invalid" })]);
  });

  it("trailing-slash trimming is linear: a million slashes not at the end", () => {
    const id = `/${"/".repeat(1_000_000)}x`;
    expect(idKey(id)).toBe(id.toLowerCase());
    expect(() => parseResourceId(id)).toThrow(/characters long/);
  });

  it("resource-id ancestry parses once: the deepest id the cap allows finds its managed ancestor", () => {
    let deep = `${KV}/privateEndpointConnections/c`;
    while (deep.length + 4 <= MAX_RESOURCE_ID_LENGTH) deep += "/t/n";
    expect(deep.length).toBeLessThanOrEqual(MAX_RESOURCE_ID_LENGTH);
    expect(managedAncestor(deep)).toBe(KV);
    expect(managedAncestor(`${KV}/privateEndpointConnections/c`)).toBe(KV);
    expect(managedAncestor(KV)).toBe(KV);
    expect(managedAncestor("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/a")).toBeUndefined();
    expect(managedAncestor(`${deep}/t/n`.repeat(100))).toBeUndefined(); // over the cap: refused, not walked
  });

  it("logged ids cannot forge lines, and a logged payload is cut", async () => {
    expect(forLog("a\r\nb\u2028c")).toBe("a\\r\\nb\\u2028c");
    const log = recordingLog();
    await handleRawEvent(ev({ id: `evil\r\nFAKE LOG LINE ${"z".repeat(50_000)}`, eventType: 42, padding: "q".repeat(10_000_000) }), unreachable, log);
    expect(log.lines.length).toBeGreaterThan(0);
    for (const line of log.lines) {
      expect(line).not.toMatch(/[\r\n]/);
      expect(line.length).toBeLessThan(10_000);
    }
  });
});

describe("allow-list caps", () => {
  it("an allow-list with 100,000 unknown keys is refused before schema validation, with one clear problem", async () => {
    const { parseConfigText, MAX_ALLOW_LIST_KEYS } = await import("../../shared/config/loadConfig.js");
    const body = Array.from({ length: 100_000 }, (_, i) => `  k${i}: 1`).join("\n");
    const stuffed = parseConfigText(`approval:\n  managedScopes: [/subscriptions/s]\n  rules: []\nextra:\n${body}\n`, "a.yaml");
    expect(stuffed).toMatchObject({ ok: false, problems: [expect.objectContaining({ message: expect.stringMatching(/at most 262144/) })] });
    // Under the size cap but over the key cap (flow mappings are short).
    const keys = Array.from({ length: MAX_ALLOW_LIST_KEYS + 1 }, (_, i) => `${i.toString(36)}: 1`).join(", ");
    const many = parseConfigText(`extra: {${keys}}\n`, "a.yaml");
    expect(many).toMatchObject({ ok: false, problems: [expect.objectContaining({ message: expect.stringMatching(/more than 10000 keys/) })] });
  });
});
