// The allow-list from a blob in the app's storage account (Azurite's Blob service here):
// published with `privatelink-autopilot publish-allow-list` (validated first), read by
// the app through AUTOPILOT_ALLOW_LIST_URL, ETag-conditional, at most every N seconds,
// the last good version kept when a new one is invalid (the defect-10 mechanism).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlobServiceClient } from "@azure/storage-blob";
import { runCli } from "../../cli/main.js";
import { allowListVersion } from "../../shared/config/sources/allowListCache.js";
import { BlobAllowListSource } from "../../shared/config/sources/blobSource.js";
import { Runtime } from "../../shared/runtime/runtime.js";
import { readSettings, SettingsError } from "../../shared/runtime/settings.js";
import { ALLOW_LIST_BLOB, CONFIG_CONTAINER } from "../../shared/runtime/azureNames.js";
import { sharedAzurite, type SharedAzurite } from "../helpers/sharedAzurite.js";
import type { Logger } from "../../shared/model/decision.js";

const SUB = "22222222-2222-2222-2222-222222222222";
const allowList = (rg: string) => `approval:
  managedScopes: [/subscriptions/${SUB}]
  rules:
    - name: teams
      requesterSubscriptions: [11111111-1111-1111-1111-111111111111]
      requesterResourceGroups: [${rg}]
`;

let azurite: SharedAzurite;
let dir: string;
let url: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  azurite = await sharedAzurite();
  dir = mkdtempSync(join(tmpdir(), "blob-allow-list-"));
  url = `${azurite.blobEndpoint}/${CONFIG_CONTAINER}/${ALLOW_LIST_BLOB}`;
  env = {
    AzureWebJobsStorage: azurite.connectionString,
    AUTOPILOT_ALLOW_LIST_URL: url,
    AZURE_ARM_ENDPOINT: "https://127.0.0.1:1",
    AUTOPILOT_ARM_STATIC_TOKEN: "t",
  };
}, 60_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (lvl: string) => (m: string) => void lines.push(`${lvl}: ${m}`);
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

async function publish(name: string, text: string) {
  const file = join(dir, name);
  writeFileSync(file, text);
  const out: string[] = [];
  const saved = process.env;
  process.env = { ...saved, ...env };
  try {
    const code = await runCli(["publish-allow-list", file], { out: (l) => out.push(l), err: (l) => out.push(l) });
    return { code, out };
  } finally {
    process.env = saved;
  }
}

const rgsOf = (rt: Runtime, log: Logger) => rt.allowList.current(log).then((r) => (r.ok ? r.config.approval.rules[0]!.requesterResourceGroups : undefined));

