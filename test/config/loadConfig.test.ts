import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULTS, formatProblem, parseConfigText, type ConfigProblem, type ConfigResult } from "../../shared/config/index.js";
import { loadConfigFile } from "../../shared/config/sources/files.js";

const SUB_A = "11111111-1111-1111-1111-111111111111";
const PROVIDER = "/subscriptions/00000000-0000-0000-0000-0000000000aa";

/** Lines joined with \n, so line numbers in assertions can be read off the array (index + 1). */
const yaml = (...lines: string[]) => lines.join("\n") + "\n";

const MINIMAL = yaml(
  "approval:", //                                    1
  `  managedScopes: [${PROVIDER}]`, //                 2
  "  rules:", //                                     3
  "    - name: corp-spokes", //                      4
  `      requesterSubscriptions: [${SUB_A}]`, //     5
);

function problems(text: string, file = "allow-list.yaml"): ConfigProblem[] {
  const r = parseConfigText(text, file);
  if (r.ok) throw new Error(`expected problems, got a valid config`);
  return r.problems;
}

function config(text: string) {
  const r = parseConfigText(text, "allow-list.yaml");
  if (!r.ok) throw new Error(`expected a valid config, got:\n${r.problems.map(formatProblem).join("\n")}`);
  return r.config;
}

describe("parseConfigText: valid input", () => {
  it("applies every default when only the required keys are given", () => {
    const c = config(MINIMAL);
    expect(c.approval).toEqual({
      managedScopes: [PROVIDER],
      unmatched: "leave-pending",
      revokeRemoved: false,
      rules: [{ name: "corp-spokes", requesterSubscriptions: [SUB_A] }],
    });
    expect(c.dns).toEqual({ ownerId: "privatelink-autopilot", mode: "sync", ttl: 600, registerWhen: "approved", dryRun: false, zones: [], customRecords: [] });
    expect(c.cleanup).toEqual({
      deleteDisconnectedEndpoints: false,
      gracePeriodMinutes: 60,
      exclusionTag: "privatelink-autopilot-keep",
      deleteStaleConnections: false,
      deleteEndpointsIn: [],
    });
    expect(c.cleanup).toEqual(DEFAULTS.cleanup);
  });

  it("keeps explicit values and resolves per-zone ttl/mode against the dns defaults", () => {
    const c = config(
      MINIMAL +
        yaml(
          "  unmatched: reject",
          "  revokeRemoved: true",
          "dns:",
          "  mode: upsert-only",
          "  ttl: 120",
          "  registerWhen: always",
          "  dryRun: true",
          "  zones:",
          "    - name: privatelink.vaultcore.azure.net",
          "      resourceGroupId: /subscriptions/55555555-5555-5555-5555-555555555555/resourceGroups/rg-dns",
          "    - name: privatelink.blob.core.windows.net",
          "      resourceGroupId: /subscriptions/55555555-5555-5555-5555-555555555555/resourceGroups/rg-dns",
          "      ttl: 30",
          "      mode: create-only",
          "cleanup:",
          "  gracePeriodMinutes: 0",
        ),
    );
    expect(c.approval.unmatched).toBe("reject");
    expect(c.approval.revokeRemoved).toBe(true);
    expect(c.dns.mode).toBe("upsert-only");
    expect(c.dns.registerWhen).toBe("always");
    expect(c.dns.dryRun).toBe(true);
    expect(c.dns.zones).toEqual([
      {
        name: "privatelink.vaultcore.azure.net",
        resourceGroupId: "/subscriptions/55555555-5555-5555-5555-555555555555/resourceGroups/rg-dns",
        ttl: 120,
        mode: "upsert-only",
        ownerId: "privatelink-autopilot",
      },
      {
        name: "privatelink.blob.core.windows.net",
        resourceGroupId: "/subscriptions/55555555-5555-5555-5555-555555555555/resourceGroups/rg-dns",
        ttl: 30,
        mode: "create-only",
        ownerId: "privatelink-autopilot",
      },
    ]);
    expect(c.cleanup.gracePeriodMinutes).toBe(0);
    expect(c.cleanup.deleteStaleConnections).toBe(false);
  });

  it("accepts JSON (with a $schema key) and gives the same config as the YAML", () => {
    const json = JSON.stringify(
      {
        $schema: "../shared/config/allow-list.schema.json",
        approval: { managedScopes: [PROVIDER], rules: [{ name: "corp-spokes", requesterSubscriptions: [SUB_A] }] },
      },
      null,
      "\t",
    );
    const r = parseConfigText(json, "allow-list.json");
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.config).toEqual(config(MINIMAL));
  });

  it("accepts an empty rule list", () => {
    expect(config(yaml("approval:", `  managedScopes: [${PROVIDER}]`, "  rules: []")).approval.rules).toEqual([]);
  });

  it("strips a UTF-8 byte order mark without shifting columns", () => {
    expect(parseConfigText("\uFEFF" + MINIMAL, "x.yaml").ok).toBe(true);
    const p = problems("\uFEFF" + yaml("approval:", `  managedScopes: [${PROVIDER}]`, "  rules: []", "bogus: 1"));
    expect(p).toMatchObject([{ line: 4, column: 1, key: "bogus" }]);
  });
});

