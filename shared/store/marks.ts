// "First seen" marks, e.g. when an endpoint was first seen Disconnected, so a grace
// period survives restarts and is shared by every instance (Table storage in Azure).
import type { TableClient } from "@azure/data-tables";
import { deleteIgnoringNotFound, ensureTable, isNotFound, statusOf } from "./tables.js";
import { sha256Hex } from "../util/sha256.js";

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
const rowKey = (key: string) => sha256Hex(key.toLowerCase());

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
    await deleteIgnoringNotFound(this.table, PARTITION, rowKey(key));
  }
}

/** Where an interrupted sweep stopped, so the next run resumes there. */
export interface SweepCursor {
  phase: string;
  /** Last unit key completed in that phase. */
  after: string;
  runId: string;
}

export interface CursorStore {
  get(): Promise<SweepCursor | undefined>;
  set(c: SweepCursor): Promise<void>;
  clear(): Promise<void>;
}

export class MemoryCursorStore implements CursorStore {
  private cursor?: SweepCursor;
  async get() {
    return this.cursor;
  }
  async set(c: SweepCursor) {
    this.cursor = c;
  }
  async clear() {
    this.cursor = undefined;
  }
}

export class TableCursorStore implements CursorStore {
  constructor(private readonly table: TableClient) {}

  async get(): Promise<SweepCursor | undefined> {
    await ensureTable(this.table);
    try {
      const e = await this.table.getEntity<{ phase: string; after: string; runId: string }>("sweep-cursor", "current");
      return { phase: e.phase, after: e.after, runId: e.runId };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async set(c: SweepCursor): Promise<void> {
    await ensureTable(this.table);
    await this.table.upsertEntity({ partitionKey: "sweep-cursor", rowKey: "current", ...c }, "Replace");
  }

  async clear(): Promise<void> {
    await ensureTable(this.table);
    await deleteIgnoringNotFound(this.table, "sweep-cursor", "current");
  }
}
