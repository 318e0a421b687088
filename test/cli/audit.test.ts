// `privatelink-autopilot audit` end to end against Azurite.
import { createServer } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { azuriteConnectionString, DEVSTORE_KEY } from "../../sandbox/azurite.js";
import { sharedAzurite, type SharedAzurite } from "../helpers/sharedAzurite.js";
import { formatTable, parseSince, runAudit, shortResource } from "../../cli/audit.js";
import { UsageError, type CliIo } from "../../cli/main.js";
import { TableAuditLog, type AuditEntry } from "../../shared/store/audit/index.js";
import { APP_TABLE } from "../../shared/runtime/settings.js";
import { tableClient } from "../../shared/store/tables.js";
import { conn, entry, pe } from "../store/audit/auditLogContract.js";

let azurite: SharedAzurite;

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l) };
  return { cli, out, err };
}

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const o = io();
  const code = await runAudit(args, o.cli, env);
  return { code, out: o.out, err: o.err };
}

const now = Date.now();
const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
let written: AuditEntry[];

beforeAll(async () => {
  azurite = await sharedAzurite();
});

describe("runAudit against Azurite", () => {
  it("before the app wrote anything (no table yet): nothing to show, exit 0", async () => {
    const r = await run(["--connection-string", azurite.connectionString]);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([]);
    expect(r.err).toEqual(["no audit entries match"]);
    expect((await run(["--json", "--connection-string", azurite.connectionString])).out).toEqual([]);
  });

  it("prints an aligned table, newest first", async () => {
    written = [
      entry(ago(10), { action: "approve", rule: "team-a", reason: "matched rule team-a", trigger: "evt-3", correlationId: "corr-3" }),
      entry(ago(120), {
        action: "dns-create",
        resource: pe("pe-kv1"),
        reason: "A record for the endpoint",
        outcome: "applied",
        zone: "privatelink.vaultcore.azure.net",
        record: "kv1",
        ips: ["10.1.0.4"],
        trigger: "evt-2",
      }),
      entry(ago(3 * 24 * 60), {
        action: "dns-update",
        resource: pe("pe-kv1"),
        reason: "write\nfailed",
        outcome: "failed",
        error: "429 Too Many Requests",
        trigger: "sweep:run-1",
      }),
    ];
    await new TableAuditLog(tableClient(azurite.connectionString, APP_TABLE)).record(written);

    const r = await run(["--connection-string", azurite.connectionString]);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    expect(r.out).toHaveLength(4);
    const [header, ...lines] = r.out;
    expect(header).toMatch(/^TIME +ACTION +OUTCOME +RESOURCE +RULE \/ REASON$/);
    // Columns line up: each column starts at the header's offset.
    for (const col of ["ACTION", "OUTCOME", "RESOURCE", "RULE / REASON"]) {
      const x = header!.indexOf(col);
      for (const l of lines) expect(l[x - 1]).toBe(" ");
      for (const l of lines) expect(l[x]).not.toBe(" ");
    }
    expect(lines[0]).toContain(ago(10).replace(/\.\d{3}Z$/, "Z"));
    expect(lines[0]).toMatch(/approve +applied +rg-data\/st1\/c1 +\[team-a\] matched rule team-a$/);
    expect(lines[1]).toMatch(/dns-create +applied +rg-app\/pe-kv1 +A record for the endpoint \(kv1\.privatelink\.vaultcore\.azure\.net A 10\.1\.0\.4\)$/);
    expect(lines[2]).toMatch(/dns-update +failed +rg-app\/pe-kv1 +write failed — error: 429 Too Many Requests$/);
  });

  it("--json prints one full entry per line", async () => {
    const r = await run(["--json", "--connection-string", azurite.connectionString]);
    expect(r.code).toBe(0);
    expect(r.out.map((l) => JSON.parse(l))).toEqual(written);
  });

  it("--since (duration or ISO), --resource (any case), --action and --limit narrow the answer", async () => {
    const cs = ["--connection-string", azurite.connectionString, "--json"];
    const reasons = async (args: string[]) => (await run([...args, ...cs])).out.map((l) => (JSON.parse(l) as AuditEntry).action);
    expect(await reasons(["--since", "30m"])).toEqual(["approve"]);
    expect(await reasons(["--since", "24h"])).toEqual(["approve", "dns-create"]);
    expect(await reasons(["--since", "7d"])).toEqual(["approve", "dns-create", "dns-update"]);
    expect(await reasons(["--since", ago(121)])).toEqual(["approve", "dns-create"]);
    expect(await reasons(["--resource", pe("PE-KV1").toUpperCase()])).toEqual(["dns-create", "dns-update"]);
    expect(await reasons(["--resource", conn("c1")])).toEqual(["approve"]);
    expect(await reasons(["--action", "dns-update"])).toEqual(["dns-update"]);
    expect(await reasons(["--action", "revoke"])).toEqual([]);
    expect(await reasons(["--limit", "2"])).toEqual(["approve", "dns-create"]);
    expect(await reasons(["--resource", pe("pe-kv1"), "--since", "1d", "--limit", "5"])).toEqual(["dns-create"]);
  });

  it("reads the connection from AzureWebJobsStorage when --connection-string is absent", async () => {
    const r = await run(["--json", "--limit", "1"], { AzureWebJobsStorage: azurite.connectionString });
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    // --connection-string wins over the environment.
    const r2 = await run(["--json", "--limit", "1", "--connection-string", azurite.connectionString], { AzureWebJobsStorage: "UseDevelopmentStorage=true" });
    expect(r2.out).toHaveLength(1);
  });

  it("exit 1 with a clear message (and no account key) when storage is unreachable", async () => {
    const port = await closedPort();
    const r = await run(["--connection-string", azuriteConnectionString(port)]);
    expect(r.code).toBe(1);
    expect(r.out).toEqual([]);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(
      new RegExp(`^error: cannot read the audit trail from table privatelinkautopilot at http://127\\.0\\.0\\.1:${port}/devstoreaccount1: .*ECONNREFUSED`),
    );
    expect(r.err[0]).not.toContain(DEVSTORE_KEY);
  });

  it("exit 1 when the account key is wrong", async () => {
    const bad = azurite.connectionString.replace(DEVSTORE_KEY, Buffer.from("not the key").toString("base64"));
    const r = await run(["--connection-string", bad]);
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/^error: cannot read the audit trail .*HTTP 403/);
  });

  it("usage errors throw UsageError (runCli turns them into exit 2)", async () => {
    const cs = ["--connection-string", azurite.connectionString];
    for (const args of [
      ["--since", "yesterday", ...cs],
      ["--since", "7", ...cs],
      ["--limit", "0", ...cs],
      ["--limit", "ten", ...cs],
      ["--limit", "-3", ...cs],
      ["--resource", " ", ...cs],
      ["--frobnicate", ...cs],
      ["positional", ...cs],
      ["--connection-string", ""],
      ["--connection-string", "this is not a connection string"],
      [], // nothing configured
    ]) {
      await expect(run(args), JSON.stringify(args)).rejects.toThrow(UsageError);
    }
  });
});

