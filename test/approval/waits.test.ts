// How long an approval is waited for in-process, and when its DNS continuation first looks
// (shared/approval/waits.ts): waits are capped per process so a burst does not hold every
// host slot, and the first check lands just after the provider's recorded time.
import { describe, expect, it } from "vitest";
import { ApprovalWaits } from "../../shared/approval/waits.js";
import { vaultId } from "../helpers/world.js";

const KV_CONN = `${vaultId("kv-1")}/privateEndpointConnections/pe.conn`;
const STORAGE_CONN = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1/privateEndpointConnections/pe.conn";
const COSMOS_CONN = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DocumentDB/databaseAccounts/db1/privateEndpointConnections/pe.conn";

describe("approval waits", () => {
  it("at most maxWaiting approvals wait at once; the rest are not waited for, and an ended wait frees its place once", () => {
    const w = new ApprovalWaits({ waitMs: 10_000, maxWaiting: 2, continueAfterMs: 30_000 });
    const a = w.begin();
    const b = w.begin();
    const c = w.begin();
    expect([a.ms, b.ms, c.ms]).toEqual([10_000, 10_000, 0]);
    expect(w.inFlight).toBe(2);
    a.end();
    a.end(); // a second end() frees nothing more
    c.end(); // a wait of 0 held no place
    expect(w.inFlight).toBe(1);
    expect(w.begin().ms).toBe(10_000);
    expect(w.begin().ms).toBe(0);
  });

  it("waitMs 0 never waits", () => {
    const w = new ApprovalWaits({ waitMs: 0, maxWaiting: 4, continueAfterMs: 30_000 });
    expect(w.begin().ms).toBe(0);
    expect(w.inFlight).toBe(0);
  });

  it.each([
    // [connection, attempt, waited ms, delay ms]
    [KV_CONN, 1, 0, 51_700], // Key Vault 47 s recorded: one check 10 % after it
    [KV_CONN, 1, 10_000, 41_700], // the wait already spent counts
    [KV_CONN, 2, 0, 30_000], // slower than recorded: the regular spacing
    [COSMOS_CONN, 1, 0, 83_600], // Cosmos DB 76 s
    [STORAGE_CONN, 1, 10_000, 30_000], // nothing recorded: the regular spacing
    [KV_CONN, 1, 60_000, 0], // waited past the recorded time: at once
  ] as const)("the continuation check of %s, attempt %i after %i ms waited, comes after %i ms", (conn, attempt, waited, delay) => {
    const w = new ApprovalWaits({ waitMs: 10_000, maxWaiting: 4, continueAfterMs: 30_000 });
    expect(w.checkDelayMs(conn, attempt, waited)).toBe(delay);
  });
});
