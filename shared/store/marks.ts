// "First seen" marks, e.g. when an endpoint was first seen Disconnected, so a grace
// period survives restarts and is shared by every instance (Table storage in Azure).
import { createHash } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { ensureTable, statusOf } from "./tables.js";

export interface MarkStore {
  /** When `key` was first marked; marks it `now` if it was not. */
  firstSeen(key: string, now: Date): Promise<Date>;
  clear(key: string): Promise<void>;
}

export class MemoryMarkStore implements MarkStore {
  private readonly marks = new Map<string, Date>();

  async firstSeen(key: string, now: Date): Promise<Date> {
    const k = key.toLowerCase();
    const seen = this.marks.get(k);
    if (seen) return seen;
    this.marks.set(k, now);
    return now;
  }

  async clear(key: string): Promise<void> {
    this.marks.delete(key.toLowerCase());
  }
}

const PARTITION = "marks";
const rowKey = (key: string) => createHash("sha256").update(key.toLowerCase()).digest("hex");

export class TableMarkStore implements MarkStore {
  constructor(private readonly table: TableClient) {}

  async firstSeen(key: string, now: Date): Promise<Date> {
    await ensureTable(this.table);
    try {
      // Create-if-absent: of two instances racing, the first mark wins.
      await this.table.createEntity({ partitionKey: PARTITION, rowKey: rowKey(key), key, seenAt: now.toISOString() });
      return now;
    } catch (e) {
      if (statusOf(e) !== 409) throw e;
      const existing = await this.table.getEntity<{ seenAt: string }>(PARTITION, rowKey(key));
      return new Date(existing.seenAt);
    }
  }

  async clear(key: string): Promise<void> {
    await ensureTable(this.table);
    try {
      await this.table.deleteEntity(PARTITION, rowKey(key));
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
    }
  }
}
