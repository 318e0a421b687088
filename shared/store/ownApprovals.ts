// The approvals this app made, kept by the app itself (the app's own table in
// Azure, memory elsewhere). Revocation (approval.revokeRemoved) acts only on these:
// a connection's description cannot say who approved it, since the requester
// writes the request message it starts from.
//
// A record holds the description the app wrote. A human who approves again
// (or rejects and re-approves) changes it, and the connection is theirs from then on.
import type { TableClient } from "@azure/data-tables";
import { idKey } from "../model/resourceId.js";
import type { OwnApproval } from "../model/ownApproval.js";
import { deleteIgnoringNotFound, ensureTable, isNotFound } from "./tables.js";
import { sha256Hex } from "../util/sha256.js";

export interface OwnApprovalStore {
  get(connectionId: string): Promise<OwnApproval | undefined>;
  /** Upsert: the latest approval of a connection replaces an earlier one. */
  put(a: OwnApproval): Promise<void>;
  /** Idempotent. */
  remove(connectionId: string): Promise<void>;
}

export class MemoryOwnApprovalStore implements OwnApprovalStore {
  private readonly byId = new Map<string, OwnApproval>();

  constructor(initial: OwnApproval[] = []) {
    for (const a of initial) this.byId.set(idKey(a.connectionId), { ...a });
  }

  async get(connectionId: string): Promise<OwnApproval | undefined> {
    const a = this.byId.get(idKey(connectionId));
    return a ? { ...a } : undefined;
  }

  async put(a: OwnApproval): Promise<void> {
    this.byId.set(idKey(a.connectionId), { ...a });
  }

  async remove(connectionId: string): Promise<void> {
    this.byId.delete(idKey(connectionId));
  }
}

const PARTITION = "own-approvals";
const rowKey = (connectionId: string) => sha256Hex(idKey(connectionId));

/** In the app's table (partition `own-approvals`, one row per connection). */
export class TableOwnApprovalStore implements OwnApprovalStore {
  constructor(private readonly table: TableClient) {}

  async get(connectionId: string): Promise<OwnApproval | undefined> {
    await ensureTable(this.table);
    try {
      const e = await this.table.getEntity<OwnApproval>(PARTITION, rowKey(connectionId));
      return { connectionId: e.connectionId, endpointId: e.endpointId, description: e.description ?? "", rule: e.rule, at: e.at };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async put(a: OwnApproval): Promise<void> {
    await ensureTable(this.table);
    await this.table.upsertEntity({ partitionKey: PARTITION, rowKey: rowKey(a.connectionId), ...a }, "Replace");
  }

  async remove(connectionId: string): Promise<void> {
    await ensureTable(this.table);
    await deleteIgnoringNotFound(this.table, PARTITION, rowKey(connectionId));
  }
}