describe("audit formatting helpers", () => {
  it("parseSince takes durations and ISO times", () => {
    const at = new Date("2025-06-10T00:00:00.000Z");
    expect(parseSince("30m", at).toISOString()).toBe("2025-06-09T23:30:00.000Z");
    expect(parseSince("24h", at).toISOString()).toBe("2025-06-09T00:00:00.000Z");
    expect(parseSince("7d", at).toISOString()).toBe("2025-06-03T00:00:00.000Z");
    expect(parseSince("2025-06-01T12:00:00Z", at).toISOString()).toBe("2025-06-01T12:00:00.000Z");
    expect(parseSince("2025-06-01", at).toISOString()).toBe("2025-06-01T00:00:00.000Z");
    expect(() => parseSince("last week", at)).toThrow(UsageError);
  });

  it("shortResource keeps the resource group and names; other strings stay; long ones are cut in the middle", () => {
    expect(shortResource(conn("pe1.abc"))).toBe("rg-data/st1/pe1.abc");
    expect(shortResource(pe("pe1"))).toBe("rg-app/pe1");
    expect(shortResource("explain")).toBe("explain");
    const long = shortResource(pe("p".repeat(200)));
    expect(long).toHaveLength(60);
    expect(long).toMatch(/^rg-app\/p+…p+$/);
  });

  it("formatTable cuts long reasons to one line", () => {
    const [, line] = formatTable([entry("2025-06-01T10:00:00.000Z", { reason: "why ".repeat(200) })]);
    expect(line!.endsWith("…")).toBe(true);
    expect(line!.length).toBeLessThan(300);
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
