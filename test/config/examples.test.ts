import { access, readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatProblem } from "../../shared/config/index.js";
import { loadConfigFile } from "../../shared/config/sources/files.js";
import { evaluateApproval } from "../../shared/approval/rules.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const example = resolve(root, "examples/allow-list.yaml");
const broken = resolve(root, "examples/allow-list.broken.yaml");

describe("examples/allow-list.yaml", () => {
  it("is valid", async () => {
    const r = await loadConfigFile(example);
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join("\n"));
    expect(r.config.approval.rules.map((x) => x.name)).toEqual(["no-sandbox", "corp-spokes", "analytics-blob", "landing-zones", "platform-any"]);
    expect(r.config.dns.customRecords[0]?.recordName).toBe("{clusterId}-privatelink");
    expect(r.ok && r.warnings).toBeUndefined(); // its own zone is marked custom
  });

  it("starts with a yaml-language-server modeline pointing at the schema", async () => {
    const first = (await readFile(example, "utf8")).split("\n")[0]!;
    const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    expect(m).not.toBeNull();
    await expect(access(resolve(dirname(example), m![1]!))).resolves.toBeUndefined();
    expect(resolve(dirname(example), m![1]!)).toBe(resolve(root, "shared/config/allow-list.schema.json"));
  });

  it("does what its comments say for a spoke asking for a shared vault", async () => {
    const r = await loadConfigFile(example);
    if (!r.ok) throw new Error("example invalid");
    const vault = "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-shared";
    const v = evaluateApproval(r.config.approval, {
      connectionId: `${vault}/privateEndpointConnections/pe-1.abc`,
      targetResourceId: vault,
      targetResourceType: "Microsoft.KeyVault/vaults",
      privateEndpointId: "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-app-web/providers/Microsoft.Network/privateEndpoints/pe-1",
      groupIds: ["vault"],
    });
    expect(v).toMatchObject({ verdict: "allow", rule: "corp-spokes" });
  });
});

describe("examples/allow-list.broken.yaml", () => {
  it("has exactly one problem: the misspelt key, with its line and a suggestion", async () => {
    const r = await loadConfigFile(broken);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      {
        file: broken,
        line: 11,
        column: 7,
        key: "approval.rules[0].requesterSubscription",
        message: "unknown key 'requesterSubscription' (did you mean 'requesterSubscriptions'?)",
      },
    ]);
  });
});

describe("examples/teams (an allow-list as a folder)", () => {
  it("is valid, with the platform file's scopes and each team's rules in file-name order", async () => {
    const dir = resolve(root, "examples/teams");
    const r = await loadConfigFile(dir);
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join("\n"));
    expect(r.warnings).toBeUndefined();
    expect(r.config.approval.rules.map((x) => x.name)).toEqual(["no-sandbox", "data-blob", "web-vaults"]);
    expect(r.config.approval.managedScopes).toEqual(["/subscriptions/00000000-0000-0000-0000-0000000000aa"]);
  });
});
