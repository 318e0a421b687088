// `reconcile --estate` runs the timer's pipeline: its writes land in the audit trail of
// the table it is given, as the Function's do.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/main.js";
import { sharedAzurite, type SharedAzurite } from "../helpers/sharedAzurite.js";
import { APP_TABLE } from "../../shared/runtime/settings.js";
import { TableAuditLog } from "../../shared/store/audit/index.js";
import { tableClient } from "../../shared/store/tables.js";

const root = new URL("../../", import.meta.url).pathname;
const p = (rel: string) => join(root, rel);
const WEB_CONN =
  "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-shared/privateEndpointConnections/pe-web-kv.6f1f0e3a-4b8c-4d2e-9a57-0c1d2e3f4a5b";

let azurite: SharedAzurite;
beforeAll(async () => {
  azurite = await sharedAzurite();
});

describe("reconcile --estate", () => {
  it("audits its writes to the app table of --connection-string, under the sweep's run id", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const argv = ["reconcile", "--config", p("sandbox/demo/allow-list.yaml"), "--estate", p("examples/estate.json")];
    const code = await runCli([...argv, "--connection-string", azurite.connectionString], { out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(code, err.join("\n")).toBe(0);
    const { runId } = JSON.parse(out.at(-1)!) as { runId: string };
    const rows = await new TableAuditLog(tableClient(azurite.connectionString, APP_TABLE)).query({});
    expect(rows.filter((r) => r.outcome === "applied").map((r) => [r.action, r.trigger])).toEqual(
      expect.arrayContaining([
        ["approve", `sweep:${runId}`],
        ["dns-create", `sweep:${runId}`],
      ]),
    );
    expect(rows.find((r) => r.action === "approve")).toMatchObject({ resource: WEB_CONN, rule: "corp-spokes", correlationId: runId });
  });

  it("--connection-string without --estate is a usage error (against Azure the app's own settings apply)", async () => {
    const err: string[] = [];
    const code = await runCli(["reconcile", "--config", p("sandbox/demo/allow-list.yaml"), "--connection-string", "UseDevelopmentStorage=true"], {
      out: () => {},
      err: (l) => err.push(l),
    });
    expect(code).toBe(2);
    expect(err.join("\n")).toMatch(/--connection-string goes with --estate/);
  });
});
