// Minimal estates the long proof run (`npm run proof`) shrank its failures to, kept as
// fixed cases: each runs in well under a second and pins one promise of issue 8.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalArm } from "../../sandbox/localArm.js";
import type { AllowListModel, EndpointModel, EstateModel } from "./model.js";
import type { ViolationKind } from "./oracle.js";
import { runEstate, startProofArm } from "./run.js";

const ALLOW: AllowListModel = {
  scope: 0,
  unmatched: "leave-pending",
  revokeRemoved: false,
  rules: [],
  dropBeforeSweeps: [false, false, false],
  mode: "sync",
  dnsDryRun: false,
  registerWhen: "approved",
  zones: [true, true, true, true, true],
  deleteDisconnectedEndpoints: false,
  deleteStaleConnections: false,
};
const PE: EndpointModel = { sub: 0, rg: 0, target: 0, group: 0, state: "Pending", hijack: -1, noCustomDns: false, excluded: false };

function estate(e: Partial<Omit<EstateModel, "allow">> & { allow?: Partial<AllowListModel> }): EstateModel {
  return {
    targets: [{ kind: "kv", place: 0 }],
    endpoints: [],
    stale: [],
    records: [],
    ghosts: [],
    selfEvents: [],
    forgedDeletes: [],
    chaos: { steps: [], drop: [] },
    ...e,
    allow: { ...ALLOW, ...e.allow },
  };
}

let local: LocalArm;
beforeAll(async () => {
  local = await startProofArm();
});
afterAll(async () => local?.close());

async function violations(model: EstateModel, ...kinds: ViolationKind[]): Promise<string[]> {
  return (await runEstate(local, model)).violations.filter((v) => kinds.includes(v.kind)).map((v) => `${v.kind} [${v.order} ${v.step}]: ${v.detail}`);
}

describe("minimal estates from the proof run", () => {
  it("a plain estate keeps every promise (the harness itself can pass)", async () => {
    const m = estate({ endpoints: [PE], allow: { rules: [{ subs: [true, false, false], rgGlob: 0, idGlob: 0 }] } });
    expect((await runEstate(local, m)).violations).toEqual([]);
  });

  it("the harness sees an approval outside policy (the oracle can fail)", async () => {
    // A human approves by hand what no rule allows: not the app's doing, so no violation...
    const m = estate({ endpoints: [{ ...PE, state: "Approved-human" }] });
    expect(await violations(m, "approve-outside-policy")).toEqual([]);
    // ...and the oracle flags a Pending → Approved change it did not expect: model a rule-less
    // list with a connection the app must leave alone, then check the oracle's verdict directly.
    const { Oracle, Policy, observe } = await import("./oracle.js");
    const { materialize } = await import("./model.js");
    const w = materialize(estate({ endpoints: [PE] }));
    const before = observe(w.estate);
    const after = observe(structuredClone(w.estate));
    for (const c of after.conns.values()) c.status = "Approved";
    const o = new Oracle(w, "clean");
    o.step("forged", new Policy(w.model.allow, []), before, after, []);
    expect(o.violations.map((v) => v.kind)).toEqual(["approve-outside-policy"]);
  });

  it("a requester that writes 'Approved by privatelink-autopilot' into its request is not revoked as the app's own approval", async () => {
    const m = estate({ endpoints: [{ ...PE, state: "Approved-forged" }], allow: { revokeRemoved: true } });
    expect(await violations(m, "revoke-outside-policy")).toEqual([]);
  });

  it("dns.dryRun: an orphaned record of ours is reported, not deleted", async () => {
    const m = estate({ records: [{ target: 0, kind: "owned-endpoint", owner: 0 }], allow: { dnsDryRun: true } });
    expect(await violations(m, "dns-write-in-dry-run")).toEqual([]);
  });

  it("an endpoint listing another vault's FQDN in its customDnsConfigs never owns or claims that name", async () => {
    const m = estate({
      targets: [
        { kind: "kv", place: 0 },
        { kind: "kv", place: 0 },
      ],
      endpoints: [{ ...PE, target: 1, hijack: 0 }],
      allow: { registerWhen: "always" },
    });
    expect(await violations(m, "dns-name-outside-target")).toEqual([]);
  });
});

describe("second sweep changes nothing", () => {
  // Proof run, seed 20261201, estate #2193 (chaotic order): a Disconnected endpoint owns a Managed Redis
  // name that an approved endpoint also serves, and no event registered the second as a claimant. The
  // first sweep released the dead owner's records before the live endpoint claimed the name (endpoints
  // were visited in id order), so the hand-over waited for the second sweep.
  it("a dead owner's name goes to the live endpoint that claims it within one sweep (upsert-only)", async () => {
    const m = estate({
      targets: [{ kind: "amr", place: 0 }],
      endpoints: [
        { ...PE, state: "Disconnected" },
        { ...PE, state: "Approved-human" },
      ],
      records: [{ target: 0, kind: "owned-endpoint", owner: 0 }],
      allow: { mode: "upsert-only" },
      chaos: { steps: [], drop: [true, true, true, true] },
    });
    expect(await violations(m, "second-sweep-writes")).toEqual([]);
  });
});
