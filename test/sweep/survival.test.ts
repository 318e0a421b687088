// The sweep never dies of one failure (issue 10): a configured zone that does not
// exist, a subscription the identity cannot read (403) and a provider namespace the
// subscription never registered (409 MissingSubscriptionRegistration) each become an
// `error` decision naming what failed and why, in the report and the audit trail,
// while every other unit still runs.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ArmResource } from "../../sandbox/estate.js";
import { Runtime } from "../../shared/runtime/runtime.js";
import { silentLogger } from "../../shared/model/decision.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { runCli } from "../../cli/main.js";
import { allowList, VAULT_ZONE } from "../helpers/allowList.js";

const PROVIDER = "22222222-2222-2222-2222-222222222222";
const CONSUMER = "11111111-1111-1111-1111-111111111111";
const UNREADABLE = "44444444-4444-4444-4444-444444444444";
const HUB_RG = "/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-dns";
const ZONE = (z: string) => `${HUB_RG}/providers/Microsoft.Network/privateDnsZones/${z}`;
const VAULTS = ZONE("privatelink.vaultcore.azure.net");
const target = (type: string, n: string) => `/subscriptions/${PROVIDER}/resourceGroups/rg-shared/providers/${type}/${n}`;
const KV = (n: string) => target("Microsoft.KeyVault/vaults", n);
const ST = (n: string) => target("Microsoft.Storage/storageAccounts", n);
const PE = (sub: string, n: string) => `/subscriptions/${sub}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/${n}`;

function endpoint(sub: string, name: string, provider: string, fqdn: string, status: string, ip: string, groupId = "vault"): ArmResource[] {
  const id = PE(sub, name);
  const state = { status, description: "please", actionsRequired: "None" };
  return [
    {
      id,
      type: "Microsoft.Network/privateEndpoints",
      location: "westeurope",
      properties: {
        provisioningState: "Succeeded",
        customDnsConfigs: [{ fqdn, ipAddresses: [ip] }],
        manualPrivateLinkServiceConnections: [
          { name: "l", properties: { privateLinkServiceId: provider, groupIds: [groupId], privateLinkServiceConnectionState: state } },
        ],
        networkInterfaces: [],
      },
    },
    {
      id: `${provider}/privateEndpointConnections/${name}.conn`,
      properties: { privateEndpoint: { id }, privateLinkServiceConnectionState: state, provisioningState: "Succeeded" },
    },
  ];
}

const record = (name: string, ip: string, owner: string): ArmResource => ({
  id: `${VAULTS}/A/${name}`,
  type: "Microsoft.Network/privateDnsZones/A",
  properties: { ttl: 600, aRecords: [{ ipv4Address: ip }], metadata: { managedBy: "privatelink-autopilot", owner } },
});

function estate(): ArmResource[] {
  return [
    ...["kv-a", "kv-b"].map((n) => ({ id: KV(n), type: "Microsoft.KeyVault/vaults", location: "westeurope", properties: {} })),
    { id: ST("stacct"), type: "Microsoft.Storage/storageAccounts", location: "westeurope", properties: {} },
    { id: VAULTS, type: "Microsoft.Network/privateDnsZones", location: "global", properties: {} },
    // (privatelink.blob.core.windows.net is configured but does not exist.)
    ...endpoint(CONSUMER, "pe-a", KV("kv-a"), "kv-a.vault.azure.net", "Pending", "10.1.0.4"),
    // From the subscription the identity cannot read: approvable from the provider side all the same.
    ...endpoint(UNREADABLE, "pe-b", KV("kv-b"), "kv-b.vault.azure.net", "Pending", "10.2.0.4"),
    // Its record would live in the missing zone.
    ...endpoint(CONSUMER, "pe-st", ST("stacct"), "stacct.blob.core.windows.net", "Approved", "10.1.0.9", "blob"),
    // An orphan (its endpoint is gone from a readable subscription) and a record of the unreadable one.
    record("kv-old", "10.9.0.1", PE(CONSUMER, "pe-gone")),
    record("kv-u", "10.2.0.7", PE(UNREADABLE, "pe-u")),
  ];
}

const ALLOW = allowList({ requesters: [CONSUMER, UNREADABLE], zones: [VAULT_ZONE, "privatelink.blob.core.windows.net"] });

