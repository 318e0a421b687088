// The EventLedger contract, run against the in-memory and the Table (Azurite)
// implementations, plus each one's specifics.
import { createHash } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { beforeAll, describe, expect, it } from "vitest";
import { sharedAzurite, type SharedAzurite } from "../helpers/sharedAzurite.js";
import { InvalidEventIdError, MemoryEventLedger, TableEventLedger, type EventLedger } from "../../shared/store/eventLedger.js";
import { tableClient } from "../../shared/store/tables.js";

/** Two handles on the same ledger (for Table: separate clients, as two Function instances have). */
type MakePair = (opts?: { retentionHours?: number }) => Promise<[EventLedger, EventLedger]> | [EventLedger, EventLedger];

const T0 = new Date("2025-06-01T12:00:00.000Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function eventLedgerContract(name: string, makePair: MakePair) {
  describe(`EventLedger contract: ${name}`, () => {
    it("true the first time, false for a redelivery, independent per id", async () => {
      const [l] = await makePair();
      expect(await l.firstTime("evt-1", T0)).toBe(true);
      expect(await l.firstTime("evt-1", at(1))).toBe(false);
      expect(await l.firstTime("evt-1", at(60 * 24))).toBe(false); // Event Grid retries for 24 h
      expect(await l.firstTime("evt-2", at(2))).toBe(true);
      expect(await l.firstTime("evt-2", at(3))).toBe(false);
    });

    it("compares ids exactly and takes any characters and lengths", async () => {
      const [l] = await makePair();
      const odd = ["ABC", "abc", "a/b\\c#d?e", "it's", "ü€😀", "x".repeat(3000), " evt "];
      for (const id of odd) expect(await l.firstTime(id, T0)).toBe(true);
      for (const id of odd) expect(await l.firstTime(id, at(1))).toBe(false);
      await expect(l.firstTime("", T0)).rejects.toThrow(InvalidEventIdError);
    });

    it("forget makes the redelivery new again; forgetting an unknown id is fine", async () => {
      const [l] = await makePair();
      expect(await l.firstTime("evt-f", T0)).toBe(true);
      await l.forget("evt-f");
      await l.forget("evt-f");
      await l.forget("never-seen");
      expect(await l.firstTime("evt-f", at(1))).toBe(true);
      expect(await l.firstTime("evt-f", at(2))).toBe(false);
    });

    it("entries older than the retention count as new (and are remembered again)", async () => {
      const [l] = await makePair({ retentionHours: 1 });
      expect(await l.firstTime("evt-r", T0)).toBe(true);
      expect(await l.firstTime("evt-r", at(60))).toBe(false); // exactly the retention: still recent
      expect(await l.firstTime("evt-r", at(61))).toBe(true);
      expect(await l.firstTime("evt-r", at(62))).toBe(false);
      expect(await l.firstTime("evt-r", at(61 + 61))).toBe(true);
    });

    it("the default retention is 48 hours", async () => {
      const [l] = await makePair();
      expect(await l.firstTime("evt-d", T0)).toBe(true);
      expect(await l.firstTime("evt-d", at(48 * 60))).toBe(false);
      expect(await l.firstTime("evt-d", at(48 * 60 + 1))).toBe(true);
    });

    it("of two instances racing on one id, exactly one gets true (new ids and expired ones)", async () => {
      const [a, b] = await makePair({ retentionHours: 1 });
      for (let i = 0; i < 10; i++) {
        const id = `race-${i}`;
        const got = await Promise.all([a.firstTime(id, T0), b.firstTime(id, T0), a.firstTime(id, T0), b.firstTime(id, T0)]);
        expect(got.filter(Boolean)).toHaveLength(1);
      }
      for (let i = 0; i < 10; i++) {
        const id = `race-${i}`;
        const got = await Promise.all([a.firstTime(id, at(90)), b.firstTime(id, at(90)), b.firstTime(id, at(90))]);
        expect(got.filter(Boolean)).toHaveLength(1);
      }
    });

    it("one instance sees what the other remembered and forgot", async () => {
      const [a, b] = await makePair();
      expect(await a.firstTime("evt-s", T0)).toBe(true);
      expect(await b.firstTime("evt-s", at(1))).toBe(false);
      await b.forget("evt-s");
      expect(await a.firstTime("evt-s", at(2))).toBe(true);
    });

    it("purge deletes the entries expired at `now`, and only those", async () => {
      const [l] = await makePair({ retentionHours: 1 });
      await l.firstTime("old-1", T0);
      await l.firstTime("old-2", at(10));
      await l.firstTime("fresh", at(70));
      expect(await l.purge(at(75))).toBe(2);
      expect(await l.firstTime("fresh", at(76))).toBe(false);
      expect(await l.firstTime("old-1", at(76))).toBe(true);
      expect(await l.purge(at(76))).toBe(0);
    });
  });
}

