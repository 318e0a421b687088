// A private Azurite for tests and the sandbox: the Table service, and on request the
// Blob and Queue services too (the allow-list blob, the events queue); in-memory,
// loopback only, on ports nobody else holds, gone when closed or when this process ends.
//
// How it runs. Azurite 3.35 has no supported programmatic API (its package main
// is the VS Code extension), so Azurite always runs in a CHILD process, started
// through a small inline wrapper (`node -e`) that:
//   - mode "server" (default): loads Azurite's own TableServer class from its
//     dist folder and listens on port 0, so the OS picks a free port and there is
//     no race between picking a port and binding it; reports the port over IPC.
//     Blob and Queue start the same way (BlobServer, QueueServer) in the same child.
//     It never initialises Azurite's telemetry (that lives only in its CLI main).
//   - mode "bin" (fallback, used automatically if the internals above cannot be
//     loaded, e.g. after an Azurite upgrade moved them): runs the documented CLI
//     entry `azurite/dist/src/table/main.js --inMemoryPersistence --disableTelemetry`
//     on a port found by listening on port 0, waits until the port answers, and
//     retries with a new port if Azurite exits first (someone took the port).
//     Tables only: asking for Blob or Queue needs the server mode.
// In both modes the wrapper exits as soon as its IPC channel to us closes, so even
// a SIGKILLed test worker leaves no Azurite behind; on a normal exit we also kill
// it from a process 'exit' hook. The child never keeps this process alive.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { get as httpGet } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export const DEVSTORE_ACCOUNT = "devstoreaccount1";
/** The well-known, public Azurite / storage emulator key: not a secret. */
export const DEVSTORE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuriteOptions {
  /** No access log on our stdout (default true). */
  silent?: boolean;
  /** How to run Azurite; see the header. Default "auto": "server", falling back to "bin". */
  mode?: "auto" | "server" | "bin";
  /** Give up if not listening after this long (default 20 s). */
  startTimeoutMs?: number;
  /** Also start these services (default: Tables only). */
  services?: Array<"blob" | "queue">;
  /**
   * Storage accounts to serve besides devstoreaccount1, with the same well-known key: each is a
   * namespace of its own (tables, queues, containers), so one Azurite can serve many tests.
   */
  accounts?: string[];
}

/** One account's connection details (see `AzuriteTables.account`). */
export interface AzuriteAccount {
  account: string;
  connectionString: string;
  tableEndpoint: string;
  blobEndpoint?: string;
  queueEndpoint?: string;
}

export interface AzuriteTables {
  /** Full connection string (account key, TableEndpoint); use with `allowInsecureConnection: true`. */
  connectionString: string;
  /** e.g. http://127.0.0.1:41234/devstoreaccount1 */
  tableEndpoint: string;
  /** Set when the Blob service was asked for. */
  blobEndpoint?: string;
  /** Set when the Queue service was asked for. */
  queueEndpoint?: string;
  port: number;
  /** The Azurite child process. */
  pid: number;
  /** Which way it was started (see the header). */
  mode: "server" | "bin";
  /** Milliseconds from the call to a listening server. */
  startMs: number;
  /** The connection details of another account it serves (`accounts`). */
  account(name: string): AzuriteAccount;
  /** Stops the server; idempotent; resolves once the process is gone. */
  close(): Promise<void>;
}

export function azuriteConnectionString(port: number, host = "127.0.0.1", more: { blob?: number; queue?: number } = {}, account = DEVSTORE_ACCOUNT): string {
  const at = (p: number) => `http://${host}:${p}/${account}`;
  return (
    `DefaultEndpointsProtocol=http;AccountName=${account};AccountKey=${DEVSTORE_KEY};` +
    (more.blob ? `BlobEndpoint=${at(more.blob)};` : "") +
    (more.queue ? `QueueEndpoint=${at(more.queue)};` : "") +
    `TableEndpoint=${at(port)};`
  );
}

