// An allow-list as a folder of files, one per team: merged, with every problem at its own
// file and line, and a clear error for a rule name two files use (issue 13).
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblem } from "../../shared/config/index.js";
import { loadConfigFile } from "../../shared/config/sources/files.js";
import { runCli } from "../../cli/main.js";
import { AllowListCache } from "../../shared/config/sources/allowListCache.js";
import { FileAllowListSource } from "../../shared/config/sources/fileSource.js";
import { silentLogger } from "../../shared/model/decision.js";

const SUB_A = "11111111-1111-1111-1111-111111111111";
const SUB_B = "22222222-2222-2222-2222-222222222222";
const platform = `approval:
  managedScopes: [/subscriptions/00000000-0000-0000-0000-0000000000aa]
  unmatched: leave-pending
dns:
  zones:
    - name: privatelink.vaultcore.azure.net
      resourceGroupId: /subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-dns
`;
const team = (name: string, sub: string) => `approval:
  rules:
    - name: ${name}
      requesterSubscriptions: [${sub}]
`;

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "pla-folder-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe("an allow-list folder", () => {
  it("merges the files in name order: scopes and zones from one, each team's rules from its own", async () => {
    const dir = folder({
      "00-platform.yaml": platform,
      "team-b.yaml": team("team-b", SUB_B),
      "team-a.yml": team("team-a", SUB_A),
      "notes.txt": "not an allow-list",
      ".hidden.yaml": "x: [",
    });
    const r = await loadConfigFile(dir);
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join("\n"));
    expect(r.file).toBe(dir);
    expect(r.config.approval.rules.map((x) => x.name)).toEqual(["team-a", "team-b"]);
    expect(r.config.approval.managedScopes).toEqual(["/subscriptions/00000000-0000-0000-0000-0000000000aa"]);
    expect(r.config.dns.zones.map((z) => z.name)).toEqual(["privatelink.vaultcore.azure.net"]);
  });

  it("refuses a rule name two files use, pointing at both files", async () => {
    const dir = folder({ "00-platform.yaml": platform, "team-a.yaml": team("shared-vault", SUB_A), "team-b.yaml": team("shared-vault", SUB_B) });
    const r = await loadConfigFile(dir);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map(formatProblem)).toEqual([
      `${join(dir, "team-b.yaml")}:3:13: approval.rules[0].name: duplicate rule name 'shared-vault': already used by approval.rules[0].name at ${join(dir, "team-a.yaml")}:3`,
    ]);
  });

  it("refuses a setting two files set differently, and locates a typo in its own file", async () => {
    const dir = folder({
      "00-platform.yaml": platform,
      "team-a.yaml": "approval:\n  unmatched: reject\n  rules:\n    - name: a\n      requesterSubscription: [" + SUB_A + "]\n",
    });
    const r = await loadConfigFile(dir);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map(formatProblem)).toEqual([
      `${join(dir, "team-a.yaml")}:2:14: approval.unmatched: approval.unmatched is already set to the string 'leave-pending' in ${join(dir, "00-platform.yaml")}:3; in a folder a setting may be set in one file only (lists are joined)`,
      `${join(dir, "team-a.yaml")}:5:7: approval.rules[0].requesterSubscription: unknown key 'requesterSubscription' (did you mean 'requesterSubscriptions'?)`,
    ]);
  });

  it("says so when no file sets the managed scopes, and when the folder has no allow-list file", async () => {
    const r = await loadConfigFile(folder({ "team-a.yaml": team("a", SUB_A) }));
    expect(!r.ok && r.problems.map((p) => p.message)).toEqual(["missing required key 'managedScopes' in approval"]);
    const empty = folder({ "README.md": "# nothing" });
    const e = await loadConfigFile(empty);
    expect(!e.ok && e.problems.map((p) => p.message)).toEqual(["no allow-list files (.yaml, .yml, .json) in the folder"]);
  });

  it("validate takes the folder", async () => {
    const dir = folder({ "00-platform.yaml": platform, "team-a.yaml": team("team-a", SUB_A) });
    const out: string[] = [];
    const code = await runCli(["validate", dir], { out: (l) => out.push(l), err: (l) => out.push(l) });
    expect(code).toBe(0);
    expect(out[0]).toBe(`${dir}: valid (1 approval rule(s), 1 DNS zone(s))`);
    mkdirSync(join(dir, "sub")); // folders inside are not read
    writeFileSync(join(dir, "team-z.yaml"), team("team-a", SUB_B));
    expect(await runCli(["validate", dir], { out: () => {}, err: () => {} })).toBe(1);
  });

  it("the app takes a folder as AUTOPILOT_ALLOW_LIST_PATH, and a new team file once it reads complete", async () => {
    const dir = folder({ "00-platform.yaml": platform, "team-a.yaml": team("team-a", SUB_A) });
    const cache = new AllowListCache(new FileAllowListSource(dir), { settleMs: 0 });
    const first = await cache.current(silentLogger);
    expect(first.ok && first.config.approval.rules.map((r) => r.name)).toEqual(["team-a"]);
    writeFileSync(join(dir, "team-b.yaml"), team("team-b", SUB_B));
    const second = await cache.current(silentLogger);
    expect(second.ok && second.config.approval.rules.map((r) => r.name)).toEqual(["team-a", "team-b"]);
    // A conflicting file is refused; the last good version stays in force.
    writeFileSync(join(dir, "team-c.yaml"), team("team-a", SUB_B));
    const third = await cache.current(silentLogger);
    expect(third.ok && third.config.approval.rules.map((r) => r.name)).toEqual(["team-a", "team-b"]);
  });
});
