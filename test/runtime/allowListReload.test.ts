// Issue 8 defect 10: a half-written allow-list must never be used. The allow-list in
// force changes only to content that reads the same twice and is valid (versions are
// content hashes, not mtimes); otherwise the last good version stays, and the logs say
// which version is in force.
import { mkdtempSync, rmSync, utimesSync, writeFileSync, appendFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Logger } from "../../shared/model/decision.js";
import { AllowListCache, allowListVersion, type AllowListSource, type SourceRead } from "../../shared/config/sources/allowListCache.js";
import { handleRawEvent } from "../../shared/runtime/handleEvent.js";
import { Runtime } from "../../shared/runtime/runtime.js";
import { eventGridEvent } from "../../sandbox/eventFactory.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { CONSUMER, PROVIDER, consumerVnet, createEndpoint, parent, vaultId } from "../helpers/world.js";

const HEAD = `approval:
  managedScopes: [/subscriptions/${PROVIDER}]
  unmatched: leave-pending
  rules:
    - name: app-teams
      requesterSubscriptions: [${CONSUMER}]
`;
// The narrowing line a torn write loses: without it the rule admits every resource group.
const TAIL = `      requesterResourceGroups: [rg-app-*]
`;

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (lvl: string) => (m: string) => void lines.push(`${lvl}: ${m}`);
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