describe("allow-list blob", () => {
  it("AUTOPILOT_ALLOW_LIST_URL makes AUTOPILOT_ALLOW_LIST_PATH unnecessary; neither set is a settings error", () => {
    expect(readSettings(env).allowListBlob?.url).toBe(url);
    expect(() => readSettings({ ...env, AUTOPILOT_ALLOW_LIST_URL: "" })).toThrow(SettingsError);
    expect(() => readSettings({ ...env, AUTOPILOT_ALLOW_LIST_REFRESH_SECONDS: "soon" })).toThrow(/REFRESH_SECONDS/);
  });

  it("publish-allow-list validates and uploads; the app reads it with ETag-conditional reads, at most every N seconds, and keeps the last good version", async () => {
    const first = await publish("a.yaml", allowList("rg-app-*"));
    expect(first.code).toBe(0);
    expect(first.out[0]).toBe(`published ${join(dir, "a.yaml")} to ${url} as version ${allowListVersion(allowList("rg-app-*"))}`);

    let now = 0;
    const rt = new Runtime(readSettings({ ...env, AUTOPILOT_ALLOW_LIST_REFRESH_SECONDS: "60" }), { allowList: { now: () => now } });
    const log = recordingLog();
    expect(await rgsOf(rt, log)).toEqual(["rg-app-*"]);
    expect(log.lines).toContain(`info: allow-list ${url}: version ${allowListVersion(allowList("rg-app-*"))} in force`);

    // An invalid file is refused by the CLI and never reaches the blob.
    const bad = await publish("bad.yaml", allowList("rg-app-*").replace("requesterSubscriptions", "requesterSubscription"));
    expect(bad.code).toBe(1);
    expect(bad.out.join("\n")).toMatch(/unknown key 'requesterSubscription'.*\n.*not published/s);

    // A new version is taken only once the refresh interval has passed.
    expect((await publish("b.yaml", allowList("rg-b-*"))).code).toBe(0);
    now += 59_000;
    expect(await rgsOf(rt, log)).toEqual(["rg-app-*"]);
    now += 1_000;
    expect(await rgsOf(rt, log)).toEqual(["rg-b-*"]);

    // Written past the CLI (another tool): invalid, so the last good version stays, said once.
    const blob = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(CONFIG_CONTAINER).getBlockBlobClient(ALLOW_LIST_BLOB);
    await blob.upload("approval: [", 11);
    now += 60_000;
    expect(await rgsOf(rt, log)).toEqual(["rg-b-*"]);
    now += 60_000;
    expect(await rgsOf(rt, log)).toEqual(["rg-b-*"]);
    expect(log.lines.filter((l) => l.startsWith("error:") && l.includes(`keeping version ${allowListVersion(allowList("rg-b-*"))} in force`))).toHaveLength(1);
  });

  it("reads are conditional on the ETag of the version in force (304: nothing downloaded)", async () => {
    const blob = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(CONFIG_CONTAINER).getBlobClient(ALLOW_LIST_BLOB);
    const src = new BlobAllowListSource(blob);
    const first = await src.read();
    expect(first.kind).toBe("content");
    const etag = first.kind === "content" ? first.etag : undefined;
    expect(etag).toBeTruthy();
    expect(await src.read(etag)).toEqual({ kind: "unchanged" });
    const missing = new BlobAllowListSource(
      BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(CONFIG_CONTAINER).getBlobClient("nope.yaml"),
    );
    expect(await missing.read()).toMatchObject({ kind: "failed", message: expect.stringMatching(/not found/) });
  });

  it("publish-allow-list takes a folder: the merged allow-list goes into the one blob, and a conflicting folder is not published", async () => {
    const team = join(dir, "teams");
    mkdirSync(team, { recursive: true });
    writeFileSync(join(team, "00-platform.yaml"), "approval:\n  managedScopes: [/subscriptions/22222222-2222-2222-2222-222222222222]\n");
    writeFileSync(
      join(team, "team-a.yaml"),
      "approval:\n  rules:\n    - name: team-a\n      requesterSubscriptions: [11111111-1111-1111-1111-111111111111]\n      requesterResourceGroups: [rg-team-a-*]\n",
    );
    const saved = process.env;
    process.env = { ...saved, ...env };
    try {
      const out: string[] = [];
      expect(await runCli(["publish-allow-list", team], { out: (l) => out.push(l), err: (l) => out.push(l) })).toBe(0);
      const rt = new Runtime(readSettings(env));
      const r = await rt.allowList.current(recordingLog());
      expect(r.ok && r.config.approval.rules.map((x) => [x.name, x.requesterResourceGroups])).toEqual([["team-a", ["rg-team-a-*"]]]);
      writeFileSync(
        join(team, "team-b.yaml"),
        "approval:\n  rules:\n    - name: team-a\n      requesterSubscriptions: [11111111-1111-1111-1111-111111111111]\n",
      );
      const bad: string[] = [];
      expect(await runCli(["publish-allow-list", team], { out: (l) => bad.push(l), err: (l) => bad.push(l) })).toBe(1);
      expect(bad.join("\n")).toMatch(/team-b.yaml:3:13: approval.rules\[0\].name: duplicate rule name 'team-a'.*\n.*not published/s);
    } finally {
      process.env = saved;
    }
  });
});
