// The app's recorded approval times (shared/model/approvalTimes.ts) and the emulator's
// operation durations (sandbox/emulator/timings.ts) come from the same recordings: they must agree.
import { describe, expect, it } from "vitest";
import { RECORDED_APPROVAL_TIMES, recordedApprovalMs } from "../../shared/model/approvalTimes.js";
import { TIMINGS } from "../../sandbox/emulator/timings.js";

describe("recorded approval times", () => {
  it("match the emulator's connection PUT durations, type by type", () => {
    const emulated = TIMINGS.filter((t) => t.kind === "put" && /\/privateEndpointConnections$/i.test(t.type)).map((t) => [t.type.toLowerCase(), t.ms]);
    expect(RECORDED_APPROVAL_TIMES.map((t) => [t.type.toLowerCase(), t.ms]).sort()).toEqual(emulated.sort());
  });

  it("are found by connection id in any casing, and unknown for other types", () => {
    expect(recordedApprovalMs("/subscriptions/s/resourceGroups/rg/providers/microsoft.keyvault/VAULTS/kv/privateEndpointConnections/c")).toBe(47_000);
    expect(recordedApprovalMs("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/sql/privateEndpointConnections/c")).toBeUndefined();
    expect(recordedApprovalMs("not an id")).toBeUndefined();
    // On a faster clock (benchmarks, tests): scaled, and still undefined where nothing was recorded.
    expect(recordedApprovalMs("/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/privateEndpointConnections/c", 0.02)).toBe(940);
    expect(recordedApprovalMs("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/sql/privateEndpointConnections/c", 0.02)).toBeUndefined();
  });
});