// ---------------------------------------------------------------------------

eventLedgerContract("MemoryEventLedger", (opts) => {
  const l = new MemoryEventLedger(opts);
  return [l, l];
});

describe("MemoryEventLedger specifics", () => {
  it("keeps the last N ids (default 10,000)", async () => {
    const small = new MemoryEventLedger({ maxEntries: 3 });
    for (const id of ["a", "b", "c", "d"]) expect(await small.firstTime(id, T0)).toBe(true);
    expect(small.size).toBe(3);
    expect(await small.firstTime("d", T0)).toBe(false);
    expect(await small.firstTime("b", T0)).toBe(false);
    expect(await small.firstTime("a", T0)).toBe(true); // evicted, so new again

    const big = new MemoryEventLedger();
    for (let i = 0; i < 10_050; i++) await big.firstTime(`e${i}`, T0);
    expect(big.size).toBe(10_000);
    expect(await big.firstTime("e49", T0)).toBe(true);
    expect(await big.firstTime("e10049", T0)).toBe(false);
  });

  it("refuses nonsense options", () => {
    expect(() => new MemoryEventLedger({ retentionHours: 0 })).toThrow(RangeError);
    expect(() => new TableEventLedger({} as TableClient, { retentionHours: -1 })).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------

let azurite: SharedAzurite;
let n = 0;
const tableName = () => `ledger${process.pid}t${++n}`;

beforeAll(async () => {
  azurite = await sharedAzurite();
});

eventLedgerContract("TableEventLedger (Azurite)", (opts) => {
  const name = tableName();
  return [new TableEventLedger(tableClient(azurite.connectionString, name), opts), new TableEventLedger(tableClient(azurite.connectionString, name), opts)];
});

describe("TableEventLedger specifics", () => {
  const sha = (s: string) => createHash("sha256").update(s).digest("hex");

  async function rows(client: TableClient) {
    const out: Record<string, unknown>[] = [];
    for await (const r of client.listEntities()) out.push(r);
    return out;
  }

  it("stores the documented layout: ledger- partitions by hash, hashed row keys, readable properties", async () => {
    const client = tableClient(azurite.connectionString, tableName());
    const l = new TableEventLedger(client);
    await l.firstTime("evt/1?#", T0);
    const [r, ...more] = await rows(client);
    expect(more).toEqual([]);
    const h = sha("evt/1?#");
    expect(r).toMatchObject({ partitionKey: `ledger-${h.slice(0, 2)}`, rowKey: h, eventId: "evt/1?#" });
    expect(new Date(r!.handledAt as string | Date).toISOString()).toBe(T0.toISOString());
  });

  it("many instances racing on fresh ids: exactly one winner each", async () => {
    const name = tableName();
    const ledgers = Array.from({ length: 5 }, () => new TableEventLedger(tableClient(azurite.connectionString, name)));
    const ids = Array.from({ length: 20 }, (_, i) => `burst-${i}`);
    const results = await Promise.all(ids.map((id) => Promise.all(ledgers.map((l) => l.firstTime(id, T0)))));
    for (const r of results) expect(r.filter(Boolean)).toHaveLength(1);
  });

  it("purge deletes only expired entries", async () => {
    const client = tableClient(azurite.connectionString, tableName());
    const l = new TableEventLedger(client, { retentionHours: 1 });
    await l.firstTime("old-1", T0);
    await l.firstTime("old-2", at(10));
    await l.firstTime("fresh", at(70));
    expect(await l.purge(at(75))).toBe(2);
    expect((await rows(client)).map((r) => r.eventId)).toEqual(["fresh"]);
    expect(await l.firstTime("fresh", at(76))).toBe(false);
    expect(await l.firstTime("old-1", at(76))).toBe(true);
    expect(await l.purge(at(76))).toBe(0);
  });
});
