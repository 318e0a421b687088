// The embedded sandbox's ARM: the emulator loaded with an estate, plus SDK
// clients pointed at it. Used by `npm start`, the CLI (explain, replay) and tests.
import { ArmClients } from "../shared/gateways/arm/clients.js";
import { staticTokenCredential } from "../shared/gateways/arm/settings.js";
import type { Estate } from "./estate.js";
import { startEmulator, type Emulator, type EmulatorOptions } from "./emulator/index.js";

export interface LocalArm {
  emulator: Emulator;
  arm: ArmClients;
  close(): Promise<void>;
}

export async function startLocalArm(estate: Estate, opts: Omit<EmulatorOptions, "estate"> = {}): Promise<LocalArm> {
  // A fixed 20 ms per operation unless the caller asks for recorded durations (timeScale).
  const emulator = await startEmulator({ ...(opts.timeScale === undefined ? { lroDelayMs: 20 } : {}), ...opts, estate });
  const arm = new ArmClients({
    endpoint: emulator.url,
    ca: emulator.ca,
    credential: staticTokenCredential(),
    scope: `${emulator.url}/.default`,
    pollIntervalMs: 10,
    // A local server: back off 20 ms, not the SDK's 800 ms doubling to 64 s (Retry-After still rules a 429).
    retryDelayMs: 20,
    maxRetryDelayMs: 200,
  });
  return { emulator, arm, close: () => emulator.close() };
}
