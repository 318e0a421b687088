// The app's record of its own approvals: the same contract in memory and in Table storage (Azurite).
import { beforeAll, describe, expect, it } from "vitest";
import { sharedAzurite, type SharedAzurite } from "../helpers/sharedAzurite.js";
import { MemoryOwnApprovalStore, TableOwnApprovalStore, type OwnApprovalStore } from "../../shared/store/ownApprovals.js";
import { tableClient } from "../../shared/store/tables.js";
import { isOwnApproval, type OwnApproval } from "../../shared/model/ownApproval.js";

const CONN =
  "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv/privateEndpointConnections/pe.1";
const PE = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/pe";
const record: OwnApproval = {
  connectionId: CONN,
  endpointId: PE,
  description: "Approved by privatelink-autopilot (rule 'r'). Request: please",
  rule: "r",
  at: "2026-12-01T03:00:00.000Z",
};

let azurite: SharedAzurite;
beforeAll(async () => {
  azurite = await sharedAzurite();
});

let n = 0;
const stores: [string, () => OwnApprovalStore][] = [
  ["memory", () => new MemoryOwnApprovalStore()],
  ["table", () => new TableOwnApprovalStore(tableClient(azurite.connectionString, `own${process.pid}t${++n}`))],
];

describe.each(stores)("own approvals (%s)", (_, make) => {
  it("keeps, finds case-insensitively, replaces and forgets a record", async () => {
    const s = make();
    expect(await s.get(CONN)).toBeUndefined();
    await s.put(record);
    expect(await s.get(CONN.toUpperCase() + "/")).toEqual(record);
    await s.put({ ...record, description: "newer", at: "2026-12-01T04:00:00.000Z" });
    expect(await s.get(CONN)).toMatchObject({ description: "newer" });
    await s.remove(CONN);
    await s.remove(CONN); // idempotent
    expect(await s.get(CONN)).toBeUndefined();
  });
});

describe("isOwnApproval: the connection is still exactly as this app approved it", () => {
  const conn = { id: CONN, status: "Approved", description: record.description, privateEndpointId: PE };
  it.each<[string, Partial<typeof conn>, boolean]>([
    ["unchanged", {}, true],
    ["a human changed the description (re-approval)", { description: "Approved by alice" }, false],
    ["now Rejected", { status: "Rejected" }, false],
    ["another requester endpoint", { privateEndpointId: PE.replace("/pe", "/pe2") }, false],
  ])("%s", (_, over, want) => {
    expect(isOwnApproval(record, { ...conn, ...over })).toBe(want);
  });
  it("no record: never ours, whatever the description says", () => {
    expect(isOwnApproval(undefined, conn)).toBe(false);
  });
});
