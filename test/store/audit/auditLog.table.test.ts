import { TableServiceClient, type TableClient } from "@azure/data-tables";
import { beforeAll, describe, expect, it } from "vitest";
import { sharedAzurite, type SharedAzurite } from "../../helpers/sharedAzurite.js";
import { auditEntries, TableAuditLog } from "../../../shared/store/audit/index.js";
import { TableEventLedger } from "../../../shared/store/eventLedger.js";
import { TableMarkStore } from "../../../shared/store/marks.js";
import { TableOwnershipIndex } from "../../../shared/store/ownershipIndex.js";
import { tableClient } from "../../../shared/store/tables.js";
import { auditLogContract, conn, entry, pe } from "./auditLogContract.js";

let azurite: SharedAzurite;
let n = 0;
/** A fresh table per test: tests stay independent without cleaning up. */
const freshTable = (): TableClient => tableClient(azurite.connectionString, `au${process.pid}t${++n}`);

async function rows(client: TableClient): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const r of client.listEntities()) out.push(r);
  return out;
}

async function tableNames(): Promise<string[]> {
  const svc = TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true });
  const names: string[] = [];
  for await (const t of svc.listTables()) names.push(t.name!);
  return names;
}

beforeAll(async () => {
  azurite = await sharedAzurite();
});

auditLogContract("TableAuditLog (Azurite)", () => new TableAuditLog(freshTable()));

