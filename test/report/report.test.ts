// `privatelink-autopilot report` (issue 13): the figures from a sandbox estate and its audit
// trail, the page's escaping of consumer-written text, and that the page loads nothing.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatherReport } from "../../cli/report.js";
import { runCli } from "../../cli/main.js";
import { loadConfigFile } from "../../shared/config/sources/files.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import { reportFigures, type ReportFigures } from "../../shared/report/figures.js";
import { esc, renderReport } from "../../shared/report/html.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { EVIL_CONN, INJECTION, NOW, reportAudit, reportEstate, writeReportSandbox, ZONE } from "./fixture.js";

const root = new URL("../../", import.meta.url).pathname;

describe("report figures", () => {
  let local: LocalArm;
  let figures: ReportFigures;
  beforeAll(async () => {
    local = await startLocalArm(reportEstate(), { throttle: false });
    const config = await loadConfigFile(join(root, "sandbox/demo/allow-list.yaml"));
    if (!config.ok) throw new Error("demo allow-list invalid");
    const autopilot = new Autopilot({ arm: local.arm, config, log: { debug() {}, info() {}, warn() {}, error() {} }, dryRun: true });
    figures = await gatherReport({ autopilot, arm: local.arm, config: config.config, days: 7, now: NOW, audit: reportAudit() });
  });
  afterAll(async () => local?.close());

  it("counts connections by state and provider type", () => {
    expect(figures.connections.total).toBe(4);
    expect(figures.connections.byState).toEqual({ Pending: 2, Approved: 1, Rejected: 1 });
    expect(figures.connections.byProvider).toEqual([{ provider: "Microsoft.KeyVault/vaults", total: 4, byState: { Pending: 2, Approved: 1, Rejected: 1 } }]);
  });

  it("counts records owned, claimed and foreign per zone with the deployment's owner id", () => {
    expect(figures.zones).toEqual([{ zone: ZONE, resourceGroupId: expect.stringMatching(/rg-dns$/), owned: 2, claimed: 1, claimants: 1, foreign: 1 }]);
  });

  it("charts the window's decisions per day and lists failures newest first", () => {
    const d = figures.decisions!;
    expect(d.perDay.map((p) => p.day)).toEqual(["2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30"]);
    expect(d.total).toBe(6); // the 40-day-old row is outside the window
    expect(d.perDay.find((p) => p.day === "2026-11-26")!.counts).toMatchObject({ approve: 1, dns: 1 });
    expect(d.perDay.find((p) => p.day === "2026-11-29")).toMatchObject({ counts: { dns: 1 }, failed: 1 });
    expect(figures.failures).toEqual([
      {
        time: "2026-11-29T12:00:00.000Z",
        resource: expect.stringContaining("pe-api-kv"),
        action: "dns-update",
        reason: expect.stringContaining("429 TooManyRequests"),
      },
    ]);
  });

  it("puts the request waiting longest first, aged from the trail's first leave-pending row", () => {
    expect(figures.pendingTotal).toBe(2);
    expect(figures.pending[0]).toMatchObject({ connection: EVIL_CONN, ageSeconds: 3 * 86_400, message: INJECTION, plan: "leave-pending" });
    expect(figures.pending[1]!.ageSeconds).toBeUndefined(); // the partner's request: no trail row, age unknown
  });

  it("without a trail shows no decision chart rather than an empty one", () => {
    const f = reportFigures({
      now: NOW,
      days: 3,
      connections: [],
      zones: [],
      pending: [],
      readErrors: [{ resource: "/subscriptions/x", reason: "403 AuthorizationFailed" }],
    });
    expect(f.decisions).toBeUndefined();
    expect(f.failures).toEqual([{ resource: "/subscriptions/x", action: "read", reason: "403 AuthorizationFailed" }]);
    expect(renderReport(f)).toContain("No audit trail was read");
  });
});

describe("report page", () => {
  const figures = () =>
    reportFigures({
      now: NOW,
      days: 2,
      connections: [{ targetType: "microsoft.keyvault/VAULTS", status: "Pending" }],
      zones: [{ zone: "z<i>", resourceGroupId: "/subscriptions/s/resourceGroups/rg", recordSets: [] }],
      audit: [
        { time: NOW.toISOString(), trigger: "t", resource: '/r"><script>alert(1)</script>', action: "error", reason: "<script>x</script>", outcome: "failed" },
      ],
      pending: [
        {
          connection: "/c/<b>x</b>",
          target: "/t",
          targetType: "Microsoft.KeyVault/vaults",
          message: INJECTION,
          requester: "/pe/'\"&",
          plan: "leave-pending",
          why: "no rule <em>",
          closestRule: "r<1>",
        },
      ],
      readErrors: [],
    });

  it("shows a request message containing <script> as text, and every consumer string escaped", () => {
    const html = renderReport(figures());
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain(esc(INJECTION));
    expect(html).toContain("&lt;script&gt;document.title=&quot;pwned&quot;");
    expect(html).toContain("/pe/&#39;&quot;&amp;");
    expect(html).toContain("z&lt;i&gt;");
    expect(html).not.toContain("<em>");
    expect(html).not.toContain("<b>x</b>");
  });

  it("is self-contained: no script, no URL loaded, a CSP that forbids fetching", () => {
    const html = renderReport(figures());
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<[^>]*\s(src|href|xlink:href)\s*=/i); // in a tag, not in escaped text
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).toMatch(/<svg role="img" aria-label="connections by provider type and state"/);
  });

  it("names provider types canonically", () => {
    expect(figures().connections.byProvider[0]!.provider).toBe("Microsoft.KeyVault/vaults");
  });
});

describe("report CLI", () => {
  it("writes the page for a sandbox estate and its audit file, read-only", async () => {
    const sb = writeReportSandbox();
    const out = join(sb.dir, "report.html");
    const lines: string[] = [];
    const err: string[] = [];
    const code = await runCli(["report", "--config", sb.config, "--estate", sb.estate, "--audit-file", sb.audit, "--out", out, "--json"], {
      out: (l) => lines.push(l),
      err: (l) => err.push(l),
    });
    expect(code, err.join("\n")).toBe(0);
    const html = readFileSync(out, "utf8");
    for (const h of [
      "Connections by state and provider type",
      "Decisions over the last 14 day(s)",
      "DNS records owned and claimed per zone",
      "Requests pending longest",
      "Failures",
    ])
      expect(html).toContain(`${h}</h2>`);
    expect(html).not.toMatch(/<script/i);
    const f = JSON.parse(lines[0]!) as ReportFigures;
    expect(f.connections.total).toBe(4);
    expect(f.pending[0]!.connection).toBe(EVIL_CONN);
    expect(readFileSync(sb.estate, "utf8")).toBe(JSON.stringify(reportEstate())); // the estate file is untouched
  });

  it("refuses bad arguments with a usage error and writes nothing", async () => {
    const err: string[] = [];
    const io = { out: () => {}, err: (l: string) => err.push(l) };
    expect(await runCli(["report", "--config", "x.yaml"], io)).toBe(2);
    expect(await runCli(["report", "--config", "x.yaml", "--out", "/tmp/never.html", "--days", "0"], io)).toBe(2);
    expect(err.join("\n")).toMatch(/--out <report.html>.*required[\s\S]*--days must be a whole number/);
  });
});
