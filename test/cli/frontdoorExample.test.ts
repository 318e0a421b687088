// examples/frontdoor: Front Door's endpoint from a Microsoft-owned subscription is approved by
// its endpoint id; a look-alike elsewhere is not; a reject rule wins (issue 13), end to end
// through the CLI, the real SDK clients and the emulator.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../cli/main.js";

const root = new URL("../../", import.meta.url).pathname;
const p = (rel: string) => join(root, rel);
const SA = "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-web/providers/Microsoft.Storage/storageAccounts/stwebassets";
const conn = (n: string) => `${SA}/privateEndpointConnections/stwebassets.${n}`;

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err, json: () => out.map((l) => JSON.parse(l)) };
}

describe("examples/frontdoor", () => {
  it("validates", async () => {
    expect((await cli("validate", p("examples/frontdoor/allow-list.yaml"))).code).toBe(0);
  });

  it("explain names the rule that decided each request", async () => {
    const args = ["explain", "--config", p("examples/frontdoor/allow-list.yaml"), "--estate", p("examples/frontdoor/estate.json"), "--json"];
    const line = async (n: string) => (await cli(...args, conn(n))).json()[0];
    expect(await line("afd-1")).toMatchObject({ action: "approve", rule: "front-door-web", outcome: "planned" });
    expect(await line("lookalike-1")).toMatchObject({
      action: "leave-pending",
      rule: null,
      reason: expect.stringMatching(/requesterEndpointIds .* does not match/),
    });
    expect(await line("sandbox-1")).toMatchObject({ action: "reject", rule: "no-sandbox-subscription" });
  });

  it("a sweep approves Front Door, rejects by the reject rule, and leaves the look-alike pending", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "pla-afd-")), "state.json");
    const r = await cli("reconcile", "--config", p("examples/frontdoor/allow-list.yaml"), "--estate", p("examples/frontdoor/estate.json"), "--state-out", out);
    expect(r.code, r.err.join("\n")).toBe(0);
    const state = JSON.parse(readFileSync(out, "utf8")).resources as { id: string; properties: any }[];
    const status = (n: string) => state.find((x) => x.id.toLowerCase() === conn(n).toLowerCase())?.properties.privateLinkServiceConnectionState;
    expect(status("afd-1")).toMatchObject({ status: "Approved", description: expect.stringMatching(/rule 'front-door-web'/) });
    expect(status("sandbox-1")).toMatchObject({
      status: "Rejected",
      description: "Rejected by privatelink-autopilot (reject rule 'no-sandbox-subscription'). Request: please",
    });
    expect(status("lookalike-1")).toMatchObject({ status: "Pending" });
  });
});