export async function startAzurite(opts: AzuriteOptions = {}): Promise<AzuriteTables> {
  const t0 = performance.now();
  const silent = opts.silent ?? true;
  const timeoutMs = opts.startTimeoutMs ?? 20_000;
  const services = opts.services ?? [];
  const mode = services.length ? "server" : (opts.mode ?? "auto");
  let started: Started | undefined;
  if (mode !== "bin") {
    try {
      started = await startChild({ mode: "server", silent, timeoutMs, services, accounts: opts.accounts });
    } catch (e) {
      if (mode === "server" || !(e instanceof InternalsUnavailable)) throw e;
    }
  }
  if (!started) {
    let last: unknown;
    for (let attempt = 0; attempt < 3 && !started; attempt++) {
      try {
        started = await startChild({ mode: "bin", silent, timeoutMs, port: await freePort(), accounts: opts.accounts });
      } catch (e) {
        last = e;
        if (!(e instanceof ExitedEarly)) throw e;
      }
    }
    if (!started) throw last;
  }
  const { child, port, cleanup, mode: used, more } = started;
  const account = (name: string): AzuriteAccount => {
    const at = (p: number) => `http://127.0.0.1:${p}/${name}`;
    return {
      account: name,
      connectionString: azuriteConnectionString(port, "127.0.0.1", more, name),
      tableEndpoint: at(port),
      ...(more.blob ? { blobEndpoint: at(more.blob) } : {}),
      ...(more.queue ? { queueEndpoint: at(more.queue) } : {}),
    };
  };
  const { connectionString, tableEndpoint, blobEndpoint, queueEndpoint } = account(DEVSTORE_ACCOUNT);
  let closing: Promise<void> | undefined;
  return {
    connectionString,
    tableEndpoint,
    ...(blobEndpoint ? { blobEndpoint } : {}),
    ...(queueEndpoint ? { queueEndpoint } : {}),
    account,
    port,
    pid: child.pid!,
    mode: used,
    startMs: Math.round(performance.now() - t0),
    close: () => (closing ??= stop(child).finally(cleanup)),
  };
}

// ---------------------------------------------------------------------------

interface Started {
  child: ChildProcess;
  port: number;
  mode: "server" | "bin";
  more: { blob?: number; queue?: number };
  cleanup: () => void;
}

class InternalsUnavailable extends Error {}
class ExitedEarly extends Error {}

/** Runs inside the child (CommonJS, `node -e`). Settings come through the environment. */
const WRAPPER = String.raw`
"use strict";
process.title = "azurite-table (privatelink-autopilot " + process.env.PLA_AZURITE_MODE + " mode)";
const path = require("path");
const root = process.env.PLA_AZURITE_ROOT;
const silent = process.env.PLA_AZURITE_SILENT === "1";
process.on("exit", () => {
  const scratch = process.env.PLA_AZURITE_SCRATCH; // bin mode's workspace: ours alone
  if (scratch) try { require("fs").rmSync(scratch, { recursive: true, force: true }); } catch {}
});
process.on("disconnect", () => process.exit(0));
process.on("message", (m) => { if (m === "shutdown") process.exit(0); });
function serverMode() {
  let TableServer, TableConfiguration;
  try {
    TableServer = require(path.join(root, "dist/src/table/TableServer.js")).default;
    TableConfiguration = require(path.join(root, "dist/src/table/TableConfiguration.js")).default;
    if (typeof TableServer !== "function" || typeof TableConfiguration !== "function") throw new Error("not a class");
  } catch (e) {
    process.send({ kind: "internals-unavailable", message: String(e && e.message) }, () => process.exit(3));
    return;
  }
  // (host, port, keepAliveTimeout, metadataDBPath, enableDebugLog, enableAccessLog,
  //  accessLogWriteStream, debugLogFilePath, loose, skipApiVersionCheck, cert, key,
  //  pwd, oauth, disableProductStyleUrl, isMemoryPersistence)
  const config = new TableConfiguration("127.0.0.1", 0, 5, "__azurite_db_table__.json", false, !silent,
    undefined, undefined, false, true, "", "", "", undefined, false, true);
  const server = new TableServer(config);
  const more = {};
  const extra = (process.env.PLA_AZURITE_SERVICES || "").split(",").filter(Boolean).map((svc) => {
    // Same argument list for both, as Azurite's own main passes it; extents stay in memory.
    const Server = require(path.join(root, "dist/src/" + svc + "/" + (svc === "blob" ? "BlobServer" : "QueueServer") + ".js")).default;
    const Config = require(path.join(root, "dist/src/" + svc + "/" + (svc === "blob" ? "BlobConfiguration" : "QueueConfiguration") + ".js")).default;
    const s = new Server(new Config("127.0.0.1", 0, 5, "__azurite_db_" + svc + "__.json", "__azurite_db_" + svc + "_extent__.json",
      [{ locationId: "Default", locationPath: "__" + svc + "storage__", maxConcurrency: 1 }], !silent, undefined, false, undefined,
      false, true, "", "", "", undefined, false, true));
    return s.start().then(() => { more[svc] = s.httpServer.address().port; });
  });
  Promise.all([server.start(), ...extra]).then(
    () => process.send({ kind: "ready", port: server.httpServer.address().port, more }),
    (e) => process.send({ kind: "failed", message: String(e && e.message) }, () => process.exit(1)),
  );
}
function binMode() {
  const main = path.join(root, "dist/src/table/main.js");
  process.argv = [process.argv[0], main, ...JSON.parse(process.env.PLA_AZURITE_ARGS)];
  require(main);
}
if (process.env.PLA_AZURITE_MODE === "server") serverMode();
else binMode();
`;

/** Every child we started and have not seen exit (with its cleanup): killed when this process exits. */
const live = new Map<ChildProcess, () => void>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const [c, cleanup] of live) {
      c.kill("SIGKILL");
      try {
        cleanup();
      } catch {
        /* best effort while exiting */
      }
    }
  });
}