describe("parseConfigText: problems", () => {
  it("reports a misspelt key at the key itself with a suggestion, not also as a missing key", () => {
    const text = yaml(
      "approval:", //                                  1
      `  managedScopes: [${PROVIDER}]`, //               2
      "  rules:", //                                   3
      "    - name: corp-spokes", //                    4
      `      requesterSubscription: [${SUB_A}]`, //     5
    );
    expect(problems(text)).toEqual([
      {
        file: "allow-list.yaml",
        line: 5,
        column: 7,
        key: "approval.rules[0].requesterSubscription",
        message: "unknown key 'requesterSubscription' (did you mean 'requesterSubscriptions'?)",
      },
    ]);
  });

  it("lists the allowed keys when nothing is close to an unknown key", () => {
    const [p] = problems(MINIMAL + yaml("cleanup:", "  whatever: 1"));
    expect(p).toMatchObject({ line: 7, column: 3, key: "cleanup.whatever" });
    expect(p!.message).toBe(
      "unknown key 'whatever'; allowed keys here: deleteDisconnectedEndpoints, gracePeriodMinutes, exclusionTag, deleteStaleConnections, deleteEndpointsIn",
    );
  });

  it("cleanup.deleteEndpointsIn takes subscription and resource group ids, nothing finer and no wildcards", () => {
    const rg = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-app";
    expect(config(MINIMAL + yaml("cleanup:", "  deleteEndpointsIn:", `    - /subscriptions/${SUB_A}`, `    - ${rg}`)).cleanup.deleteEndpointsIn).toEqual([
      `/subscriptions/${SUB_A}`,
      rg,
    ]);
    const bad = problems(
      MINIMAL + yaml("cleanup:", "  deleteEndpointsIn:", `    - ${rg}/providers/Microsoft.Network/privateEndpoints/pe`, "    - /subscriptions/*"),
    );
    expect(bad.map((p) => [p.line, p.key])).toEqual([
      [8, "cleanup.deleteEndpointsIn[0]"],
      [9, "cleanup.deleteEndpointsIn[1]"],
    ]);
    expect(bad[0]!.message).toMatch(/is not an endpoint scope; expected \/subscriptions\/\{subscription GUID\} or .*\/resourceGroups\/\{name\}/);
  });

  it("suggests across case and transpositions (ManagedScopes, tll)", () => {
    const p = problems(
      yaml(
        "approval:", //                             1
        `  ManagedScopes: [${PROVIDER}]`, //          2
        `  managedScopes: [${PROVIDER}]`, //          3
        "  rules: []", //                           4
        "dns:", //                                  5
        "  tll: 60", //                             6
      ),
    );
    expect(p.map((x) => [x.line, x.column, x.key, x.message])).toEqual([
      [2, 3, "approval.ManagedScopes", "unknown key 'ManagedScopes' (did you mean 'managedScopes'?)"],
      [6, 3, "dns.tll", "unknown key 'tll' (did you mean 'ttl'?)"],
    ]);
  });

  it("reports a missing required key at its parent object", () => {
    const text = yaml(
      "# comment", //                                 1
      "approval:", //                                 2
      `  managedScopes: [${PROVIDER}]`, //              3
      "  rules:", //                                  4
      "    - description: no name here", //           5
      `      requesterSubscriptions: [${SUB_A}]`, //    6
    );
    expect(problems(text)).toEqual([
      {
        file: "allow-list.yaml",
        line: 5,
        column: 7,
        key: "approval.rules[0].name",
        message: "missing required key 'name' in approval.rules[0]",
      },
    ]);
  });

  it("reports a missing section key at that section's own key line", () => {
    const p = problems(yaml("# header", "approval:", "  rules: []"));
    expect(p).toMatchObject([{ line: 2, column: 1, key: "approval.managedScopes", message: "missing required key 'managedScopes' in approval" }]);
    const top = problems(yaml("dns:", "  ttl: 60"));
    expect(top).toMatchObject([{ line: 1, column: 1, key: "approval", message: "missing required key 'approval' at the top level" }]);
  });

  it("reports a YAML syntax error with its line and stops there", () => {
    const text = yaml(
      "approval:", //                                             1
      `  managedScopes: [${PROVIDER}`, //                             2 (unclosed [)
      "  rules: []", //                                           3
      "  bogus: true", //                                         4 would be a schema error
    );
    const p = problems(text);
    expect(p).toHaveLength(1);
    expect(p[0]!.line).toBe(3);
    expect(p[0]!.message).toMatch(/^YAML syntax error: .*\]/);
  });

  it("reports a tab-indented block as a syntax error on the tab line", () => {
    const p = problems(yaml("approval:", "\tmanagedScopes: []"));
    expect(p[0]!.line).toBe(2);
    expect(p[0]!.message).toMatch(/^YAML syntax error/);
  });

  it("reports duplicate YAML keys", () => {
    const p = problems(
      yaml(
        "approval:", //                          1
        `  managedScopes: [${PROVIDER}]`, //       2
        "  rules: []", //                        3
        "  rules: []", //                        4
      ),
    );
    expect(p).toEqual([
      {
        file: "allow-list.yaml",
        line: 4,
        column: 3,
        key: "approval.rules",
        message: "duplicate key 'rules': a key may appear only once in a mapping",
      },
    ]);
  });

  it("reports an unknown YAML tag instead of silently using the string", () => {
    const p = problems(yaml("approval:", `  managedScopes: [${PROVIDER}]`, "  rules: []", "  unmatched: !reject x"));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ line: 4 });
    expect(p[0]!.message).toMatch(/tag/i);
  });

  it("reports a wrong enum value with the allowed values and a suggestion (typo or truncation)", () => {
    const p = problems(MINIMAL + yaml("  unmatched: rejct", "dns:", "  mode: upsert"));
    expect(p).toEqual([
      {
        file: "allow-list.yaml",
        line: 6,
        column: 14,
        key: "approval.unmatched",
        message: "the string 'rejct' is not allowed; use one of 'leave-pending', 'reject' (did you mean 'reject'?)",
      },
      {
        file: "allow-list.yaml",
        line: 8,
        column: 9,
        key: "dns.mode",
        message: "the string 'upsert' is not allowed; use one of 'sync', 'upsert-only', 'create-only' (did you mean 'upsert-only'?)",
      },
    ]);
  });

  it("reports a bad subscription GUID at the list item", () => {
    const text = yaml(
      "approval:",
      `  managedScopes: [${PROVIDER}]`,
      "  rules:",
      "    - name: corp-spokes",
      "      requesterSubscriptions:",
      `        - ${SUB_A}`, //                                   6
      "        - 1111-not-a-guid", //                            7
    );
    expect(problems(text)).toEqual([
      {
        file: "allow-list.yaml",
        line: 7,
        column: 11,
        key: "approval.rules[0].requesterSubscriptions[1]",
        message: "'1111-not-a-guid' is not a subscription id; expected a GUID like 00000000-0000-0000-0000-000000000000",
      },
    ]);
  });

  it("reads dns.registerFor (subscription or resource group scopes of the endpoint) and refuses anything else", () => {
    const rg = `/subscriptions/${SUB_A}/resourceGroups/rg-app`;
    expect(config(MINIMAL + yaml("dns:", "  registerFor:", `    - /subscriptions/${SUB_A}`, `    - ${rg}`)).dns.registerFor).toEqual([
      `/subscriptions/${SUB_A}`,
      rg,
    ]);
    expect(config(MINIMAL).dns.registerFor).toBeUndefined();
    const bad = problems(
      MINIMAL + yaml("dns:", "  registerFor:", `    - ${rg}/providers/Microsoft.Network/privateEndpoints/pe`, "    - /subscriptions/*", "  ", ""),
    );
    expect(bad.map((p) => [p.key, p.message])).toEqual([
      ["dns.registerFor[0]", expect.stringMatching(/is not an endpoint scope; expected \/subscriptions\/\{subscription GUID\} or .*resourceGroups/)],
      ["dns.registerFor[1]", expect.stringMatching(/is not an endpoint scope/)],
    ]);
    expect(problems(MINIMAL + yaml("dns:", "  registerFor: []")).map((p) => p.key)).toEqual(["dns.registerFor"]);
  });

  it("reports wrong types, ranges and empty lists", () => {
    const p = problems(
      yaml(
        "approval:", //                                      1
        `  managedScopes: []`, //                            2
        "  revokeRemoved: yes please", //                    3
        "  rules:", //                                       4
        "    - name: a", //                                  5
        `      requesterSubscriptions: [${SUB_A}]`, //        6
        "      groupIds:", //                                7 (null)
        "dns:", //                                           8
        "  ttl: 0", //                                       9
        "cleanup:", //                                      10
        '  gracePeriodMinutes: "60"', //                    11
      ),
    );
    expect(p.map((x) => [x.line, x.key, x.message])).toEqual([
      [2, "approval.managedScopes", "must list at least one entry"],
      [3, "approval.revokeRemoved", "must be true or false, but it is the string 'yes please'"],
      [7, "approval.rules[0].groupIds", "must be a list, but it is empty"],
      [9, "dns.ttl", "must be at least 1 (got 0)"],
      [11, "cleanup.gracePeriodMinutes", "must be a whole number, but it is the string '60'"],
    ]);
  });

  it("reports duplicate rule names (case-insensitively) at the second one", () => {
    const text = yaml(
      "approval:", //                                    1
      `  managedScopes: [${PROVIDER}]`, //                 2
      "  rules:", //                                     3
      "    - name: corp-spokes", //                      4
      `      requesterSubscriptions: [${SUB_A}]`, //      5
      "    - name: other", //                            6
      `      requesterSubscriptions: [${SUB_A}]`, //      7
      "    - name: Corp-Spokes", //                      8
      `      requesterSubscriptions: [${SUB_A}]`, //      9
    );
    expect(problems(text)).toEqual([
      {
        file: "allow-list.yaml",
        line: 8,
        column: 13,
        key: "approval.rules[2].name",
        message: "duplicate rule name 'Corp-Spokes': already used by approval.rules[0].name at line 4",
      },
    ]);
  });

  it("checks managed scopes and zone resource group ids as resource ids", () => {
    const p = problems(
      yaml(
        "approval:", //                                                                                  1
        "  managedScopes:", //                                                                           2
        `    - ${PROVIDER}/resourceGroups`, //                                                           3
        `    - ${PROVIDER}/resourceGroups/rg/*`, //                                                       4
        "  rules: []", //                                                                                5
        "dns:", //                                                                                       6
        "  zones:", //                                                                                   7
        "    - name: privatelink.vaultcore.azure.net", //                                                8
        "      resourceGroupId: /subscriptions/55555555-5555-5555-5555-555555555555", //                 9
        "    - name: privatelink.blob.core.windows.net", //                                              10
        `      resourceGroupId: ${PROVIDER}/resourceGroups/rg/providers/Microsoft.Network/x/y`, //      11
      ),
    );
    expect(p.map((x) => [x.line, x.column, x.key])).toEqual([
      [3, 7, "approval.managedScopes[0]"],
      [4, 7, "approval.managedScopes[1]"],
      [9, 24, "dns.zones[0].resourceGroupId"],
      [11, 24, "dns.zones[1].resourceGroupId"],
    ]);
    expect(p[0]!.message).toContain("resourceGroups without a name");
    expect(p[2]!.message).toContain("is not a resource group id");
  });

  it("rejects malformed target id globs and globs that can never be inside a managed scope", () => {
    const text = yaml(
      "approval:", //                                                                      1
      `  managedScopes: [${PROVIDER}]`, //                                                   2
      "  rules:", //                                                                       3
      "    - name: a", //                                                                  4
      `      requesterSubscriptions: [${SUB_A}]`, //                                        5
      "      targetResourceIds:", //                                                       6
      `        - ${PROVIDER}/resourceGroups/rg-shared/*`, //                               7 ok
      "        - /subscriptions/*/resourceGroups/rg-shared/*", //                          8 ok: * could be the provider sub
      `        - ${PROVIDER}/resourcegroup/rg/*`, //                                       9 bad keyword
      "        - /subscriptions/99999999-9999-9999-9999-999999999999/*", //                10 never in scope
      `        - ${PROVIDER}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults`, //    11 no wildcard, not an id
    );
    const p = problems(text);
    expect(p.map((x) => [x.line, x.key])).toEqual([
      [9, "approval.rules[0].targetResourceIds[2]"],
      [10, "approval.rules[0].targetResourceIds[3]"],
      [11, "approval.rules[0].targetResourceIds[4]"],
    ]);
    expect(p[0]!.message).toContain("segment 3 is 'resourcegroup'");
    expect(p[1]!.message).toContain("can never match a resource inside the managed scopes");
    expect(p[2]!.message).toContain("type and name segments must come in pairs");
  });

  it("checks zones and custom records: duplicates, unknown zone, placeholders, empty match", () => {
    const RG = "/subscriptions/55555555-5555-5555-5555-555555555555/resourceGroups/rg-dns";
    const p = problems(
      MINIMAL +
        yaml(
          "dns:", //                                                    6
          "  zones:", //                                                7
          "    - name: privatelink.zilliz.example", //                  8
          `      resourceGroupId: ${RG}`, //                              9
          "    - name: PrivateLink.Zilliz.Example.", //                 10
          `      resourceGroupId: ${RG}`, //                              11
          "  customRecords:", //                                        12
          "    - name: zilliz", //                                      13
          "      match: {}", //                                         14
          "      zone: privatelink.other.example", //                   15
          '      recordName: "{clusterid}-privatelink"', //             16
        ),
    );
    expect(p.map((x) => [x.line, x.column, x.key, x.message])).toEqual([
      [
        10,
        13,
        "dns.zones[1].name",
        "duplicate zone 'PrivateLink.Zilliz.Example.' in /subscriptions/55555555-5555-5555-5555-555555555555/resourceGroups/rg-dns: already listed at dns.zones[0].name (line 8)",
      ],
      [14, 14, "dns.customRecords[0].match", "must set at least one of 'targetResourceIds', 'aliases'"],
      [15, 13, "dns.customRecords[0].zone", "zone 'privatelink.other.example' is not listed in dns.zones; add it there with its resourceGroupId"],
      [
        16,
        19,
        "dns.customRecords[0].recordName",
        "unknown placeholder {clusterid} (did you mean {clusterId}?); allowed: {endpointName}, {clusterId}, {aliasPrefix}, {targetName}",
      ],
    ]);
  });

  it("reports all problems, sorted by line", () => {
    const p = problems(
      yaml(
        "cleanup:", //                                   1
        "  exclusionTag: ''", //                         2
        "approval:", //                                  3
        `  managedScopes: [${PROVIDER}]`, //               4
        "  unmatched: nope", //                          5
        "  rules:", //                                   6
        "    - name: a", //                              7
        "      requesterSubscriptions: [x]", //          8
        "      targetResourceTypes: [KeyVault]", //      9
        "      groupId: [vault]", //                    10
      ),
    );
    expect(p.map((x) => x.line)).toEqual([2, 5, 8, 9, 10]);
    expect(p.map((x) => x.key)).toEqual([
      "cleanup.exclusionTag",
      "approval.unmatched",
      "approval.rules[0].requesterSubscriptions[0]",
      "approval.rules[0].targetResourceTypes[0]",
      "approval.rules[0].groupId",
    ]);
    expect(p[4]!.message).toBe("unknown key 'groupId' (did you mean 'groupIds'?)");
  });

  it("rejects an empty file, a comment-only file and a document that is not a mapping", () => {
    for (const text of ["", "   \n", "# just a comment\n", "---\n"]) {
      expect(problems(text)).toEqual([
        { file: "allow-list.yaml", line: 1, column: 1, key: "", message: "the file is empty; expected a mapping with an 'approval' section" },
      ]);
    }
    expect(problems("- a\n- b\n")[0]!.message).toBe("the file must contain a mapping (object) with an 'approval' section, not a list");
    expect(problems('"just a string"', "x.json")[0]!.message).toContain("not the string 'just a string'");
    expect(problems("[1, 2]", "x.json")[0]).toMatchObject({ line: 1, column: 1, key: "" });
    expect(problems("null", "x.json")[0]!.message).toBe("the file must contain a mapping (object) with an 'approval' section, not null");
  });

  it("locates problems in JSON input", () => {
    const text = [
      "{", //                                                                1
      '  "approval": {', //                                                  2
      `    "managedScopes": ["${PROVIDER}"],`, //                              3
      '    "rules": [', //                                                   4
      '      { "name": "x", "requesterSubscriptions": ["bad"] },', //        5
      '      { "name": "y", "requesterSubscriptions": ["' + SUB_A + '"], "groupIDs": ["vault"] }', // 6
      "    ]", //                                                            7
      "  }", //                                                              8
      "}", //                                                                9
    ].join("\n");
    const p = problems(text, "allow-list.json");
    expect(p.map((x) => [x.line, x.column, x.key])).toEqual([
      [5, 49, "approval.rules[0].requesterSubscriptions[0]"],
      [6, 90, "approval.rules[1].groupIDs"],
    ]);
    expect(p[1]!.message).toBe("unknown key 'groupIDs' (did you mean 'groupIds'?)");
    expect(p[0]!.file).toBe("allow-list.json");
  });

  it("reports a JSON syntax error with its line", () => {
    const p = problems(["{", '  "approval": {', '    "rules": [}', "  }", "}"].join("\n"), "x.json");
    expect(p.length).toBeGreaterThan(0);
    expect(p[0]!.line).toBe(3);
  });

  it("rejects keys that are lists or mappings", () => {
    const p = problems(yaml("approval:", "  ? [a, b]", "  : 1"));
    expect(p).toMatchObject([{ line: 2, column: 5, key: "approval", message: "keys must be plain names, not lists or mappings" }]);
  });

  it("never throws on odd input", () => {
    for (const text of [undefined as unknown as string, "\u0000", "a: *nope", "? [a]\n: b", "x: &a [*a]"]) {
      const r: ConfigResult = parseConfigText(text, "f");
      expect(r.ok).toBe(false);
    }
  });
});

