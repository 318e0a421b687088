// Starts the ARM emulator in a child process and drives it over IPC: the bench's
// app process talks to it only over HTTPS (through the real SDK clients) and reads
// its call log through this proxy.
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ArmClients } from "../../shared/gateways/arm/clients.js";
import { staticTokenCredential, type ArmSettings } from "../../shared/gateways/arm/settings.js";
import type { Estate, ArmResource } from "../../sandbox/estate.js";
import type { CallLogEntry, EmulatorOptions, FaultSpec } from "../../sandbox/emulator/index.js";
import type { ProcessUsage } from "./usage.js";

export type EmulatorRequest = { id: number } & (
  | { op: "start"; options: EmulatorOptions; seed?: SeedOptions }
  | { op: "count" }
  | { op: "calls"; clear?: boolean }
  | { op: "clearCalls" }
  | { op: "load"; estate: Estate }
  | { op: "reset"; estate?: Estate }
  | { op: "getResource"; resourceId: string }
  | { op: "snapshot" }
  | { op: "injectFault"; fault: FaultSpec }
  | { op: "usage" }
  | { op: "close" }
);

/** Endpoints to create (through the SDK, in the emulator's process) before the emulator starts. */
export interface SeedOptions {
  endpoints: number;
  consumers: number;
  /** Auto-approved links instead of manual (Pending) ones. */
  auto?: boolean;
}

export interface EstateCounts {
  connections: Record<string, number>;
  records: number;
  recordsWithIp: number;
}

type Op = EmulatorRequest extends infer R ? (R extends { op: infer O } ? O : never) : never;

export interface RemoteEmulator {
  url: string;
  ca: string;
  pid: number;
  /** Ids of the endpoints seeded (SeedOptions), in order. */
  endpoints: string[];
  /** Connections by status and A record sets, counted in the emulator's process. */
  count(): Promise<EstateCounts>;
  /** The call log so far; `clear` empties it in the same step. */
  calls(clear?: boolean): Promise<CallLogEntry[]>;
  clearCalls(): Promise<void>;
  load(estate: Estate): Promise<void>;
  reset(estate?: Estate): Promise<void>;
  getResource(id: string): Promise<ArmResource | undefined>;
  snapshot(): Promise<Estate>;
  injectFault(f: FaultSpec): Promise<void>;
  /** The emulator process's own peak RSS and CPU. */
  usage(): Promise<ProcessUsage>;
  /** SDK clients pointed at it (extra ArmSettings: retries, poll interval, pacing...). */
  clients(extra?: Partial<ArmSettings>): ArmClients;
  close(): Promise<void>;
}

/** Set when this file is bundled (bundle.ts): the bundle's own URL is elsewhere. */
declare const BENCH_LIB_DIR: string | undefined;
const CHILD = typeof BENCH_LIB_DIR === "string" ? join(BENCH_LIB_DIR, "emulatorChild.ts") : fileURLToPath(new URL("./emulatorChild.ts", import.meta.url));

export async function startRemoteEmulator(options: EmulatorOptions, seed?: SeedOptions): Promise<RemoteEmulator> {
  const child: ChildProcess = fork(CHILD, [], { execArgv: ["--import", "tsx"], serialization: "advanced", stdio: ["ignore", "inherit", "inherit", "ipc"] });
  let seq = 0;
  const waiting = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  child.on("message", (m: { id: number; value?: unknown; error?: string }) => {
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if (m.error) w.reject(new Error(`emulator process: ${m.error}`));
    else w.resolve(m.value);
  });
  child.on("exit", (code) => {
    for (const w of waiting.values()) w.reject(new Error(`emulator process exited (${code})`));
    waiting.clear();
  });
  const ask = <T>(op: Op, rest: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++seq;
      waiting.set(id, { resolve, reject });
      child.send({ id, op, ...rest });
    });
  const { url, ca, endpoints } = await ask<{ url: string; ca: string; endpoints: string[] }>("start", { options, ...(seed ? { seed } : {}) });
  return {
    url,
    ca,
    pid: child.pid!,
    endpoints,
    count: () => ask("count"),
    calls: (clear) => ask("calls", { clear }),
    clearCalls: () => ask("clearCalls"),
    load: (estate) => ask("load", { estate }),
    reset: (estate) => ask("reset", { estate }),
    getResource: (resourceId) => ask("getResource", { resourceId }),
    snapshot: () => ask("snapshot"),
    injectFault: (fault) => ask("injectFault", { fault }),
    usage: () => ask("usage"),
    clients: (extra = {}) => new ArmClients({ endpoint: url, ca, credential: staticTokenCredential(), scope: `${url}/.default`, pollIntervalMs: 10, ...extra }),
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      await ask("close").catch(() => undefined);
      await exited;
    },
  };
}
