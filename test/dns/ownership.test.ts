// The ownership registry's metadata format and the pure plans built on it.
import { describe, expect, it } from "vitest";
import type { DesiredRecord } from "../../shared/dns/desired.js";
import { decodeOwnership, encodeOwnership, MAX_CLAIMANTS, MAX_VALUE_LENGTH } from "../../shared/dns/ownership.js";
import { planRecord } from "../../shared/dns/plan.js";
import { planRelease } from "../../shared/dns/release.js";

const pe = (n: string) => `/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/${n}`;
const desired = (owner: string, ips = ["10.0.0.4"], mode: DesiredRecord["mode"] = "sync"): DesiredRecord => ({
  zone: "privatelink.vaultcore.azure.net",
  zoneResourceGroupId: "/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-dns",
  recordName: "kv",
  ips,
  ttl: 600,
  mode,
  owner,
  source: "test",
});

describe("ownership metadata", () => {
  it("round-trips ids longer than a metadata value may be, splitting them over numbered keys", () => {
    const long = pe("x".repeat(400));
    const meta = encodeOwnership({ owner: long, claimants: [pe("b")] });
    expect(Object.values(meta).every((v) => v.length <= MAX_VALUE_LENGTH)).toBe(true);
    expect(Object.keys(meta)).toEqual(expect.arrayContaining(["managedBy", "owner", "owner_2", "owner_3", "claimant1"]));
    expect(Object.keys(meta).every((k) => !/[<>%&\\?/]/.test(k))).toBe(true);
    expect(decodeOwnership(meta)).toEqual({ owner: long, claimants: [pe("b")] });
  });

  it("is foreign without the marker, and keeps other people's keys when it rewrites its own", () => {
    expect(decodeOwnership({ owner: pe("a") })).toBeUndefined();
    expect(decodeOwnership(undefined)).toBeUndefined();
    const meta = encodeOwnership({ owner: pe("a"), claimants: [] }, { costCenter: "42", claimant3: "stale", owner_2: "stale" });
    expect(meta).toEqual({ costCenter: "42", managedBy: "privatelink-autopilot", owner: pe("a") });
  });

  it("records at most MAX_CLAIMANTS claimants", () => {
    const many = Array.from({ length: MAX_CLAIMANTS + 3 }, (_, i) => pe(`c${i}`));
    expect(decodeOwnership(encodeOwnership({ owner: pe("a"), claimants: many }))!.claimants).toHaveLength(MAX_CLAIMANTS);
  });
});

describe("planRecord", () => {
  const ours = (owner: string, ips: string[], claimants: string[] = []) => ({ etag: "e1", ttl: 600, ips, metadata: encodeOwnership({ owner, claimants }) });

  it("creates, skips, updates with If-Match, and never touches a foreign record", () => {
    expect(planRecord(desired(pe("a")), undefined)).toMatchObject({ action: "dns-create", write: { kind: "create" } });
    expect(planRecord(desired(pe("a")), ours(pe("A").toUpperCase(), ["10.0.0.4"]))).toMatchObject({ action: "dns-skip", reason: "record is up to date" });
    expect(planRecord(desired(pe("a"), ["10.0.0.5"]), ours(pe("a"), ["10.0.0.4"]))).toMatchObject({
      action: "dns-update",
      write: { kind: "update", ifMatch: "e1", ips: ["10.0.0.5"] },
    });
    expect(planRecord(desired(pe("a"), ["10.0.0.5"], "create-only"), ours(pe("a"), ["10.0.0.4"]))).toMatchObject({
      action: "dns-skip",
      reason: expect.stringMatching(/create-only forbids updates/),
    });
    const foreign = planRecord(desired(pe("a")), { etag: "x", ttl: 60, ips: ["1.2.3.4"], metadata: {} });
    expect(foreign).toMatchObject({ action: "dns-conflict" });
    expect(foreign.write).toBeUndefined();
  });

  it("keeps the owner and records a second endpoint as claimant, once", () => {
    const step = planRecord(desired(pe("b"), ["10.0.0.9"]), ours(pe("a"), ["10.0.0.4"]));
    expect(step).toMatchObject({ action: "dns-conflict", heldBy: pe("a"), write: { ips: ["10.0.0.4"], ifMatch: "e1" } });
    expect(decodeOwnership(step.write!.metadata)).toEqual({ owner: pe("a"), claimants: [pe("b")] });
    expect(planRecord(desired(pe("b")), ours(pe("a"), ["10.0.0.4"], [pe("b")])).write).toBeUndefined();
  });
});

describe("planRelease", () => {
  const zone = { ttl: 600, mode: "sync" as const };
  const rec = (owner: string, claimants: string[] = []) => ({ etag: "e1", ttl: 600, ips: ["10.0.0.4"], metadata: encodeOwnership({ owner, claimants }) });

  it("deletes with If-Match when no claimant waits; hands over to the first live claimant and drops dead ones", () => {
    expect(planRelease(pe("a"), zone, rec(pe("a")))).toMatchObject({ action: "dns-delete", delete: { ifMatch: "e1" } });
    const h = planRelease(pe("a"), zone, rec(pe("a"), [pe("dead"), pe("b"), pe("c")]), { endpointId: pe("b"), ips: ["10.0.0.7"] }, [pe("dead")]);
    expect(h).toMatchObject({ action: "dns-handover", newOwner: pe("b"), write: { ips: ["10.0.0.7"], ifMatch: "e1" } });
    expect(decodeOwnership(h.write!.metadata)).toEqual({ owner: pe("b"), claimants: [pe("c")] });
  });

  it("withdraws a claimant, leaves other owners and foreign records alone, and honours modes", () => {
    const w = planRelease(pe("b"), zone, rec(pe("a"), [pe("b")]));
    expect(w).toMatchObject({ action: "dns-update", write: { ips: ["10.0.0.4"] } });
    expect(decodeOwnership(w.write!.metadata)).toEqual({ owner: pe("a"), claimants: [] });
    expect(planRelease(pe("b"), zone, rec(pe("a")))).toMatchObject({ action: "dns-skip" });
    expect(planRelease(pe("a"), zone, { etag: "x", ips: [], metadata: {} })).toMatchObject({
      action: "dns-skip",
      reason: expect.stringMatching(/no privatelink-autopilot marker/),
    });
    expect(planRelease(pe("a"), { ttl: 600, mode: "upsert-only" }, rec(pe("a")))).toMatchObject({ action: "dns-skip", suppressed: true });
    expect(planRelease(pe("a"), { ttl: 600, mode: "create-only" }, rec(pe("a"), [pe("b")]), { endpointId: pe("b"), ips: ["1.1.1.1"] })).toMatchObject({
      action: "dns-skip",
      suppressed: true,
    });
  });
});