describe("formatProblem", () => {
  it("formats file:line:column: key: message, and drops an empty key", () => {
    expect(formatProblem({ file: "a.yaml", line: 3, column: 7, key: "approval.rules[0].name", message: "boom" })).toBe(
      "a.yaml:3:7: approval.rules[0].name: boom",
    );
    expect(formatProblem({ file: "a.yaml", line: 1, column: 1, key: "", message: "file not found" })).toBe("a.yaml:1:1: file not found");
  });
});

describe("loadConfigFile", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "allow-list-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reports a missing file as one problem at line 1", async () => {
    const path = join(dir, "does-not-exist.yaml");
    const r = await loadConfigFile(path);
    expect(r).toEqual({ ok: false, file: path, problems: [{ file: path, line: 1, column: 1, key: "", message: "file not found" }] });
  });

  it("reads a directory as a folder of allow-list files, and says so when it holds none", async () => {
    const sub = join(dir, "a-directory");
    await mkdir(sub);
    const r = await loadConfigFile(sub);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems).toEqual([{ file: sub, line: 1, column: 1, key: "", message: "no allow-list files (.yaml, .yml, .json) in the folder" }]);
  });

  it("loads YAML and JSON files from disk", async () => {
    const y = join(dir, "ok.yaml");
    const j = join(dir, "ok.json");
    await writeFile(y, MINIMAL);
    await writeFile(j, JSON.stringify(config(MINIMAL)));
    const ry = await loadConfigFile(y);
    const rj = await loadConfigFile(j);
    expect(ry).toMatchObject({ ok: true, file: y });
    expect(rj).toMatchObject({ ok: true, file: j });
    if (ry.ok && rj.ok) expect(rj.config).toEqual(ry.config);
  });

  it("puts the file path in every problem", async () => {
    const path = join(dir, "bad.yaml");
    await writeFile(path, MINIMAL + "  unmatched: nope\n");
    const r = await loadConfigFile(path);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(formatProblem(r.problems[0]!)).toBe(`${path}:6:14: approval.unmatched: the string 'nope' is not allowed; use one of 'leave-pending', 'reject'`);
  });
});
