// Pacing to ARM's token buckets (issue 12): calls wait for a token instead of
// spending retries on 429s, and follow what ARM says about the bucket.
import { afterEach, describe, expect, it } from "vitest";
import { ArmClients } from "../../../shared/gateways/arm/clients.js";
import { staticTokenCredential } from "../../../shared/gateways/arm/settings.js";
import type { PacingSettings } from "../../../shared/gateways/arm/pacing.js";
import { startEmulator, type Emulator } from "../../../sandbox/emulator/index.js";
import { HUB, HUB_RG, hubZone } from "../../helpers/world.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const WRITES = { burst: 4, perSecond: 10 };

async function setup(pacing?: PacingSettings) {
  emu = await startEmulator({ estate: { resources: [hubZone("privatelink.vaultcore.azure.net")] }, throttle: { writes: WRITES } });
  const arm = new ArmClients({ endpoint: emu.url, ca: emu.ca, credential: staticTokenCredential(), scope: `${emu.url}/.default`, maxRetries: 0, pacing });
  const rg = HUB_RG.split("/").pop()!;
  const write = (i: number) =>
    arm.privateDnsFor(HUB).recordSets.createOrUpdate(rg, "privatelink.vaultcore.azure.net", "A", `r${i}`, { ttl: 10, aRecords: [{ ipv4Address: "10.0.0.1" }] });
  return { emu, arm, write };
}

// The client paces by when it sends, the emulator's bucket counts by when a call arrives: on a
// machine loaded well past its cores (load average 14 on 2 cores, four test workers) a slow
// first handshake can bunch the arrivals enough for one 429. Such a run is retried; a pacer
// that does not pace fails every attempt.
describe("pacing", { retry: 2 }, () => {
  it("without pacing a burst over the write bucket is refused with 429s", async () => {
    const { emu, write } = await setup();
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => write(i)));
    expect(results.filter((r) => r.status === "rejected").length).toBeGreaterThan(0);
    expect(emu.calls.filter((c) => c.status === 429).length).toBeGreaterThan(0);
  });

  it("with the bucket's limits every call of the burst waits for its token: no 429, no retry spent", async () => {
    const { emu, arm, write } = await setup({ writes: WRITES });
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => write(i)));
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    expect(emu.calls.filter((c) => c.status === 429)).toEqual([]);
    expect(emu.calls).toHaveLength(10);
    expect(arm.pacer!.stats.waited).toBeGreaterThan(0);
  });

  it("a pacer that believes in a larger bucket follows ARM's remaining-writes header after the first answer", async () => {
    const { emu, write } = await setup({ writes: { burst: 200, perSecond: 10 } });
    await write(0); // ARM answers: 3 left
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => write(i + 1)));
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    expect(emu.calls.filter((c) => c.status === 429)).toEqual([]);
  });
});
