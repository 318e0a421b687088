// The admin's questions (issue 13): `pending` lists the connections waiting for a human,
// with the requester, the closest rule and what it missed; `explain` works against live
// Azure (here: the emulator reached through the app's own settings), read-only.
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/main.js";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import { listPending } from "../../shared/autopilot/pending.js";
import { Sweeper } from "../../shared/autopilot/sweep.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { ResourceInventory } from "../../shared/gateways/inventory.js";

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

describe("pending", () => {
  it("lists every Pending connection in the managed scopes with requester, closest rule and why, and writes nothing", async () => {
    const r = await cli("pending", "--config", p("examples/frontdoor/allow-list.yaml"), "--estate", p("examples/frontdoor/estate.json"), "--json");
    expect(r.code, r.err.join("\n")).toBe(0);
    const byId = new Map(r.json().map((x) => [x.connection, x]));
    expect(byId.size).toBe(3);
    expect(byId.get(conn("lookalike-1"))).toMatchObject({
      requester: expect.stringMatching(/^\/subscriptions\/99999999-.*\/privateEndpoints\//),
      requesterSubscription: "99999999-9999-9999-9999-999999999999",
      message: "afd-web-prod: origin stwebassets",
      plan: "leave-pending",
      closestRule: "front-door-web",
      why: expect.stringMatching(/^rule 'front-door-web': requesterEndpointIds .* does not match/),
    });
    expect(byId.get(conn("sandbox-1"))).toMatchObject({ plan: "reject", closestRule: "no-sandbox-subscription" });
    expect(byId.get(conn("afd-1"))).toMatchObject({ plan: "approve", closestRule: "front-door-web" });
    const human = await cli("pending", "--config", p("examples/frontdoor/allow-list.yaml"), "--estate", p("examples/frontdoor/estate.json"));
    expect(human.out.join("\n")).toMatch(
      /PENDING .*lookalike-1\n {2}requester: .*\n {2}age unknown \(no audit trail\)\n {2}message: .*\n {2}closest rule: front-door-web\n {2}why not: rule 'front-door-web': /,
    );
  });

  it("the closest rule is the one that matched the most criteria", async () => {
    const l = await startLocalArm(JSON.parse(readFileSync(p("examples/frontdoor/estate.json"), "utf8")), { throttle: false });
    try {
      const text = `approval:
  managedScopes: [/subscriptions/00000000-0000-0000-0000-0000000000aa]
  rules:
    - name: far
      requesterSubscriptions: [11111111-1111-1111-1111-111111111111]
    - name: near
      requesterSubscriptions: [99999999-9999-9999-9999-999999999999]
      requesterResourceGroups: [eafd-*]
      targetResourceIds: [/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/other/*]
`;
      const config = parseConfigText(text, "a.yaml");
      if (!config.ok) throw new Error("invalid");
      const autopilot = new Autopilot({ arm: l.arm, config, dryRun: true });
      const { ids } = await new Sweeper(autopilot, new ResourceInventory(l.arm)).managedTargets(config.config, "t");
      const seen = new Date("2026-11-30T00:00:00Z");
      const list = await listPending(
        autopilot,
        ids.map(([id]) => id),
        config.config,
        { now: new Date("2026-12-01T00:00:00Z"), firstSeen: async (id) => (id.endsWith("lookalike-1") ? seen : undefined) },
      );
      expect(list[0]).toMatchObject({
        connection: conn("lookalike-1"),
        ageSeconds: 86_400,
        firstSeen: seen.toISOString(),
        closestRule: "near",
        why: expect.stringMatching(/targetResourceIds/),
      });
      expect(l.emulator.calls.filter((c) => c.method !== "GET")).toEqual([]);
    } finally {
      await l.close();
    }
  });
});

describe("explain against live Azure (no --estate)", () => {
  let l: LocalArm;
  const saved = { ...process.env };
  beforeAll(async () => {
    l = await startLocalArm(JSON.parse(readFileSync(p("examples/frontdoor/estate.json"), "utf8")), { throttle: false });
    const ca = join(mkdtempSync(join(tmpdir(), "pla-live-")), "ca.pem");
    writeFileSync(ca, l.emulator.ca);
    // The same settings the Function and `reconcile` read: the ARM endpoint, its CA, the credential.
    Object.assign(process.env, {
      AZURE_ARM_ENDPOINT: l.emulator.url,
      AZURE_ARM_SCOPE: `${l.emulator.url}/.default`,
      AUTOPILOT_ARM_CA_FILE: ca,
      AUTOPILOT_ARM_STATIC_TOKEN: "t",
      AzureWebJobsStorage: "",
    });
  });
  afterAll(async () => {
    process.env = saved;
    await l?.close();
  });

  it("reads ARM through the app's settings and writes nothing", async () => {
    const r = await cli("explain", "--config", p("examples/frontdoor/allow-list.yaml"), "--json", conn("sandbox-1"));
    expect(r.code, r.err.join("\n")).toBe(0);
    expect(r.json()).toEqual([expect.objectContaining({ action: "reject", rule: "no-sandbox-subscription", outcome: "planned" })]);
    expect(l.emulator.calls.length).toBeGreaterThan(0);
    expect(l.emulator.calls.filter((c) => c.method !== "GET")).toEqual([]);
    expect(l.emulator.getResource(conn("sandbox-1"))?.properties?.privateLinkServiceConnectionState.status).toBe("Pending");
  });
});
