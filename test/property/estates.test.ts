// The safety proof in `npm test`: random estates and allow-lists (fast-check, fixed
// seed), each replayed in a clean and a chaotic order and swept twice, judged by an
// independent oracle (test/property/oracle.ts). `npm run proof -- --runs 10000` runs
// the long version and shrinks each failure to a minimal estate.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalArm } from "../../sandbox/localArm.js";
import { estateArb, type EstateModel } from "./model.js";
import type { Violation, ViolationKind } from "./oracle.js";
import { runEstate, startProofArm } from "./run.js";

const RUNS = Number(process.env.PROOF_RUNS ?? 20);
const SEED = Number(process.env.PROOF_SEED ?? 20261201);

let local: LocalArm;
const found: { model: EstateModel; violation: Violation }[] = [];
let estates = 0;

beforeAll(async () => {
  local = await startProofArm();
  for (const model of fc.sample(estateArb, { numRuns: RUNS, seed: SEED })) {
    for (const violation of (await runEstate(local, model)).violations) found.push({ model, violation });
    estates++;
  }
}, 300_000);
afterAll(async () => local?.close());

/** The violations of these kinds, each with its estate, as readable lines. */
function of(...kinds: ViolationKind[]): string[] {
  return found
    .filter((f) => kinds.includes(f.violation.kind))
    .map((f) => `${f.violation.kind} [${f.violation.order ?? ""} ${f.violation.step ?? ""}]: ${f.violation.detail}\n  estate: ${JSON.stringify(f.model)}`);
}

describe(`${RUNS} random estates (seed ${SEED}), clean and chaotic orders, two sweeps each`, () => {
  it("ran every estate", () => expect(estates).toBe(RUNS));

  it("approves and rejects only what the allow-list says, inside managedScopes", () => {
    expect(of("approve-outside-policy", "reject-outside-policy", "state-change-outside-policy")).toEqual([]);
  });

  it("revokes only its own approvals, and only when the allow-list surely no longer allows them", () => {
    expect(of("revoke-outside-policy")).toEqual([]);
  });

  it("deletes endpoints and connections only as the cleanup settings allow, and writes nothing outside managedScopes", () => {
    expect(of("delete-endpoint-outside-policy", "delete-connection-outside-policy", "write-outside-managed-scope")).toEqual([]);
  });

  it("never writes a foreign record set, an unconfigured zone, or a delete in a mode that never deletes", () => {
    expect(of("dns-foreign-write", "dns-unconfigured-zone", "dns-delete-in-non-sync-mode", "dns-delete-live-owner")).toEqual([]);
  });

  it("writes no DNS when dns.dryRun is set", () => {
    expect(of("dns-write-in-dry-run")).toEqual([]);
  });

  it("names records only after the endpoint's own target, with its own IPs, once approved", () => {
    expect(of("dns-name-outside-target", "dns-wrong-ips", "dns-for-unapproved-endpoint")).toEqual([]);
  });

  it("ends in the same state after the clean and the chaotic order; the second sweep changes nothing", () => {
    expect(of("clean-vs-chaotic-diverge", "second-sweep-writes")).toEqual([]);
  });

  it("audits every applied write, and never throws out of a handler", () => {
    expect(of("unaudited-write", "unexpected-exception")).toEqual([]);
  });
});
