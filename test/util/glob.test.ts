import { describe, expect, it } from "vitest";
import { firstMatchingGlob, globToRegExp, globsIntersect, matchesGlob } from "../../shared/util/glob.js";

describe("matchesGlob", () => {
  it("* matches any run of characters, including / and nothing", () => {
    expect(matchesGlob("/subscriptions/s/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv", "/subscriptions/s/resourceGroups/rg-shared/*")).toBe(
      true,
    );
    expect(matchesGlob("rg-app-", "rg-app-*")).toBe(true);
    expect(matchesGlob("rg-ap", "rg-app-*")).toBe(false);
  });

  it("? matches exactly one character", () => {
    expect(matchesGlob("rg-app1", "rg-app?")).toBe(true);
    expect(matchesGlob("rg-app", "rg-app?")).toBe(false);
    expect(matchesGlob("rg-app12", "rg-app?")).toBe(false);
  });

  it("is anchored at both ends", () => {
    expect(matchesGlob("xrg-app", "rg-app")).toBe(false);
    expect(matchesGlob("rg-appx", "rg-app")).toBe(false);
    expect(matchesGlob("rg-app", "rg-app")).toBe(true);
  });

  it("is case-insensitive", () => {
    expect(matchesGlob("RG-APP-WEB", "rg-app-*")).toBe(true);
    expect(matchesGlob("rg-app-web", "RG-App-*")).toBe(true);
  });

  it("treats regular expression characters literally", () => {
    expect(matchesGlob("a.b", "a.b")).toBe(true);
    expect(matchesGlob("axb", "a.b")).toBe(false);
    expect(matchesGlob("rg(1)+[x]", "rg(1)+[x]")).toBe(true);
    expect(matchesGlob("a^$|\\b", "a^$|\\b")).toBe(true);
  });

  // A backtracking matcher would hang here (the suite's timeout catches that); no timing asserted.
  it("handles many stars without backtracking blow-up", () => {
    expect(matchesGlob("a".repeat(5000) + "b", "*a*a*a*a*a*a*a*a*a*a*c")).toBe(false);
    expect(matchesGlob("a".repeat(5000) + "c", "*a*a*a*a*a*a*a*a*a*a*c")).toBe(true);
  });

  it("globToRegExp agrees with matchesGlob", () => {
    const cases: [string, string][] = [
      ["rg-app-web", "rg-app-*"],
      ["rg-app", "rg-app?"],
      ["A/B/C", "a*c"],
      ["a.b", "a?b"],
      ["axb", "a.b"],
      ["", "*"],
      ["x", ""],
    ];
    for (const [value, glob] of cases) expect([value, glob, globToRegExp(glob).test(value)]).toEqual([value, glob, matchesGlob(value, glob)]);
    expect(globToRegExp("a**b").source).toBe(globToRegExp("a*b").source);
    expect(globToRegExp("a*b").flags).toContain("i");
  });

  it("firstMatchingGlob returns the first glob that matches", () => {
    expect(firstMatchingGlob("rg-app-web", ["rg-data", "rg-app-*", "*"])).toBe("rg-app-*");
    expect(firstMatchingGlob("rg-x", ["rg-data"])).toBeUndefined();
  });
});

describe("globsIntersect", () => {
  it("finds a common string when there is one", () => {
    expect(globsIntersect("/subscriptions/*/resourceGroups/rg/*", "/subscriptions/abc/*")).toBe(true);
    expect(globsIntersect("a?c", "*b*")).toBe(true);
    expect(globsIntersect("ABC", "abc")).toBe(true);
    expect(globsIntersect("*", "")).toBe(true);
  });

  it("says no when the literal parts conflict", () => {
    expect(globsIntersect("/subscriptions/a/*", "/subscriptions/b/*")).toBe(false);
    expect(globsIntersect("abc", "ab")).toBe(false);
    expect(globsIntersect("a?", "a")).toBe(false);
    expect(globsIntersect("x*", "y*")).toBe(false);
  });
});