describe("allow-list reload through the Runtime (defect 10)", () => {
  let local: LocalArm;
  let dir: string;
  let endpoint: string;
  beforeAll(async () => {
    local = await startLocalArm({ resources: [parent(vaultId("kv-shared"), "Microsoft.KeyVault/vaults"), consumerVnet("rg-other")] }, { throttle: false });
    endpoint = await createEndpoint(local, "pe-other", vaultId("kv-shared"), { rg: "rg-other" });
    dir = mkdtempSync(join(tmpdir(), "allow-list-"));
  });
  afterAll(async () => {
    await local?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const approvalsFor = async (rt: Runtime, log: Logger) => {
    const ev = eventGridEvent({ resourceId: endpoint, operationName: "Microsoft.Network/privateEndpoints/write" });
    const decisions = await handleRawEvent({ ...ev, eventTime: ev.eventTime.toISOString() }, await rt.autopilot(log), log);
    return decisions.filter((d) => d.action === "approve").length;
  };

  it("never uses a torn write that is valid and broader; the completed file is taken even with the same mtime", async () => {
    const file = join(dir, "allow-list.yaml");
    writeFileSync(file, HEAD + TAIL);
    let sleeps = 0;
    let finishWrite: (() => void) | undefined;
    const rt = new Runtime(
      { allowListPath: file, dryRun: true, identity: {}, arm: local.arm.settings },
      // The writer goes on while the app waits between its two reads.
      { allowList: { settleMs: 1, sleep: async () => void (sleeps++, finishWrite?.(), (finishWrite = undefined)) } },
    );
    const log = recordingLog();
    expect(await approvalsFor(rt, log)).toBe(0); // rg-other is not rg-app-*
    const good = allowListVersion(HEAD + TAIL);

    // The admin rewrites the file in place; the app reads it when only the head is written.
    writeFileSync(file, HEAD);
    const torn = statSync(file).mtime;
    expect((await import("../../shared/config/index.js")).parseConfigText(HEAD, file).ok).toBe(true); // the torn file is valid...
    finishWrite = () => appendFileSync(file, TAIL.replace("rg-app-*", "rg-other")); // ...and the complete one names rg-other
    expect(await approvalsFor(rt, log)).toBe(0);
    expect(log.lines).toContain(`info: allow-list ${file}: version ${good} in force`);
    expect(log.lines.some((l) => l.startsWith("error:") && l.includes("changed while it was read") && l.includes(`keeping version ${good} in force`))).toBe(
      true,
    );
    // Coarse timestamps: the completed file carries the torn write's mtime.
    utimesSync(file, torn, torn);
    expect(await approvalsFor(rt, log)).toBe(1);
    expect(log.lines).toContain(`info: allow-list ${file}: version ${allowListVersion(HEAD + TAIL.replace("rg-app-*", "rg-other"))} in force`);
    expect(sleeps).toBe(3); // first load, the torn read, the completed file
  });

  it("keeps the last good version when the file turns invalid or disappears, and says which version is in force", async () => {
    const file = join(dir, "flaky.yaml");
    writeFileSync(file, HEAD + TAIL);
    const rt = new Runtime({ allowListPath: file, dryRun: true, identity: {}, arm: local.arm.settings }, { allowList: { settleMs: 1 } });
    const log = recordingLog();
    await approvalsFor(rt, log);
    writeFileSync(file, HEAD + "      requesterResourceGroups: [rg-app-*\n"); // YAML error
    expect(await approvalsFor(rt, log)).toBe(0);
    expect((await rt.autopilot(log)) && rt.allowList.version).toBe(allowListVersion(HEAD + TAIL));
    rmSync(file);
    expect(await approvalsFor(rt, log)).toBe(0);
    const errors = log.lines.filter((l) => l.startsWith("error: allow-list"));
    expect(errors.some((l) => l.includes("is invalid") && l.includes(`keeping version ${allowListVersion(HEAD + TAIL)} in force`))).toBe(true);
    expect(errors.some((l) => l.includes("file not found") && l.includes("keeping version"))).toBe(true);
    // Each rejected state is logged once, not on every invocation.
    await approvalsFor(rt, log);
    expect(log.lines.filter((l) => l.startsWith("error: allow-list")).length).toBe(errors.length);
  });
});

/** A source whose content the test sets; counts reads; answers `unchanged` to a matching ETag. */
class FakeSource implements AllowListSource {
  readonly location = "fake://allow-list";
  reads = 0;
  text?: string;
  etag?: string;
  constructor(readonly atomic: boolean) {}
  async read(etag?: string): Promise<SourceRead> {
    this.reads++;
    if (this.text === undefined) return { kind: "failed", message: "not there" };
    if (etag && etag === this.etag) return { kind: "unchanged" };
    return { kind: "content", text: this.text, etag: this.etag };
  }
}

describe("AllowListCache", () => {
  const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

  it("fails closed with the reason until a valid version was read", async () => {
    const src = new FakeSource(true);
    const cache = new AllowListCache(src);
    const r = await cache.current(quiet);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems[0]!.message).toContain("not there");
    src.text = "approval: [";
    expect((await cache.current(quiet)).ok).toBe(false);
    src.text = HEAD;
    expect((await cache.current(quiet)).ok).toBe(true);
    expect(cache.version).toBe(allowListVersion(HEAD));
  });

  it("an atomic source is read once per check, at most every refresh interval, and conditionally by ETag", async () => {
    let now = 0;
    const src = new FakeSource(true);
    src.text = HEAD;
    src.etag = '"1"';
    const cache = new AllowListCache(src, { refreshMs: 60_000, now: () => now });
    await cache.current(quiet);
    await cache.current(quiet);
    expect(src.reads).toBe(1);
    now += 60_000;
    expect((await cache.current(quiet)).ok).toBe(true); // 'unchanged' answer keeps the version
    expect(src.reads).toBe(2);
    src.text = HEAD + TAIL;
    src.etag = '"2"';
    now += 59_999;
    await cache.current(quiet);
    expect(cache.version).toBe(allowListVersion(HEAD)); // not due yet
    now += 1;
    await cache.current(quiet);
    expect(cache.version).toBe(allowListVersion(HEAD + TAIL));
    expect(src.reads).toBe(3);
  });

  it("a non-atomic source whose content differs between the two reads keeps the old version and looks again on the next call", async () => {
    const src = new FakeSource(false);
    src.text = HEAD + TAIL;
    const flips = [() => {}, () => (src.text = HEAD + TAIL + "#"), () => {}];
    let i = 0;
    const cache = new AllowListCache(src, { refreshMs: 60_000, now: () => 0, sleep: async () => flips[i++]!() });
    await cache.current(quiet);
    src.text = HEAD;
    await cache.current(quiet); // not due, so not even read
    expect(cache.version).toBe(allowListVersion(HEAD + TAIL));
    const c2 = new AllowListCache(src, { now: () => 0, sleep: async () => void (src.text = HEAD + "#") });
    expect((await c2.current(quiet)).ok).toBe(false); // never had a stable version
    expect(c2.version).toBeUndefined();
  });
});