function azuriteRoot(): string {
  return dirname(createRequire(import.meta.url).resolve("azurite/package.json"));
}

async function startChild(o: {
  mode: "server" | "bin";
  silent: boolean;
  timeoutMs: number;
  port?: number;
  services?: string[];
  accounts?: string[];
}): Promise<Started> {
  installExitHook();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PLA_AZURITE_ROOT: azuriteRoot(),
    PLA_AZURITE_MODE: o.mode,
    PLA_AZURITE_SILENT: o.silent ? "1" : "0",
    PLA_AZURITE_SERVICES: (o.services ?? []).join(","),
  };
  // Azurite serves exactly the accounts listed here (none listed: devstoreaccount1 alone).
  if (o.accounts?.length) env.AZURITE_ACCOUNTS = [DEVSTORE_ACCOUNT, ...o.accounts].map((a) => `${a}:${DEVSTORE_KEY}`).join(";");
  else delete env.AZURITE_ACCOUNTS;
  delete env.NODE_OPTIONS; // no test-runner loaders in the child
  let location: string | undefined;
  if (o.mode === "bin") {
    location = mkdtempSync(join(tmpdir(), "azurite-")); // --location clashes with --inMemoryPersistence
    const args = ["--tableHost", "127.0.0.1", "--tablePort", String(o.port), "--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck"];
    if (o.silent) args.push("--silent");
    env.PLA_AZURITE_ARGS = JSON.stringify(args);
    env.PLA_AZURITE_SCRATCH = location;
  }
  const cleanup = () => {
    if (location) rmSync(location, { recursive: true, force: true });
  };
  const child = spawn(process.execPath, ["-e", WRAPPER], {
    env,
    stdio: ["ignore", o.silent ? "ignore" : "inherit", "pipe", "ipc"],
    // The CLI insists on a workspace folder (default: cwd) even in memory: give it a scratch one.
    ...(location ? { cwd: location } : {}),
    windowsHide: true,
  });
  live.set(child, cleanup);
  child.once("exit", () => live.delete(child));
  let stderr = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (d: string) => {
    stderr = (stderr + d).slice(-4000);
    if (!o.silent) process.stderr.write(d);
  });

  try {
    let more: Started["more"] = {};
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Azurite (${o.mode}) not listening after ${o.timeoutMs} ms${tail(stderr)}`)), o.timeoutMs);
      let probing = false;
      const done = (f: () => void) => {
        clearTimeout(timer);
        clearInterval(probe);
        child.off("exit", onExit);
        child.off("message", onMessage);
        f();
      };
      const onExit = (code: number | null, signal: string | null) =>
        done(() => reject(new ExitedEarly(`Azurite (${o.mode}) exited before listening (code ${code}, signal ${signal})${tail(stderr)}`)));
      const onMessage = (m: { kind?: string; port?: number; more?: Started["more"]; message?: string }) => {
        if (m?.kind === "ready" && typeof m.port === "number") done(() => ((more = m.more ?? {}), resolve(m.port!)));
        else if (m?.kind === "internals-unavailable") done(() => reject(new InternalsUnavailable(`Azurite internals not loadable: ${m.message}`)));
        else if (m?.kind === "failed") done(() => reject(new Error(`Azurite failed to start: ${m.message}${tail(stderr)}`)));
      };
      child.on("exit", onExit);
      child.on("message", onMessage);
      // The CLI says nothing over IPC: in bin mode, ready = Azurite answers on the port
      // (checked by its Server header, in case someone else grabbed the port meanwhile).
      const probe = setInterval(() => {
        if (o.mode !== "bin" || probing) return;
        probing = true;
        void answers(o.port!).then((ok) => {
          probing = false;
          if (ok && child.exitCode === null) done(() => resolve(o.port!));
        });
      }, 25);
    });
    // From here on the child must not keep this process alive (the exit hook and
    // the IPC-disconnect rule still end it).
    child.unref();
    (child.stderr as unknown as { unref?: () => void }).unref?.();
    (child.channel as unknown as { unref?: () => void } | undefined)?.unref?.();
    return { child, port, mode: o.mode, more, cleanup };
  } catch (e) {
    await stop(child);
    cleanup();
    throw e;
  }
}

function tail(s: string): string {
  const t = s.trim();
  return t ? `: ${t.slice(-1000)}` : "";
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
  await gone;
  clearTimeout(timer);
}

/** A port that was free a moment ago (bin mode only; the server mode binds port 0 itself). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpGet({ host: "127.0.0.1", port, path: `/${DEVSTORE_ACCOUNT}/Tables`, timeout: 500, agent: false }, (res) => {
      res.resume();
      resolve(String(res.headers.server ?? "").startsWith("Azurite-Table"));
    });
    req.once("error", () => resolve(false));
    req.once("timeout", () => req.destroy());
  });
}
