// The behaviour every AuditLog must have; run against each implementation by
// auditLog.memory.test.ts and auditLog.table.test.ts.
import { describe, expect, it } from "vitest";
import { InvalidAuditEntryError, MAX_TEXT_CHARS, type AuditEntry, type AuditLog } from "../../../shared/store/audit/index.js";

export const SUB = "/subscriptions/00000000-0000-0000-0000-000000000001";
export const conn = (name: string) => `${SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/st1/privateEndpointConnections/${name}`;
export const pe = (name: string) => `${SUB}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/${name}`;

export function entry(time: string, over: Partial<AuditEntry> = {}): AuditEntry {
  return { time, trigger: "evt-1", resource: conn("c1"), action: "approve", reason: "matched", outcome: "applied", ...over };
}

const T = (s: string) => new Date(s);

export function auditLogContract(name: string, make: () => Promise<AuditLog> | AuditLog) {
  describe(`AuditLog contract: ${name}`, () => {
    it("answers [] when nothing was recorded, and record([]) is a no-op", async () => {
      const log = await make();
      await log.record([]);
      expect(await log.query({})).toEqual([]);
    });

    it("returns newest first; a batch with one time keeps its order; exactly the interface's fields", async () => {
      const log = await make();
      const a = entry("2025-06-01T10:00:00.000Z", { reason: "a", rule: "r1", correlationId: "corr-1" });
      const b = entry("2025-06-01T10:00:00.000Z", {
        reason: "b",
        action: "dns-create",
        zone: "privatelink.blob.core.windows.net",
        record: "st1",
        ips: ["10.0.0.4", "10.0.0.5"],
      });
      const c = entry("2025-06-01T10:00:00.000Z", { reason: "c", outcome: "failed", error: "boom", trigger: "sweep:run-7" });
      await log.record([a, b, c]);
      const later = entry("2025-06-01T11:00:00.000Z", { reason: "later" });
      const earlier = entry("2025-06-01T09:00:00.000Z", { reason: "earlier" });
      await log.record([later]);
      await log.record([earlier]);
      const got = await log.query({});
      expect(got).toEqual([later, a, b, c, earlier]);
      // No extra properties (keys, lower-cased copies) leak out.
      expect(Object.keys(got[2]!).sort()).toEqual(["action", "ips", "outcome", "reason", "record", "resource", "time", "trigger", "zone"]);
    });

    it("sorts entries of one batch with different times newest first", async () => {
      const log = await make();
      const e1 = entry("2025-06-01T10:00:00.001Z", { reason: "1" });
      const e2 = entry("2025-06-01T10:00:00.003Z", { reason: "2" });
      const e3 = entry("2025-06-01T10:00:00.002Z", { reason: "3" });
      await log.record([e1, e2, e3]);
      expect((await log.query({})).map((e) => e.reason)).toEqual(["2", "3", "1"]);
    });

    it("normalises time to a canonical UTC ISO string", async () => {
      const log = await make();
      await log.record([entry("2025-06-01T12:00:00+02:00")]);
      expect((await log.query({}))[0]!.time).toBe("2025-06-01T10:00:00.000Z");
    });

    it("since (inclusive) and until (exclusive) work across day partitions", async () => {
      const log = await make();
      const times = [
        "2025-05-30T23:59:59.999Z",
        "2025-05-31T00:00:00.000Z",
        "2025-05-31T12:00:00.000Z",
        "2025-05-31T23:59:59.999Z",
        "2025-06-01T00:00:00.000Z",
        "2025-06-02T08:00:00.000Z",
        "2024-12-31T23:00:00.000Z",
        "2026-01-01T01:00:00.000Z",
      ];
      // Out of order, in two batches.
      await log.record(times.slice(0, 4).map((t) => entry(t, { reason: t })));
      await log.record(times.slice(4).map((t) => entry(t, { reason: t })));
      const reasons = async (q: Parameters<AuditLog["query"]>[0]) => (await log.query(q)).map((e) => e.reason);
      expect(await reasons({ since: T("2025-05-31T00:00:00.000Z"), until: T("2025-06-01T00:00:00.000Z") })).toEqual([
        "2025-05-31T23:59:59.999Z",
        "2025-05-31T12:00:00.000Z",
        "2025-05-31T00:00:00.000Z",
      ]);
      expect(await reasons({ since: T("2025-05-31T23:59:59.999Z") })).toEqual([
        "2026-01-01T01:00:00.000Z",
        "2025-06-02T08:00:00.000Z",
        "2025-06-01T00:00:00.000Z",
        "2025-05-31T23:59:59.999Z",
      ]);
      expect(await reasons({ until: T("2025-05-31T00:00:00.000Z") })).toEqual(["2025-05-30T23:59:59.999Z", "2024-12-31T23:00:00.000Z"]);
      expect(await reasons({ since: T("2025-05-30T12:00:00.000Z"), until: T("2025-06-01T00:00:00.001Z"), limit: 2 })).toEqual([
        "2025-06-01T00:00:00.000Z",
        "2025-05-31T23:59:59.999Z",
      ]);
      expect(await reasons({ since: T("2025-06-03T00:00:00.000Z"), until: T("2025-06-02T00:00:00.000Z") })).toEqual([]);
      expect(await reasons({ since: T("2025-06-01T00:00:00.000Z"), until: T("2025-06-01T00:00:00.000Z") })).toEqual([]);
      expect(await reasons({})).toHaveLength(times.length);
    });

    it("filters by resource, case-insensitively and ignoring a trailing slash, and by action", async () => {
      const log = await make();
      const t = "2025-06-01T10:00:00.000Z";
      await log.record([
        entry(t, { resource: conn("Conn-A"), action: "approve", reason: "1" }),
        entry(t, { resource: pe("pe-a"), action: "dns-create", reason: "2" }),
        entry(t, { resource: conn("conn-a").toUpperCase(), action: "dns-delete", reason: "3" }),
        entry(t, { resource: conn("conn-b"), action: "approve", reason: "4" }),
        entry(t, { resource: "explain-only-resource", action: "ignore", reason: "5" }),
      ]);
      const reasons = async (q: Parameters<AuditLog["query"]>[0]) => (await log.query(q)).map((e) => e.reason);
      expect(await reasons({ resource: conn("conn-a").toLowerCase() + "/" })).toEqual(["1", "3"]);
      expect(await reasons({ resource: conn("CONN-A") })).toEqual(["1", "3"]);
      expect(await reasons({ resource: conn("conn") })).toEqual([]); // exact, not a prefix
      expect(await reasons({ action: "approve" })).toEqual(["1", "4"]);
      expect(await reasons({ action: "DNS-Create" })).toEqual(["2"]);
      expect(await reasons({ resource: conn("conn-a"), action: "dns-delete" })).toEqual(["3"]);
      expect(await reasons({ resource: "EXPLAIN-only-resource" })).toEqual(["5"]);
      expect(await reasons({ resource: "it's a 'quote'" })).toEqual([]); // OData quoting
      // The answer keeps the spelling that was recorded.
      expect((await log.query({ action: "dns-delete" }))[0]!.resource).toBe(conn("conn-a").toUpperCase());
    });

    it("limit keeps the newest (default 1000), applied after the filters", async () => {
      const log = await make();
      const base = Date.parse("2025-06-01T00:00:00.000Z");
      const many = Array.from({ length: 1005 }, (_, i) =>
        entry(new Date(base + i * 60_000).toISOString(), { reason: String(i), action: i % 10 === 0 ? "revoke" : "approve" }),
      );
      await log.record(many);
      const all = await log.query({});
      expect(all).toHaveLength(1000);
      expect(all[0]!.reason).toBe("1004");
      expect(all[999]!.reason).toBe("5");
      expect((await log.query({ limit: 3 })).map((e) => e.reason)).toEqual(["1004", "1003", "1002"]);
      expect((await log.query({ limit: 3, action: "revoke" })).map((e) => e.reason)).toEqual(["1000", "990", "980"]);
      expect(await log.query({ action: "revoke", limit: 5000 })).toHaveLength(101);
      expect(await log.query({ limit: 0 })).toEqual([]);
      await expect(log.query({ limit: -1 })).rejects.toThrow(/limit/);
      await expect(log.query({ limit: 1.5 })).rejects.toThrow(/limit/);
    });

    it("keeps batches of more than 100 entries (over several days) complete and in order", async () => {
      const log = await make();
      const t = "2025-06-01T10:00:00.000Z";
      const batch = [
        ...Array.from({ length: 250 }, (_, i) => entry(t, { reason: `same-${i}` })),
        ...Array.from({ length: 130 }, (_, i) => entry(new Date(Date.parse("2025-05-20T00:00:00Z") + i * 3_600_000).toISOString(), { reason: `hourly-${i}` })),
      ];
      await log.record(batch);
      const got = await log.query({ limit: 10_000 });
      expect(got).toHaveLength(380);
      expect(got.slice(0, 250).map((e) => e.reason)).toEqual(Array.from({ length: 250 }, (_, i) => `same-${i}`));
      expect(got.slice(250).map((e) => e.reason)).toEqual(Array.from({ length: 130 }, (_, i) => `hourly-${129 - i}`));
    });

    it("cuts long texts to fit Table storage and says so with …", async () => {
      const log = await make();
      const long = "x".repeat(50_000);
      const emoji = "😀".repeat(MAX_TEXT_CHARS); // surrogate pairs must not be split
      const ips = Array.from({ length: 5000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
      await log.record([
        entry("2025-06-01T10:00:00.000Z", { reason: long, error: emoji, rule: "r".repeat(40_000), ips, zone: "z", record: "r" }),
        entry("2025-06-01T09:00:00.000Z", { reason: "short" }),
      ]);
      const [e, short] = await log.query({});
      expect(e!.reason).toHaveLength(MAX_TEXT_CHARS);
      expect(e!.reason.endsWith("x…")).toBe(true);
      expect(e!.error!.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
      expect(e!.error!.endsWith("😀…")).toBe(true);
      expect(e!.rule!.endsWith("…")).toBe(true);
      expect(e!.rule!.length).toBeLessThan(40_000);
      expect(e!.ips!.length).toBeGreaterThan(100);
      expect(e!.ips!.length).toBeLessThan(5000);
      expect(e!.ips).toEqual(ips.slice(0, e!.ips!.length));
      expect(short!.reason).toBe("short");
    });

    it("refuses an entry without a valid time, writing nothing of the batch", async () => {
      const log = await make();
      await expect(log.record([entry("2025-06-01T10:00:00Z"), entry("yesterday")])).rejects.toThrow(InvalidAuditEntryError);
      await expect(log.record([entry("1969-12-31T23:59:59Z")])).rejects.toThrow(InvalidAuditEntryError);
      await expect(log.record([{ ...entry("2025-06-01T10:00:00Z"), resource: 42 as unknown as string }])).rejects.toThrow(InvalidAuditEntryError);
      expect(await log.query({})).toEqual([]);
    });
  });
}
