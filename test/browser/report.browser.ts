// The report in a real browser (issue 13): generate it for a sandbox estate with the CLI,
// open it in headless Chromium (Debian's `chromium`) and check the DOM Chromium built after
// loading it: the sections, the counts, the pending row, and that the script injected
// through a request message did not run. Not in `npm test` (a fresh machine has no
// Chromium): `npm run test:browser`, run by .ci/run.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/main.js";
import { writeReportSandbox } from "../report/fixture.js";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const run = promisify(execFile);

/** Flags from this machine's notes: no sandbox (root in CI), no GPU, no network chatter, a fresh profile. */
function flags(profile: string): string[] {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${profile}`,
  ];
}

describe("report in headless Chromium", () => {
  let dir: string;
  let page: string;
  let dom: string;
  let profile: string;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`);
    const sb = writeReportSandbox();
    dir = sb.dir;
    page = join(dir, "report.html");
    const err: string[] = [];
    const code = await runCli(["report", "--config", sb.config, "--estate", sb.estate, "--audit-file", sb.audit, "--out", page], {
      out: () => {},
      err: (l) => err.push(l),
    });
    if (code !== 0) throw new Error(`report failed: ${err.join("\n")}`);
    profile = mkdtempSync(join(tmpdir(), "report-chromium-"));
    // --dump-dom prints the DOM after the load event: what scripts (had any run) would have changed shows.
    const r = await run(CHROMIUM, [...flags(profile), "--dump-dom", pathToFileURL(page).href], { timeout: 90_000, maxBuffer: 32 * 1024 * 1024 });
    dom = r.stdout;
  }, 120_000);
  afterAll(() => {
    for (const d of [dir, profile]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it("shows the five sections", () => {
    for (const h of [
      "Connections by state and provider type",
      "Decisions over the last 14 day(s)",
      "DNS records owned and claimed per zone",
      "Requests pending longest",
      "Failures",
    ]) {
      expect(dom).toContain(`<h2>${h}</h2>`);
    }
  });

  it("shows the counts: 4 connections, 2 pending, 1 approved, the zone's 2 owned records, 1 failure", () => {
    expect(dom).toMatch(/data-figure="connections-total"><b>4<\/b>connections/);
    expect(dom).toMatch(/data-figure="state-Pending"><b>2<\/b>Pending/);
    expect(dom).toMatch(/data-figure="state-Approved"><b>1<\/b>Approved/);
    expect(dom).toMatch(/<td>privatelink\.vaultcore\.azure\.net<\/td><td class="id">[^<]*rg-dns<\/td><td class="n">2 /);
    expect(dom).toMatch(/data-figure="failures-total">1<\/b>/);
    expect(dom).toMatch(/<svg role="img" aria-label="decisions per day"[^>]*>[\s\S]*<rect /);
  });

  it("shows the longest-pending row first, its message as text", () => {
    const rows = [...dom.matchAll(/<tr class="pending-row">([\s\S]*?)<\/tr>/g)].map((m) => m[1]!);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain("pe-evil-kv.0badc0de");
    expect(rows[0]).toMatch(/<td>\d+ d<\/td>/);
    expect(rows[0]).toContain('&lt;script&gt;document.title="pwned"');
  });

  it("did not run the injected script: no script element, title and body untouched", () => {
    expect(dom).not.toMatch(/<script/i);
    expect(dom).not.toMatch(/<img/i);
    expect(dom).not.toContain("data-pwned=");
    expect(dom).toContain("<title>privatelink-autopilot report</title>");
  });

  it("renders to pixels (a screenshot of the page is written)", async () => {
    const shot = join(dir, "report.png");
    await run(CHROMIUM, [...flags(profile), "--window-size=1200,1600", `--screenshot=${shot}`, pathToFileURL(page).href], { timeout: 90_000 });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
  }, 120_000);
});
