import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { runCli } from "../../cli/main.js";
import { REF, REFERENCE_ALLOW_LIST, referenceEstate } from "../helpers/referenceEstate.js";

const root = new URL("../../", import.meta.url).pathname;
const p = (rel: string) => join(root, rel);
const tmp = mkdtempSync(join(tmpdir(), "pla-cli-"));

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err, json: () => out.map((l) => JSON.parse(l)) };
}

const WEB_CONN =
  "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-shared/privateEndpointConnections/pe-web-kv.6f1f0e3a-4b8c-4d2e-9a57-0c1d2e3f4a5b";
const STRANGER_CONN =
  "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-shared/privateEndpointConnections/pe-stranger-kv.c0ffee00-1234-4abc-9def-0123456789ab";

describe("validate", () => {
  it("accepts the shipped allow-lists", async () => {
    for (const f of ["examples/allow-list.yaml", "sandbox/demo/allow-list.yaml"]) {
      const r = await cli("validate", p(f));
      expect(r.code, r.out.join("\n")).toBe(0);
      expect(r.out[0]).toMatch(/valid/);
    }
  });

  it("rejects a misspelt key with file:line and a suggestion", async () => {
    const file = join(tmp, "typo.yaml");
    writeFileSync(
      file,
      REFERENCE_ALLOW_LIST.replace("    - name: kv-consumers\n      requesterSubscriptions", "    - name: kv-consumers\n      requesterSubscription"),
    );
    const r = await cli("validate", file);
    expect(r.code).toBe(1);
    const line = REFERENCE_ALLOW_LIST.split("\n").findIndex((l) => l.includes("requesterSubscriptions: [00000000-0000-0000-1234")) + 1;
    expect(r.out.join("\n")).toContain(`${file}:${line}:`);
    expect(r.out.join("\n")).toMatch(/requesterSubscription.*did you mean 'requesterSubscriptions'/);
    const j = await cli("validate", "--json", file);
    expect(j.json()[0]).toMatchObject({ valid: false, problems: [expect.objectContaining({ line })] });
  });

  it("runs as the installed bin", async () => {
    // Both processes at once: each is a tsx cold start, mostly waiting on the disk and the loader.
    const bin = (file: string) => promisify(execFile)(process.execPath, [p("bin/privatelink-autopilot.js"), "validate", p(file)]);
    const [{ stdout }, bad] = await Promise.all([bin("examples/allow-list.yaml"), bin("examples/allow-list.broken.yaml").catch((e) => e)]);
    expect(stdout).toMatch(/valid/);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/allow-list\.broken\.yaml:\d+:\d+: /);
  }, 120_000); // two tsx cold starts; slow when the machine is loaded

  it("usage errors exit 2", async () => {
    expect((await cli("frobnicate")).code).toBe(2);
    expect((await cli("replay", "x.json")).code).toBe(2);
  });
});