let local: LocalArm | undefined;
let dir: string | undefined;
afterEach(async () => {
  await local?.close();
  local = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function injectRefusals(l: LocalArm) {
  l.emulator.injectFault({
    pathIncludes: `/subscriptions/${UNREADABLE}/`,
    status: 403,
    code: "AuthorizationFailed",
    count: 1000,
    message: `The client 'app' does not have authorization to perform action 'Microsoft.Network/privateEndpoints/read' over scope '/subscriptions/${UNREADABLE}'.`,
  });
  l.emulator.injectFault({
    method: "GET",
    pathIncludes: `/subscriptions/${PROVIDER}/providers/Microsoft.Cache/`,
    status: 409,
    code: "MissingSubscriptionRegistration",
    count: 1000,
    message: "The subscription is not registered to use namespace 'Microsoft.Cache'. See https://aka.ms/rps-not-found for how to register subscriptions.",
  });
}

const status = (l: LocalArm, conn: string) => l.emulator.getResource(conn)?.properties?.privateLinkServiceConnectionState?.status;
const records = (l: LocalArm) =>
  Object.fromEntries(
    l.emulator
      .snapshot()
      .resources.filter((r) => r.type === "Microsoft.Network/privateDnsZones/A")
      .map((r) => [r.name, r.properties!.aRecords.map((a: any) => a.ipv4Address).join()]),
  );

describe("a sweep with broken parts", () => {
  it("approves every allow-listed request, keeps the healthy zone in sync, and names each failure in its report and the audit trail", async () => {
    local = await startLocalArm({ resources: estate() }, { throttle: false });
    injectRefusals(local);
    dir = mkdtempSync(join(tmpdir(), "survival-"));
    writeFileSync(join(dir, "allow.yaml"), ALLOW);
    const rt = new Runtime({
      allowListPath: join(dir, "allow.yaml"),
      dryRun: false,
      identity: {},
      arm: local.arm.settings,
      subscriptions: [CONSUMER, UNREADABLE],
    });

    const report = await rt.sweep(silentLogger);
    expect(report.complete).toBe(true);
    // Every allow-listed Pending connection is approved, also the unreadable subscription's.
    expect([status(local, `${KV("kv-a")}/privateEndpointConnections/pe-a.conn`), status(local, `${KV("kv-b")}/privateEndpointConnections/pe-b.conn`)]).toEqual([
      "Approved",
      "Approved",
    ]);
    // The healthy zone is in sync: the new record written, the orphan removed, the unreadable subscription's record left alone.
    expect(records(local)).toEqual({ "kv-a": "10.1.0.4", "kv-u": "10.2.0.7" });

    const errors = report.decisions.filter((d) => d.action === "error");
    const named = (re: RegExp) => errors.find((d) => re.test(d.resource));
    expect(named(/privateDnsZones\/privatelink\.blob\.core\.windows\.net$/)).toMatchObject({
      outcome: "failed",
      reason: expect.stringMatching(/listing zone privatelink\.blob\.core\.windows\.net failed \(404/),
    });
    expect(named(new RegExp(`^/subscriptions/${UNREADABLE}$`))).toMatchObject({
      outcome: "failed",
      reason: expect.stringMatching(/private endpoints failed \(403 AuthorizationFailed\)/),
    });
    expect(named(/Microsoft\.Cache\/redisEnterprise$/)).toMatchObject({
      reason: expect.stringMatching(/Microsoft\.Cache is not registered.*MissingSubscriptionRegistration/),
    });
    // The endpoint whose record belongs in the missing zone fails alone, and says so.
    expect(report.decisions.find((d) => d.outcome === "failed" && d.dns?.zone === "privatelink.blob.core.windows.net" && d.action !== "error")).toMatchObject({
      error: expect.stringMatching(/does not exist/),
    });

    // The audit trail holds the approvals and every failure.
    const audit = await rt.audit.query({});
    const audited = (pred: (a: (typeof audit)[number]) => boolean) => audit.filter(pred).length;
    expect(audited((a) => a.action === "approve" && a.outcome === "applied")).toBe(2);
    for (const e of errors) expect(audited((a) => a.action === "error" && a.resource === e.resource)).toBe(1);

    // The next sweep does not ask for the unregistered namespace again (remembered for a day).
    local.emulator.clearCalls();
    const next = await rt.sweep(silentLogger);
    expect(local.emulator.calls.filter((c) => c.path.includes("/providers/Microsoft.Cache/"))).toEqual([]);
    expect(next.decisions.filter((d) => d.resource.includes("Microsoft.Cache/")).map((d) => [d.action, d.outcome])).toEqual([
      ["ignore", "skipped"],
      ["ignore", "skipped"],
    ]);
  });

  it("the reconcile CLI prints everything, approvals included, and only then exits 1", async () => {
    dir = mkdtempSync(join(tmpdir(), "survival-"));
    writeFileSync(join(dir, "allow.yaml"), ALLOW);
    writeFileSync(join(dir, "estate.json"), JSON.stringify({ resources: estate() }));
    const out: string[] = [];
    const code = await runCli(["reconcile", "--config", join(dir, "allow.yaml"), "--estate", join(dir, "estate.json"), "--subscriptions", CONSUMER], {
      out: (l) => out.push(l),
      err: () => {},
    });
    expect(code).toBe(1);
    const lines = out.map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.action === "approve" && l.outcome === "applied")).toHaveLength(2);
    expect(lines.find((l) => l.action === "error")).toMatchObject({ resource: ZONE("privatelink.blob.core.windows.net"), outcome: "failed" });
    expect(lines.at(-1)).toMatchObject({ complete: true });
  });
});
