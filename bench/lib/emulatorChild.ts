// The emulator in a process of its own (forked by remoteEmulator.ts), so the app's
// memory and CPU figures are the app's alone. Driven over the IPC channel.
import { startEmulator, type Emulator, type EmulatorOptions } from "../../sandbox/emulator/index.js";
import type { EmulatorRequest } from "./remoteEmulator.js";
import { processUsage } from "./usage.js";

let emu: Emulator | undefined;

function reply(id: number, value?: unknown, error?: string): void {
  process.send!({ id, value, error });
}

process.on("message", async (m: EmulatorRequest) => {
  try {
    switch (m.op) {
      case "start":
        emu = await startEmulator(m.options as EmulatorOptions);
        return reply(m.id, { url: emu.url, ca: emu.ca });
      case "calls":
        return reply(m.id, m.clear ? emu!.calls.splice(0) : [...emu!.calls]);
      case "clearCalls":
        emu!.clearCalls();
        return reply(m.id);
      case "load":
        emu!.load(m.estate);
        return reply(m.id);
      case "reset":
        emu!.reset(m.estate);
        return reply(m.id);
      case "getResource":
        return reply(m.id, emu!.getResource(m.resourceId));
      case "snapshot":
        return reply(m.id, emu!.snapshot());
      case "injectFault":
        emu!.injectFault(m.fault);
        return reply(m.id);
      case "usage":
        return reply(m.id, processUsage());
      case "close":
        await emu?.close();
        reply(m.id);
        return process.exit(0);
    }
  } catch (e) {
    reply(m.id, undefined, e instanceof Error ? e.stack ?? e.message : String(e));
  }
});
process.on("disconnect", () => process.exit(0));
