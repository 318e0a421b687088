// Fuzzing the allow-list loader (shared/config) with torn writes, shuffled and
// duplicated lines, random YAML and random bytes. It must never throw, must fail
// closed (a result is valid or lists problems), and its answer is bounded by count:
// problems reported and characters of output, whatever the input's size.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { formatProblem, parseConfigText } from "../../shared/config/index.js";

const DEMO = readFileSync(new URL("../../sandbox/demo/allow-list.yaml", import.meta.url), "utf8");
const EXAMPLE = readFileSync(new URL("../../examples/allow-list.yaml", import.meta.url), "utf8");
const LINES = [...DEMO.split("\n"), ...EXAMPLE.split("\n")];

/** Texts an operator or a torn write could leave behind. */
const texts: fc.Arbitrary<string> = fc.oneof(
  // a torn write: a prefix of a valid file
  fc.tuple(fc.constantFrom(DEMO, EXAMPLE), fc.double({ min: 0, max: 1, noNaN: true })).map(([t, f]) => t.slice(0, Math.floor(t.length * f))),
  // lines of valid files, shuffled, dropped, duplicated, re-indented
  fc
    .array(fc.tuple(fc.constantFrom(...LINES), fc.nat(4)), { maxLength: 60 })
    .map((ls) => ls.map(([l, indent]) => " ".repeat(indent % 2 ? indent : 0) + l).join("\n")),
  // random YAML documents under the real section names
  fc.dictionary(fc.constantFrom("approval", "dns", "cleanup", "extra", "rules"), fc.jsonValue({ maxDepth: 4 })).map((o) => stringify(o)),
  // anything at all
  fc.string({ maxLength: 400 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.constantFrom("", "\uFEFF", "---\n---\n", "a: &x [*x]", "a: !!binary AAAA", "? [a, b]\n: c", "approval: *nope", "approval:\n  managedScopes: [\n"),
);

const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;
/** An allow rule names its requesters (subscriptions, management groups or endpoint ids); a reject rule need not. */
const isRuleLike = (r: unknown): boolean =>
  typeof r === "object" &&
  r !== null &&
  ((r as any).action === "reject" ||
    nonEmpty((r as any).requesterSubscriptions) ||
    nonEmpty((r as any).requesterManagementGroups) ||
    nonEmpty((r as any).requesterEndpointIds));

describe("allow-list loader under fuzzing", () => {
  it("never throws; a result is either a complete, valid config or a list of located problems", () => {
    fc.assert(
      fc.property(texts, (text) => {
        const r = parseConfigText(text, "allow-list.yaml");
        const lines = text.split("\n").length;
        if (r.ok) {
          // Fail closed: a config the app acts on always has scopes, and every rule names its requesters.
          expect(r.config.approval.managedScopes.length).toBeGreaterThan(0);
          expect(r.config.approval.rules.every(isRuleLike)).toBe(true);
          expect(["leave-pending", "reject"]).toContain(r.config.approval.unmatched);
        } else {
          expect(r.problems.length).toBeGreaterThan(0);
          for (const p of r.problems) {
            expect(p.line).toBeGreaterThanOrEqual(1);
            expect(p.line).toBeLessThanOrEqual(lines + 1);
            expect(p.column).toBeGreaterThanOrEqual(1);
            expect(p.message).toMatch(/\S/);
          }
        }
      }),
      { numRuns: 600, seed: 12 },
    );
  });

  it("a torn write of a valid file never yields a config that approves for more requesters than the whole file names", () => {
    // The loader cannot know a file is torn (the reload keeps the last good version, see
    // defect 10); but a prefix can only drop lines, so it must never invent a requester.
    fc.assert(
      fc.property(fc.constantFrom(DEMO, EXAMPLE), fc.nat(), (text, cut) => {
        const full = parseConfigText(text, "a.yaml");
        const torn = parseConfigText(text.slice(0, cut % (text.length + 1)), "a.yaml");
        if (!full.ok || !torn.ok) return;
        const named = (r: (typeof full.config.approval.rules)[number]) =>
          [...(r.requesterSubscriptions ?? []), ...(r.requesterManagementGroups ?? []), ...(r.requesterEndpointIds ?? [])].map((s) => s.toLowerCase());
        const subs = new Set(full.config.approval.rules.flatMap(named));
        for (const r of torn.config.approval.rules) for (const s of named(r)) expect(subs.has(s)).toBe(true);
      }),
      { numRuns: 300, seed: 13 },
    );
  });

  // Issue 8, "cap what one input may cost" (`gate` is adding input caps): today one problem per key; turn on once landed.
  it("the answer stays small: at most a bounded number of problems and characters, whatever the input size", () => {
    fc.assert(
      fc.property(fc.integer({ min: 150, max: 400 }), fc.constantFrom("unknown", "duplicate", "badvalue"), (n, how) => {
        const body =
          how === "unknown"
            ? Array.from({ length: n }, (_, i) => `  k${i}: ${i}`).join("\n")
            : how === "duplicate"
              ? Array.from({ length: n }, () => "  unmatched: reject").join("\n")
              : `  managedScopes: [${Array.from({ length: n }, (_, i) => `bad${i}`).join(", ")}]`;
        const r = parseConfigText(`approval:\n${body}\n`, "a.yaml");
        expect(r.ok).toBe(false);
        if (r.ok) return;
        expect(r.problems.length).toBeLessThanOrEqual(Math.max(100, 0));
        expect(r.problems.map(formatProblem).join("\n").length).toBeLessThanOrEqual(100 * 600);
      }),
      { numRuns: 10, seed: 14 },
    );
  });

  // Issue 8, "an allow-list with 100,000 unknown keys took 357 s" (`gate` is adding input caps): skipped
  // (not it.fails: today it costs minutes of CPU); turn on once the caps land.
  it("an oversize allow-list (100,000 unknown keys) is refused with one clear problem", () => {
    const text = `approval:\n${Array.from({ length: 100_000 }, (_, i) => `  k${i}: ${i}`).join("\n")}\n`;
    const r = parseConfigText(text, "a.yaml");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.length).toBeLessThanOrEqual(3);
    expect(r.problems[0]!.message).toMatch(/too large|too long|size|exceeds|at most/i);
  });
});
