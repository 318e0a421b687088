// Write-ahead intents (issue 8, defect 9): the store both implementations keep alike.
import { beforeAll, describe, expect, it } from "vitest";
import { sharedAzurite, type SharedAzurite } from "../helpers/sharedAzurite.js";
import { MemoryIntentLog, TableIntentLog, type IntentLog, type WriteIntent } from "../../shared/store/intents.js";
import { tableClient } from "../../shared/store/tables.js";

let azurite: SharedAzurite;
let n = 0;
beforeAll(async () => {
  azurite = await sharedAzurite();
});

const RECORD =
  "/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net/A/kv-1";
const CONN =
  "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-1/privateEndpointConnections/pe-1.conn";
const intent = (trigger: string, resource: string, at: string, extra: Partial<WriteIntent> = {}): WriteIntent => ({
  trigger,
  kind: resource === RECORD ? "dns-write" : "connection-state",
  resource,
  want: "w",
  action: resource === RECORD ? "dns-create" : "approve",
  reason: "r",
  at,
  ...extra,
});

for (const [name, make] of [
  ["MemoryIntentLog", () => new MemoryIntentLog()],
  ["TableIntentLog (Azurite)", () => new TableIntentLog(tableClient(azurite.connectionString, `in${process.pid}t${++n}`))],
] as [string, () => IntentLog][]) {
  describe(name, () => {
    it("lists one trigger's open intents, and with `before` every older one too; resolve and purge delete them", async () => {
      const log = make();
      const a1 = await log.open(intent("ev-1", CONN, "2026-12-01T06:00:00.000Z", { rule: "corp" }));
      const a2 = await log.open(intent("ev-1", RECORD, "2026-12-01T06:00:01.000Z"));
      await log.open(intent("ev-2", CONN, "2026-12-01T06:10:00.000Z"));
      expect((await log.list({ trigger: "ev-1" })).map((i) => [i.trigger, i.action, i.rule]).sort()).toEqual([
        ["ev-1", "approve", "corp"],
        ["ev-1", "dns-create", undefined],
      ]);
      expect((await log.list({ trigger: "sweep" })).length).toBe(0);
      expect((await log.list({ trigger: "sweep", before: new Date("2026-12-01T06:05:00Z") })).map((i) => i.trigger)).toEqual(["ev-1", "ev-1"]);
      await log.resolve([a1, a2]);
      expect(await log.list({ trigger: "ev-1" })).toEqual([]);
      expect(await log.purge(new Date("2026-12-01T06:10:00.000Z"))).toBe(0);
      expect(await log.purge(new Date("2026-12-01T06:10:00.001Z"))).toBe(1);
      expect(await log.list({ trigger: "sweep", before: new Date("2027-01-01T00:00:00Z") })).toEqual([]);
    });

    it("each write has its own intent, even of one resource by one run; of two runs claiming one intent, one wins", async () => {
      const log = make();
      await log.open(intent("ev-1", RECORD, "2026-12-01T06:00:00.000Z"));
      await log.open(intent("ev-1", RECORD, "2026-12-01T06:00:02.000Z", { want: "w2" }));
      const listed = (await log.list({ trigger: "ev-1" })).sort((x, y) => x.at.localeCompare(y.at));
      expect(listed.map((i) => i.want)).toEqual(["w", "w2"]);
      expect(new Set(listed.map((i) => i.id)).size).toBe(2);
      const first = await log.claim(listed[0]!, "sweep", new Date("2026-12-01T06:20:00Z"));
      const second = await log.claim(listed[0]!, "ev-1", new Date("2026-12-01T06:20:00Z"));
      expect(first).toMatchObject({ claimedBy: "sweep", claimedAt: "2026-12-01T06:20:00.000Z" });
      expect(second).toBeUndefined();
      // A claimed intent counts as touched when claimed: not "older than" a time before the claim.
      expect((await log.list({ trigger: "x", before: new Date("2026-12-01T06:10:00Z") })).map((i) => i.want)).toEqual(["w2"]);
      await log.resolve([first!, first!, listed[1]!]);
      expect(await log.list({ trigger: "ev-1" })).toEqual([]);
    });
  });
}
