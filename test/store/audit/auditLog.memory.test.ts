import { describe, expect, it } from "vitest";
import { auditEntries, MemoryAuditLog } from "../../../shared/store/audit/index.js";
import type { Decision } from "../../../shared/model/decision.js";
import { auditLogContract, conn, entry, pe } from "./auditLogContract.js";

auditLogContract("MemoryAuditLog", () => new MemoryAuditLog());

describe("MemoryAuditLog specifics", () => {
  it("is bounded: the oldest written entries go first", async () => {
    const log = new MemoryAuditLog({ maxEntries: 3 });
    for (let i = 0; i < 5; i++) await log.record([entry(`2025-06-01T10:00:0${i}.000Z`, { reason: String(i) })]);
    expect((await log.query({})).map((e) => e.reason)).toEqual(["4", "3", "2"]);
  });

  it("answers copies: changing an answer changes nothing stored", async () => {
    const log = new MemoryAuditLog();
    await log.record([entry("2025-06-01T10:00:00.000Z", { ips: ["10.0.0.4"] })]);
    const [e] = await log.query({});
    e!.ips!.push("10.9.9.9");
    e!.reason = "changed";
    expect(await log.query({})).toEqual([{ ...entry("2025-06-01T10:00:00.000Z"), ips: ["10.0.0.4"] }]);
  });

  it("purge drops entries older than the cutoff", async () => {
    const log = new MemoryAuditLog();
    await log.record([entry("2025-06-01T10:00:00.000Z", { reason: "old" }), entry("2025-06-03T10:00:00.000Z", { reason: "new" })]);
    expect(await log.purge(new Date("2025-06-02T00:00:00Z"))).toBe(1);
    expect((await log.query({})).map((e) => e.reason)).toEqual(["new"]);
  });
});

describe("auditEntries", () => {
  const decisions: Decision[] = [
    { event: "evt-9", action: "approve", resource: conn("c1"), reason: "matched rule team-a", rule: "team-a", outcome: "applied" },
    {
      event: "evt-9",
      action: "dns-create",
      resource: pe("pe1"),
      reason: "A record for the endpoint",
      outcome: "planned",
      dns: { zone: "privatelink.vaultcore.azure.net", record: "kv1", ips: ["10.1.0.4"], ttl: 10, owner: pe("pe1"), heldBy: pe("other") },
    },
    {
      event: "evt-9",
      action: "dns-update",
      resource: pe("pe1"),
      reason: "write failed",
      outcome: "failed",
      error: "429 throttled",
      retryable: true,
      dns: { zone: "z.example", ips: [] },
    },
  ];

  it("maps each decision, in order, with the context's trigger, correlation id and time", () => {
    const time = new Date("2025-06-01T10:00:00.000Z");
    expect(auditEntries(decisions, { trigger: "evt-9", correlationId: "corr-9", time })).toEqual([
      {
        time: "2025-06-01T10:00:00.000Z",
        trigger: "evt-9",
        correlationId: "corr-9",
        resource: conn("c1"),
        action: "approve",
        rule: "team-a",
        reason: "matched rule team-a",
        outcome: "applied",
      },
      {
        time: "2025-06-01T10:00:00.000Z",
        trigger: "evt-9",
        correlationId: "corr-9",
        resource: pe("pe1"),
        action: "dns-create",
        reason: "A record for the endpoint",
        outcome: "planned",
        zone: "privatelink.vaultcore.azure.net",
        record: "kv1",
        ips: ["10.1.0.4"],
      },
      {
        time: "2025-06-01T10:00:00.000Z",
        trigger: "evt-9",
        correlationId: "corr-9",
        resource: pe("pe1"),
        action: "dns-update",
        reason: "write failed",
        outcome: "failed",
        error: "429 throttled",
        zone: "z.example",
      },
    ]);
  });

  it("defaults the time to now, leaves absent fields out and copies ips", () => {
    const before = Date.now();
    const [e] = auditEntries([decisions[1]!], { trigger: "sweep:run-1" });
    expect(Date.parse(e!.time)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(e!.time)).toBeLessThanOrEqual(Date.now());
    expect(e!.trigger).toBe("sweep:run-1");
    expect("correlationId" in e!).toBe(false);
    expect("rule" in e!).toBe(false);
    e!.ips!.push("x");
    expect(decisions[1]!.dns!.ips).toEqual(["10.1.0.4"]);
  });

  it("falls back to the decision's event when the trigger is empty", () => {
    expect(auditEntries([decisions[0]!], { trigger: "" })[0]!.trigger).toBe("evt-9");
    expect(auditEntries([], { trigger: "explain" })).toEqual([]);
  });

  it("what it maps can be recorded and read back unchanged", async () => {
    const log = new MemoryAuditLog();
    const es = auditEntries(decisions, { trigger: "evt-9", time: new Date("2025-06-01T10:00:00.000Z") });
    await log.record(es);
    expect(await log.query({})).toEqual(es);
  });
});
