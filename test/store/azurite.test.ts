import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connect } from "node:net";
import { transformSync } from "esbuild";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startAzurite, type AzuriteTables } from "../../sandbox/azurite.js";
import { openTable } from "../../shared/store/tables.js";

const started: AzuriteTables[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((a) => a.close()));
});
async function start(mode?: "server" | "bin"): Promise<AzuriteTables> {
  const a = await startAzurite({ mode });
  started.push(a);
  return a;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms = 5_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: "127.0.0.1" });
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

// The helper processes below run sandbox/azurite.ts as plain JavaScript (esbuild strips its
// types; it imports only node: modules), not through the tsx loader: tsx costs each helper
// about half a second of CPU at start, and the loader is not what these tests are about.
const nodeModules = fileURLToPath(new URL("../../node_modules", import.meta.url));
let scratch: string | undefined;
function launcherJs(): string {
  scratch ??= mkdtempSync(join(tmpdir(), "azurite-launcher-"));
  const file = join(scratch, "azurite.mjs");
  const ts = readFileSync(fileURLToPath(new URL("../../sandbox/azurite.ts", import.meta.url)), "utf8");
  writeFileSync(file, transformSync(ts, { loader: "ts", format: "esm", target: "node20" }).code);
  return file;
}
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("startAzurite", () => {
  it("two started in parallel are two separate, working servers", async () => {
    const [a, b] = await Promise.all([start(), start()]);
    console.log(`Azurite start: ${a.startMs} ms and ${b.startMs} ms in parallel (${a.mode} mode)`);
    expect(a.port).not.toBe(b.port);
    expect(a.connectionString).toBe(
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:${a.port}/devstoreaccount1;`,
    );
    expect(a.tableEndpoint).toBe(`http://127.0.0.1:${a.port}/devstoreaccount1`);
    const [ta, tb] = await Promise.all([openTable(a.connectionString, "same"), openTable(b.connectionString, "same")]);
    await ta.createEntity({ partitionKey: "p", rowKey: "r", where: "a" });
    await tb.createEntity({ partitionKey: "p", rowKey: "r", where: "b" });
    expect((await ta.getEntity<{ where: string }>("p", "r")).where).toBe("a");
    expect((await tb.getEntity<{ where: string }>("p", "r")).where).toBe("b");
  });

  it("close() stops the process and frees the port; closing twice is fine", async () => {
    const a = await start();
    expect(alive(a.pid)).toBe(true);
    await Promise.all([a.close(), a.close()]);
    await a.close();
    expect(await waitGone(a.pid)).toBe(true);
    expect(await portAnswers(a.port)).toBe(false);
  });

  it("the CLI fallback (bin mode) works too", async () => {
    const a = await start("bin");
    expect(a.mode).toBe("bin");
    console.log(`Azurite start (bin mode): ${a.startMs} ms`);
    const t = await openTable(a.connectionString, "binmode");
    await t.upsertEntity({ partitionKey: "p", rowKey: "r", v: 1 });
    expect((await t.getEntity<{ v: number }>("p", "r")).v).toBe(1);
    await a.close();
    expect(await waitGone(a.pid)).toBe(true);
  });

  // A process that never calls close(), or is killed outright, must not leave Azurite behind.
  // (The wrapper's exit-on-IPC-disconnect rule is the same in both modes.)
  for (const [how, mode] of [
    ["exits without close()", "server"],
    ["is SIGKILLed", "bin"],
  ] as const) {
    it.concurrent(`leaves no Azurite behind when its process ${how} (${mode} mode)`, async () => {
      const script = `
        const { startAzurite } = await import(${JSON.stringify(launcherJs())});
        const a = await startAzurite({ mode: ${JSON.stringify(mode)} });
        console.log(JSON.stringify({ pid: a.pid, port: a.port }));
        ${how === "is SIGKILLed" ? "setInterval(() => {}, 1000);" : ""}
      `;
      const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
        stdio: ["ignore", "pipe", "inherit"],
        env: { ...process.env, NODE_OPTIONS: "", NODE_PATH: nodeModules }, // where the launcher finds the azurite package
      });
      const line = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
          if (out.includes("\n")) resolve(out.split("\n")[0]!);
        });
        child.once("exit", (code) => reject(new Error(`helper exited (${code}) before printing: ${out}`)));
      });
      const { pid, port } = JSON.parse(line) as { pid: number; port: number };
      expect(alive(pid)).toBe(true);
      if (how === "is SIGKILLed") child.kill("SIGKILL");
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once("exit", r)));
      expect(await waitGone(pid)).toBe(true);
      expect(await portAnswers(port)).toBe(false);
    });
  }
});
