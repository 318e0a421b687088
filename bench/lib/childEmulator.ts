// The ARM emulator in a process of its own (sandbox/emulator/cli.ts), so the app's
// process measures only the app: its CPU, its memory. Talks to the emulator's
// admin routes (/_emulator/*) over HTTPS with the emulator's own CA.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Estate } from "../../shared/estate/types.js";
import type { CallLogEntry } from "../../sandbox/emulator/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

export interface ChildEmulator {
  url: string;
  ca: string;
  caFile: string;
  process: ChildProcess;
  calls(): Promise<CallLogEntry[]>;
  clearCalls(): Promise<void>;
  estate(): Promise<Estate>;
  close(): Promise<void>;
}

export async function startChildEmulator(estate: Estate, opts: { timeScale?: number; lroMs?: number; pageSize?: number; throttle?: boolean } = {}): Promise<ChildEmulator> {
  const dir = mkdtempSync(join(tmpdir(), "pla-emu-"));
  const estateFile = join(dir, "estate.json");
  const caFile = join(dir, "ca.pem");
  writeFileSync(estateFile, JSON.stringify(estate));
  const args = ["--import", "tsx", join(root, "sandbox/emulator/cli.ts"), "--estate", estateFile, "--ca-out", caFile];
  if (opts.timeScale !== undefined) args.push("--time-scale", String(opts.timeScale));
  if (opts.lroMs !== undefined) args.push("--lro-ms", String(opts.lroMs));
  if (opts.pageSize !== undefined) args.push("--page-size", String(opts.pageSize));
  if (opts.throttle === false) args.push("--no-throttle");
  const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /ARM emulator at (https:\/\/[^\s]+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`emulator exited (${code}) before listening: ${out}`)));
  });
  const ca = readFileSync(caFile, "utf8");
  const admin = (method: string, path: string) =>
    new Promise<unknown>((resolve, reject) => {
      const req = request(`${url}/_emulator/${path}`, { method, ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          resolve(text ? JSON.parse(text) : undefined);
        });
      });
      req.on("error", reject);
      req.end();
    });
  return {
    url,
    ca,
    caFile,
    process: child,
    calls: () => admin("GET", "calls") as Promise<CallLogEntry[]>,
    clearCalls: async () => void (await admin("DELETE", "calls")),
    estate: () => admin("GET", "estate") as Promise<Estate>,
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A GET of a collection (a list page): after `providers`, namespace + type (+ name/child pairs) is an even count; or /subscriptions. */
export function isListPage(c: Pick<CallLogEntry, "method" | "path">): boolean {
  if (c.method !== "GET") return false;
  const s = c.path.split("/").filter(Boolean);
  const i = s.findIndex((x) => x.toLowerCase() === "providers");
  if (i < 0) return s.length === 1 || s.length === 3; // /subscriptions, /subscriptions/{id}/resourceGroups
  return (s.length - i - 1) % 2 === 0;
}