describe("replay", () => {
  it("replays the mixed batch: approves the allow-listed endpoint only, ignores the unrelated events", async () => {
    const stateOut = join(tmp, "state.json");
    const r = await cli(
      "replay",
      "--config",
      p("sandbox/demo/allow-list.yaml"),
      "--estate",
      p("examples/estate.json"),
      "--state-out",
      stateOut,
      p("test/fixtures/events/mixed-batch.json"),
    );
    expect(r.code, r.err.join("\n")).toBe(0);
    const lines = r.json();
    for (const l of lines) expect(Object.keys(l)).toEqual(expect.arrayContaining(["event", "action", "resource", "reason", "rule"]));
    expect(lines.filter((l) => l.action === "approve")).toEqual([expect.objectContaining({ resource: WEB_CONN, rule: "corp-spokes", outcome: "applied" })]);
    expect(lines.filter((l) => l.action === "leave-pending").map((l) => l.resource)).toEqual([STRANGER_CONN, STRANGER_CONN, STRANGER_CONN]);
    expect(lines.filter((l) => l.action === "error")).toEqual([]);
    const state = JSON.parse(readFileSync(stateOut, "utf8"));
    const status = (id: string) =>
      state.resources.find((x: any) => x.id.toLowerCase() === id.toLowerCase()).properties.privateLinkServiceConnectionState.status;
    expect(status(WEB_CONN)).toBe("Approved");
    expect(status(STRANGER_CONN)).toBe("Pending");
  });

  it("replays real reference payloads (both schemas, string claims, lower-case resourcegroups) against the reference estate", async () => {
    const ref = (f: string) => JSON.parse(readFileSync(p(`test/fixtures/reference/eventgrid/${f}`), "utf8"));
    let n = 0;
    const retarget = (ev: any, id: string, op: string, stringClaims = false) => {
      const e = structuredClone(ev);
      e.id = `${ev.id}-${++n}`; // a new event, a new id (the same id is a duplicate)
      const lower = id.replace("/resourceGroups/", "/resourcegroups/");
      e.subject = lower;
      e.data.resourceUri = lower;
      e.data.operationName = op;
      if (stringClaims) e.data.claims = JSON.stringify(e.data.claims);
      return e;
    };
    const egWrite = ref("rest-api-specs-examples/event-grid-schema.resource_write_success.json");
    const ceWrite = ref("rest-api-specs-examples/cloud-events-schema.resource_write_success.json");
    const events = [
      retarget(egWrite, REF.kvConnection, "Microsoft.KeyVault/vaults/privateEndpointConnections/write", true),
      retarget(ceWrite, REF.plsEndpoint, "Microsoft.Network/privateEndpoints/write"),
      retarget(ceWrite, REF.redisEnterpriseConnection, "Microsoft.Cache/redisEnterprise/privateEndpointConnections/write", true),
      egWrite, // a Storage account outside managedScopes
      ref("rest-api-specs-examples/event-grid-schema.resource_write_failure.json"),
      ref("rest-api-specs-examples/cloud-events-schema.resource_action_success.json"),
      ref("rest-api-specs-examples/event-grid-schema.resource_delete_success.json"),
      ref("resource-notifications/event-grid-schema.HealthResources_AvailabilityStatusChanged.json"),
    ];
    const eventsFile = join(tmp, "ref-events.json");
    const estateFile = join(tmp, "ref-estate.json");
    const configFile = join(tmp, "ref-allow-list.yaml");
    writeFileSync(eventsFile, JSON.stringify(events));
    writeFileSync(estateFile, JSON.stringify(referenceEstate()));
    writeFileSync(configFile, REFERENCE_ALLOW_LIST);
    const r = await cli("replay", "--config", configFile, "--estate", estateFile, eventsFile);
    expect(r.code, r.err.join("\n")).toBe(0);
    const acted = r.json().filter((l) => l.action !== "ignore");
    expect(acted.map((l) => [l.action, l.resource, l.rule])).toEqual([
      ["approve", REF.kvConnection, "kv-consumers"],
      ["leave-pending", REF.plsPendingConnection, null],
      ["approve", REF.redisEnterpriseConnection, "redis-same-subscription"],
    ]);
    expect(r.json()).toHaveLength(events.length); // one decision per event here
  });

  it("replays real delete payloads (both schemas): the gone endpoint's record is found from DNS metadata and removed once", async () => {
    const estate = JSON.parse(readFileSync(p("examples/estate.json"), "utf8"));
    const pe = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-app-web/providers/Microsoft.Network/privateEndpoints/pe-web-kv";
    estate.resources = estate.resources.filter((r: any) => r.id !== pe && !r.id.includes("/networkInterfaces/pe-web-kv"));
    const zone =
      "/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net";
    estate.resources.push(
      {
        id: `${zone}/A/kv-shared`,
        type: "Microsoft.Network/privateDnsZones/A",
        properties: { ttl: 600, aRecords: [{ ipv4Address: "10.10.1.4" }], metadata: { managedBy: "privatelink-autopilot", owner: pe } },
      },
      { id: `${zone}/A/someone-else`, type: "Microsoft.Network/privateDnsZones/A", properties: { ttl: 600, aRecords: [{ ipv4Address: "10.10.1.9" }] } },
    );
    const estateFile = join(tmp, "estate-deleted.json");
    writeFileSync(estateFile, JSON.stringify(estate));
    const events = [
      ...JSON.parse(readFileSync(p("test/fixtures/events/pe-delete.eventgrid.json"), "utf8")),
      ...JSON.parse(readFileSync(p("test/fixtures/events/pe-delete.cloudevents.json"), "utf8")),
    ];
    const eventsFile = join(tmp, "deletes.json");
    writeFileSync(eventsFile, JSON.stringify(events));
    const stateOut = join(tmp, "after-delete.json");
    const r = await cli("replay", "--config", p("sandbox/demo/allow-list.yaml"), "--estate", estateFile, "--state-out", stateOut, eventsFile);
    expect(r.code, r.err.join("\n")).toBe(0);
    expect(r.json().map((l) => [l.action, l.outcome, l.record ?? null])).toEqual([
      ["dns-delete", "applied", "kv-shared"],
      ["ignore", "skipped", null],
    ]);
    const left = JSON.parse(readFileSync(stateOut, "utf8"))
      .resources.filter((x: any) => /\/A\//.test(x.id))
      .map((x: any) => x.name);
    expect(left).toEqual(["someone-else"]);
  });

  it("a broken allow-list approves nothing and exits 1", async () => {
    const r = await cli(
      "replay",
      "--config",
      p("examples/allow-list.broken.yaml"),
      "--estate",
      p("examples/estate.json"),
      p("test/fixtures/events/pe-write.eventgrid.json"),
    );
    expect(r.code).toBe(1);
    expect(r.json()).toEqual([expect.objectContaining({ action: "error", reason: expect.stringMatching(/allow-list is invalid/) })]);
    expect(r.err.join("\n")).toMatch(/allow-list\.broken\.yaml:\d+/);
  });

  it("a malformed events file is a clear error", async () => {
    const bad = join(tmp, "bad.json");
    writeFileSync(bad, "[{");
    const r = await cli("replay", "--config", p("sandbox/demo/allow-list.yaml"), "--estate", p("examples/estate.json"), bad);
    expect(r.code).toBe(1);
    expect(r.err.join("\n")).toMatch(/bad\.json is not valid JSON/);
  });
});

describe("reconcile", () => {
  it("sweeps an estate: approves the allow-listed request no event announced, prints the plan, then the totals", async () => {
    const r = await cli("reconcile", "--config", p("sandbox/demo/allow-list.yaml"), "--estate", p("examples/estate.json"));
    expect(r.code, r.err.join("\n")).toBe(0);
    const lines = r.json();
    const last = lines.at(-1);
    expect(last).toMatchObject({ complete: true, totals: expect.objectContaining({ approve: 1, "leave-pending": 1, "dns-create": 1 }) });
    expect(lines.filter((l) => l.action === "approve")).toEqual([
      expect.objectContaining({ resource: WEB_CONN, rule: "corp-spokes", event: `sweep:${last.runId}` }),
    ]);
    const dry = await cli("reconcile", "--config", p("sandbox/demo/allow-list.yaml"), "--estate", p("examples/estate.json"), "--dry-run");
    expect(
      dry
        .json()
        .filter((l) => l.outcome === "planned")
        .map((l) => l.action),
    ).toEqual(["approve", "dns-create"]);
  });
});

describe("explain", () => {
  it("explains an endpoint's connection: the rule, or why none matched", async () => {
    const stranger =
      "/subscriptions/99999999-9999-9999-9999-999999999999/resourceGroups/rg-stranger/providers/Microsoft.Network/privateEndpoints/pe-stranger-kv";
    const r = await cli("explain", "--config", p("sandbox/demo/allow-list.yaml"), "--estate", p("examples/estate.json"), "--json", stranger);
    expect(r.code).toBe(0);
    expect(r.json()).toEqual([
      expect.objectContaining({ action: "leave-pending", resource: STRANGER_CONN, reason: expect.stringMatching(/corp-spokes/) }),
      expect.objectContaining({ action: "dns-skip", reason: expect.stringMatching(/Pending: records are written once it is Approved/) }),
    ]);
    const w = await cli("explain", "--config", p("sandbox/demo/allow-list.yaml"), "--estate", p("examples/estate.json"), WEB_CONN);
    expect(w.out.join("\n")).toMatch(/^APPROVE .*\n {2}why: .*\n {2}rule: corp-spokes/);
    // An endpoint's explanation includes its DNS plan, as if the planned approval had happened.
    const web = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-app-web/providers/Microsoft.Network/privateEndpoints/pe-web-kv";
    const e = await cli("explain", "--config", p("sandbox/demo/allow-list.yaml"), "--estate", p("examples/estate.json"), "--json", web);
    expect(e.json().map((l) => [l.action, l.outcome, l.zone, l.record, l.ips])).toEqual([
      ["approve", "planned", undefined, undefined, undefined],
      ["dns-create", "planned", "privatelink.vaultcore.azure.net", "kv-shared", ["10.10.1.4"]],
    ]);
  });
});