describe("TableAuditLog specifics", () => {
  it("stores the documented layout: inverted day partitions, inverted-time row keys, lower-cased filter copies", async () => {
    const client = freshTable();
    const log = new TableAuditLog(client);
    await log.record([
      entry("2025-06-01T10:00:00.123Z", { resource: conn("Conn-A") + "/", action: "Approve", ips: ["10.0.0.4"], zone: "z", record: "r" }),
      entry("2025-06-01T10:00:00.123Z", { reason: "second" }),
    ]);
    const all = await rows(client);
    expect(all).toHaveLength(2);
    const ms = Date.parse("2025-06-01T10:00:00.123Z");
    for (const r of all) {
      expect(r.partitionKey).toBe(`audit-${99_999_999 - 20250601}`);
      expect(String(r.rowKey)).toMatch(new RegExp(`^${999_999_999_999_999 - ms}-[0-9a-f]{12}-0000000[01]$`));
      expect(Buffer.byteLength(String(r.partitionKey) + String(r.rowKey))).toBeLessThan(1024);
    }
    const first = all.find((r) => String(r.rowKey).endsWith("-00000000"))!;
    expect(first).toMatchObject({
      time: "2025-06-01T10:00:00.123Z",
      resource: conn("Conn-A") + "/",
      resourceKey: conn("conn-a").toLowerCase(),
      action: "Approve",
      actionKey: "approve",
      ips: JSON.stringify(["10.0.0.4"]),
    });
    // Both entries of one batch share the batch id.
    expect(new Set(all.map((r) => String(r.rowKey).split("-")[1])).size).toBe(1);
  });

  it("two writers in the same millisecond never overwrite each other", async () => {
    const client = freshTable();
    const a = new TableAuditLog(client);
    const b = new TableAuditLog(tableClient(azurite.connectionString, client.tableName));
    const t = "2025-06-01T10:00:00.000Z";
    await Promise.all([a.record([entry(t, { reason: "a0" }), entry(t, { reason: "a1" })]), b.record([entry(t, { reason: "b0" }), entry(t, { reason: "b1" })])]);
    const got = (await a.query({})).map((e) => e.reason);
    expect(got.sort()).toEqual(["a0", "a1", "b0", "b1"]);
    // Each batch's order survives.
    const order = (await b.query({})).map((e) => e.reason);
    expect(order.indexOf("a0")).toBeLessThan(order.indexOf("a1"));
    expect(order.indexOf("b0")).toBeLessThan(order.indexOf("b1"));
  });

  it("a query before anything was written answers [] without creating the table", async () => {
    const client = freshTable();
    expect(await new TableAuditLog(client).query({ since: new Date("2025-01-01T00:00:00Z") })).toEqual([]);
    expect(await tableNames()).not.toContain(client.tableName);
    await new TableAuditLog(client).record([entry("2025-06-01T10:00:00Z")]);
    expect(await tableNames()).toContain(client.tableName);
  });

  it("shares the app table with the ownership index, the marks and the event ledger without mixing partitions", async () => {
    const client = freshTable();
    const other = () => tableClient(azurite.connectionString, client.tableName);
    const ix = new TableOwnershipIndex(other());
    const marks = new TableMarkStore(other());
    const ledger = new TableEventLedger(other());
    const log = new TableAuditLog(client);
    const dnsRg = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-dns";
    const idx = { endpointId: pe("pe1"), zoneResourceGroupId: dnsRg, zone: "privatelink.vaultcore.azure.net", recordName: "kv1", role: "owner" as const };
    await ix.put(idx);
    await ix.markZoneIndexed(idx.zone, dnsRg, new Date("2025-06-01T00:00:00Z"));
    await marks.firstSeen("disconnected:pe1", new Date("2025-06-01T00:00:00Z"));
    expect(await ledger.firstTime("evt-1", new Date("2025-06-01T00:00:00Z"))).toBe(true);
    const decisions = auditEntries(
      [
        {
          event: "evt-1",
          action: "dns-create",
          resource: pe("pe1"),
          reason: "r",
          outcome: "applied",
          dns: { zone: idx.zone, record: "kv1", ips: ["10.0.0.4"] },
        },
      ],
      { trigger: "evt-1", time: new Date("2025-06-01T00:00:01Z") },
    );
    await log.record(decisions);

    expect(await log.query({})).toEqual(decisions);
    expect(await log.query({ resource: pe("pe1") })).toEqual(decisions);
    expect(await ix.entriesFor(pe("pe1"))).toEqual([idx]);
    expect(await ledger.firstTime("evt-1", new Date("2025-06-01T00:01:00Z"))).toBe(false);
    const pks = (await rows(client)).map((r) => String(r.partitionKey));
    const audit = pks.filter((p) => p.startsWith("audit-"));
    const ledgerPks = pks.filter((p) => p.startsWith("ledger-"));
    expect(audit).toHaveLength(1);
    expect(ledgerPks).toHaveLength(1);
    // Nobody else's partition looks like ours, and ours look like nobody else's.
    for (const p of pks.filter((p) => !audit.includes(p) && !ledgerPks.includes(p))) expect(p).toMatch(/^(ep-|zone-|zone-markers$|marks$)/);
    expect(await log.purge(new Date("2030-01-01T00:00:00Z"))).toBe(1);
    expect(await ix.entriesFor(pe("pe1"))).toEqual([idx]);
    expect((await rows(client)).length).toBe(pks.length - 1);
  });

  it("purge deletes exactly the entries older than the cutoff, across partitions and in batches", async () => {
    const client = freshTable();
    const log = new TableAuditLog(client);
    const base = Date.parse("2025-05-01T00:00:00.000Z");
    // 5 days x 150 entries each (more than one transaction per partition).
    await log.record(
      Array.from({ length: 750 }, (_, i) => entry(new Date(base + Math.floor(i / 150) * 86_400_000 + (i % 150) * 1000).toISOString(), { reason: String(i) })),
    );
    const cutoff = new Date(base + 2 * 86_400_000 + 75 * 1000); // mid third day
    expect(await log.purge(cutoff)).toBe(375);
    const left = await log.query({ limit: 10_000 });
    expect(left).toHaveLength(375);
    expect(left.every((e) => Date.parse(e.time) >= cutoff.getTime())).toBe(true);
    expect(await log.purge(cutoff)).toBe(0);
    expect(await new TableAuditLog(freshTable()).purge(cutoff)).toBe(0); // no table
  });
});
