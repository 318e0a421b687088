// ARM calls per event, through the real SDK clients against the emulator's call log
// (issue 12's first four rows): a Pending allow-listed connection approved from one
// event, a new (auto-approved) endpoint's record, the same change again under a new
// event id, and a delete.
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import type { Decision } from "../../shared/model/decision.js";
import { parseEvent } from "../../shared/events/index.js";
import { startRemoteEmulator } from "../lib/remoteEmulator.js";
import type { ScenarioOptions, ScenarioOutput } from "../lib/scenario.js";
import { allowList, consumer, countCalls, createEndpoint, endpointEvent, estate, vaultId, type CallCounts } from "../lib/world.js";

export async function run(_opts: ScenarioOptions): Promise<ScenarioOutput> {
  const emu = await startRemoteEmulator({ estate: estate({ vaults: ["kv-a", "kv-b"], consumers: 1 }) });
  try {
    const arm = emu.clients();
    const autopilot = new Autopilot({ arm, config: parseConfigText(allowList(1), "bench.yaml") });
    const sub = consumer(0);
    const handle = async (endpointId: string, kind: "write" | "delete") => {
      const parsed = parseEvent(endpointEvent(endpointId, kind));
      if (parsed.outcome !== "event") throw new Error(`bench event did not parse: ${JSON.stringify(parsed)}`);
      await emu.clearCalls();
      const decisions = await autopilot.handleEvent(parsed.event);
      const calls = await emu.calls(true);
      if (process.env.BENCH_DEBUG) console.log(calls.map((c) => `${c.method} ${c.status} ${c.kind} ${c.path}`).join("\n"));
      return { decisions, counts: countCalls(calls) };
    };

    // 1. A Pending connection from an allow-listed subscription: approve (a long-running operation) and its record.
    const pending = await createEndpoint(arm, sub, "pe-a", vaultId("kv-a"));
    const approve = await handle(pending, "write");
    expect(approve.decisions, "approve", "applied");
    expect(approve.decisions, "dns-create", "applied");
    // 2. An endpoint approved already (auto-approval): its record.
    const approved = await createEndpoint(arm, sub, "pe-b", vaultId("kv-b"), true);
    const fresh = await handle(approved, "write");
    expect(fresh.decisions, "dns-create", "applied");
    // 3. The same change again under a new event id (Event Grid's at-least-once; a second write event).
    const again = await handle(approved, "write");
    const againApprove = await handle(pending, "write");
    // 4. The endpoint is deleted: its record goes.
    await arm.networkFor(sub).privateEndpoints.beginDeleteAndWait("rg-app", "pe-b");
    const gone = await handle(approved, "delete");
    expect(gone.decisions, "dns-delete", "applied");

    const a = approve.counts;
    const result = {
      approve: { reads: a.reads, writes: a.writes, polls: a.polls, dnsWrites: a.privateDnsWrites, privateDnsReads: a.privateDnsReads, calls: a.calls },
      newEndpointDns: {
        reads: fresh.counts.reads,
        writes: fresh.counts.privateDnsWrites + fresh.counts.writes,
        privateDnsReads: fresh.counts.privateDnsReads,
        calls: fresh.counts.calls,
      },
      duplicate: {
        writes: again.counts.writes + again.counts.privateDnsWrites,
        reads: again.counts.reads,
        privateDnsReads: again.counts.privateDnsReads,
        calls: again.counts.calls,
        afterApproval: {
          writes: againApprove.counts.writes + againApprove.counts.privateDnsWrites,
          reads: againApprove.counts.reads,
          privateDnsReads: againApprove.counts.privateDnsReads,
          calls: againApprove.counts.calls,
        },
      },
      delete: {
        reads: gone.counts.reads,
        privateDnsReads: gone.counts.privateDnsReads,
        writes: gone.counts.writes + gone.counts.privateDnsWrites,
        calls: gone.counts.calls,
      },
      targets: {
        approve: "reads <= 2, writes <= 1 (+ polls)",
        newEndpointDns: "reads <= 1, writes = 1 per FQDN, privateDnsReads = 0",
        duplicate: "writes = 0",
        delete: "privateDnsReads <= 1",
      },
    };
    const met = {
      approve: a.reads <= 2 && a.writes <= 1,
      newEndpointDns: fresh.counts.reads <= 1 && result.newEndpointDns.writes === 1 && fresh.counts.privateDnsReads === 0,
      duplicate: result.duplicate.writes === 0 && result.duplicate.afterApproval.writes === 0,
      delete: gone.counts.privateDnsReads <= 1,
    };
    const line = (name: string, c: CallCounts, ok: boolean) =>
      `${name.padEnd(16)} reads ${c.reads}, polls ${c.polls}, writes ${c.writes}, Private DNS reads ${c.privateDnsReads} / writes ${c.privateDnsWrites}${c.refused ? `, refused ${c.refused}` : ""}  ${ok ? "meets target" : "MISSES target"}`;
    return {
      key: "armCalls",
      result: { ...result, met },
      summary: [
        line("approve", a, met.approve),
        line("new endpoint DNS", fresh.counts, met.newEndpointDns),
        line("duplicate", again.counts, met.duplicate),
        line("dup. of approval", againApprove.counts, met.duplicate),
        line("delete", gone.counts, met.delete),
      ],
    };
  } finally {
    await emu.close();
  }
}

function expect(ds: Decision[], action: string, outcome: string): void {
  if (!ds.some((d) => d.action === action && d.outcome === outcome)) throw new Error(`expected ${action} ${outcome}; got ${JSON.stringify(ds, null, 1)}`);
}
