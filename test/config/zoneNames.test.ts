// validate warns about a zone name that is not in Microsoft's table of private DNS zone
// values, unless the zone is marked custom (issue 13).
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";
import { isKnownZone } from "../../shared/config/zoneNames.js";
import { runCli } from "../../cli/main.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const RG = "/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-dns";
const withZones = (zones: string) => `approval:\n  managedScopes: [/subscriptions/00000000-0000-0000-0000-0000000000aa]\n  rules: []\ndns:\n  zones:\n${zones}`;

describe("zone names", () => {
  it("knows the table's zones, regional placeholders standing for one label", () => {
    expect(isKnownZone("privatelink.vaultcore.azure.net")).toBe(true);
    expect(isKnownZone("PRIVATELINK.BLOB.CORE.WINDOWS.NET.")).toBe(true);
    expect(isKnownZone("privatelink.westeurope.azmk8s.io")).toBe(true);
    expect(isKnownZone("privatelink.vaultcore.azure.com")).toBe(false);
    expect(isKnownZone("privatelink.west.europe.azmk8s.io")).toBe(false);
  });

  it("warns about a zone not in the table, with the closest one, and the file stays valid", () => {
    const r = parseConfigText(
      withZones(
        `    - name: privatelink.vaultcore.azure.com\n      resourceGroupId: ${RG}\n    - name: privatelink.blob.core.windows.net\n      resourceGroupId: ${RG}\n`,
      ),
      "a.yaml",
    );
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.warnings).toEqual([
      {
        file: "a.yaml",
        line: 6,
        column: 13,
        key: "dns.zones[0].name",
        message:
          "'privatelink.vaultcore.azure.com' is not in Microsoft's table of private DNS zone values, so no endpoint's name resolves into it (did you mean 'privatelink.vaultcore.azure.net'?); if it is a zone of your own, mark it custom: true",
      },
    ]);
  });

  it("does not warn about a zone marked custom", () => {
    const r = parseConfigText(withZones(`    - name: privatelink.zilliz.example\n      resourceGroupId: ${RG}\n      custom: true\n`), "a.yaml");
    expect(r.ok && r.warnings).toBeUndefined();
    expect(r.ok && r.config.dns.zones[0]).toMatchObject({ name: "privatelink.zilliz.example", custom: true });
  });

  it("validate prints the warning and exits 0", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "pla-zone-")), "a.yaml");
    writeFileSync(file, withZones(`    - name: privatelink.vaultcore.azure.com\n      resourceGroupId: ${RG}\n`));
    const out: string[] = [];
    expect(await runCli(["validate", file], { out: (l) => out.push(l), err: (l) => out.push(l) })).toBe(0);
    expect(out).toEqual([
      `${file}: valid (0 approval rule(s), 1 DNS zone(s))`,
      expect.stringMatching(new RegExp(`^warning: ${file}:6:13: dns.zones\\[0\\].name: 'privatelink.vaultcore.azure.com' is not in Microsoft's table`)),
    ]);
    const json: string[] = [];
    await runCli(["validate", "--json", file], { out: (l) => json.push(l), err: () => {} });
    expect(JSON.parse(json[0]!)).toMatchObject({ valid: true, warnings: [{ key: "dns.zones[0].name" }] });
  });
});
