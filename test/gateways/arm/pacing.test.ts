// Pacing to ARM's token buckets (issue 12): calls wait for a token instead of
// spending retries on 429s, and follow what ARM says about the bucket.
import { afterEach, describe, expect, it } from "vitest";
import { ArmClients } from "../../../shared/gateways/arm/clients.js";
import { staticTokenCredential } from "../../../shared/gateways/arm/settings.js";
import type { PacingClock, PacingSettings } from "../../../shared/gateways/arm/pacing.js";
import { startEmulator, type Emulator } from "../../../sandbox/emulator/index.js";
import { HUB, HUB_RG, hubZone } from "../../helpers/world.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const WRITES = { burst: 4, perSecond: 10 };

/**
 * Time for the pacer and the emulator's buckets alike, moved only by the test. The client paces
 * by when it sends and the emulator counts by when a call arrives: on the real clock a loaded
 * machine can bunch the arrivals (a slow first handshake) into a 429 the pacer did not cause.
 * Here a call arrives at the instant the pacer let it go, whatever the machine's load.
 */
class ManualClock implements PacingClock {
  private t = 1_000_000;
  private sleepers: Array<{ at: number; wake: () => void }> = [];
  readonly now = () => this.t;
  readonly sleep = (ms: number) => new Promise<void>((wake) => this.sleepers.push({ at: this.t + ms, wake }));
  /** Calls waiting for a token. */
  get sleeping(): number {
    return this.sleepers.length;
  }
  advance(ms: number): void {
    this.t += ms;
    const due = this.sleepers.filter((s) => s.at <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.at > this.t);
    for (const s of due) s.wake();
  }
}

/** Waits (in real time) until the calls in flight have landed: `calls` at the emulator, `waiting` for a token. */
async function settled(emu: Emulator, clock: ManualClock, calls: number, waiting: number): Promise<void> {
  for (let i = 0; i < 2_000 && !(emu.calls.length === calls && clock.sleeping === waiting); i++) await new Promise((r) => setTimeout(r, 5));
  expect({ calls: emu.calls.length, waiting: clock.sleeping }).toEqual({ calls, waiting });
}

async function setup(clock: ManualClock, pacing?: PacingSettings) {
  emu = await startEmulator({ estate: { resources: [hubZone("privatelink.vaultcore.azure.net")] }, throttle: { writes: WRITES }, throttleClock: clock.now });
  const arm = new ArmClients({
    endpoint: emu.url,
    ca: emu.ca,
    credential: staticTokenCredential(),
    scope: `${emu.url}/.default`,
    maxRetries: 0,
    ...(pacing ? { pacing: { ...pacing, clock } } : {}),
  });
  const rg = HUB_RG.split("/").pop()!;
  const write = (i: number) =>
    arm.privateDnsFor(HUB).recordSets.createOrUpdate(rg, "privatelink.vaultcore.azure.net", "A", `r${i}`, { ttl: 10, aRecords: [{ ipv4Address: "10.0.0.1" }] });
  return { emu, arm, write };
}

describe("pacing", () => {
  it("without pacing a burst over the write bucket is refused with 429s", async () => {
    const clock = new ManualClock();
    const { emu, write } = await setup(clock);
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => write(i)));
    expect(results.filter((r) => r.status === "rejected").length).toBeGreaterThan(0);
    expect(emu.calls.filter((c) => c.status === 429).length).toBeGreaterThan(0);
  });

  it("with the bucket's limits every call of the burst waits for its token: no 429, no retry spent", async () => {
    const clock = new ManualClock();
    const { emu, arm, write } = await setup(clock, { writes: WRITES });
    const all = Promise.allSettled(Array.from({ length: 10 }, (_, i) => write(i)));
    await settled(emu, clock, 4, 6); // the burst goes at once; six wait
    for (let sent = 5; sent <= 10; sent++) {
      clock.advance(100); // one token at 10 per second: one more call
      await settled(emu, clock, sent, 10 - sent);
    }
    const results = await all;
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    expect(emu.calls.filter((c) => c.status === 429)).toEqual([]);
    expect(emu.calls).toHaveLength(10);
    expect(arm.pacer!.stats.waited).toBeGreaterThan(0);
  });

  it("a pacer that believes in a larger bucket follows ARM's remaining-writes header after the first answer", async () => {
    const clock = new ManualClock();
    const { emu, write } = await setup(clock, { writes: { burst: 200, perSecond: 10 } });
    await write(0); // ARM answers: 3 left
    const all = Promise.allSettled(Array.from({ length: 8 }, (_, i) => write(i + 1)));
    await settled(emu, clock, 4, 5); // the 3 ARM has left go at once; five wait
    for (let sent = 5; sent <= 9; sent++) {
      clock.advance(100);
      await settled(emu, clock, sent, 9 - sent);
    }
    const results = await all;
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    expect(emu.calls.filter((c) => c.status === 429)).toEqual([]);
  });
});
