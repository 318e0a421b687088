// Runs one random estate through the real app (handleRawEvent, Autopilot, Sweeper)
// and the real SDK clients against one shared, in-process emulator (reset between
// estates): the clean event order, then the chaotic one, each followed by two sweeps;
// the oracle judges every step.
import { MemoryAuditLog } from "../../shared/store/audit/index.js";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import { silentLogger } from "../../shared/model/decision.js";
import { Sweeper } from "../../shared/autopilot/sweep.js";
import { auditedSweep } from "../../shared/runtime/auditedSweep.js";
import { handleRawEvent } from "../../shared/runtime/handleEvent.js";
import { MemoryIntentLog } from "../../shared/store/intents.js";
import { MemoryEventLedger } from "../../shared/store/eventLedger.js";
import { MemoryMarkStore } from "../../shared/store/marks.js";
import { MemoryOwnershipIndex } from "../../shared/store/ownershipIndex.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { APP_OID, C_DATA, C_UNREADABLE, C_WEB, chaoticEvents, materialize, type EstateModel, type RawEvent, type World } from "./model.js";
import { finalChecks, normalized, observe, Oracle, Policy, type State, type Violation, type Write } from "./oracle.js";
import { ResourceInventory } from "../../shared/gateways/inventory.js";

export async function startProofArm(): Promise<LocalArm> {
  // lroDelayMs 0: long-running answers complete on the first poll (the protocol is unchanged).
  return startLocalArm({ resources: [] }, { throttle: false, lroDelayMs: 0 });
}

export interface EstateResult {
  violations: Violation[];
  events: number;
  armCalls: number;
}

/** Runs one estate; returns every violation the oracle found (empty: the app kept every promise). */
export async function runEstate(local: LocalArm, model: EstateModel): Promise<EstateResult> {
  const w = materialize(model);
  const clean = await runOrder(local, w, "clean", w.events);
  const chaotic = await runOrder(local, w, "chaotic", chaoticEvents(w));
  const violations = [...clean.violations, ...chaotic.violations];
  // Only with one allow-list throughout: when the admins narrow it before the sweeps, whether a connection was
  // approved (then revoked, or its record kept in a mode that never deletes) rightly depends on which events arrived.
  const a = JSON.stringify(clean.final);
  const b = JSON.stringify(chaotic.final);
  if (a !== b && w.allowListForSweeps === w.allowList) violations.push({ kind: "clean-vs-chaotic-diverge", detail: `clean ${a}\nchaotic ${b}` });
  return { violations, events: w.events.length, armCalls: clean.calls + chaotic.calls };
}

async function runOrder(local: LocalArm, w: World, order: "clean" | "chaotic", events: RawEvent[]) {
  const emu = local.emulator;
  emu.reset(w.estate);
  // A tenant this identity cannot read: every call there is refused, as ARM does.
  emu.injectFault({ pathIncludes: `/subscriptions/${C_UNREADABLE}/`, status: 403, code: "AuthorizationFailed", count: Number.MAX_SAFE_INTEGER });
  const forEvents = parseConfigText(w.allowList, "allow-list.yaml");
  const forSweeps = parseConfigText(w.allowListForSweeps, "allow-list.yaml");
  if (!forEvents.ok || !forSweeps.ok)
    throw new Error(`generated allow-list is invalid: ${JSON.stringify(forEvents.ok ? forSweeps : forEvents)}\n${w.allowList}`);
  const index = new MemoryOwnershipIndex();
  const marks = new MemoryMarkStore();
  const ledger = new MemoryEventLedger();
  const audit = new MemoryAuditLog();
  const intents = new MemoryIntentLog();
  const identity = { objectId: APP_OID };
  const onEvents = new Autopilot({ arm: local.arm, config: forEvents, index, marks, identity });
  const onSweeps = new Autopilot({ arm: local.arm, config: forSweeps, index, marks, identity });
  const oracle = new Oracle(w, order);
  const eventPolicy = new Policy(w.model.allow, w.model.allow.rules);
  const sweepPolicy = new Policy(
    w.model.allow,
    w.model.allow.rules.filter((_, i) => !w.model.allow.dropBeforeSweeps[i]),
  );
  const allWrites: Write[] = [];
  let calls = 0;

  const step = async (name: string, policy: Policy, work: () => Promise<unknown>): Promise<Write[]> => {
    const before = state(local);
    emu.clearCalls();
    try {
      await work();
    } catch (e) {
      oracle.violations.push({ kind: "unexpected-exception", order, step: name, detail: (e as Error).stack ?? String(e) });
    }
    calls += emu.calls.length;
    const writes = emu.calls
      .filter((c) => c.kind !== "read" && c.kind !== "operation" && c.status > 0 && c.status < 400)
      .map((c) => ({ method: c.method, path: c.path, status: c.status }));
    allWrites.push(...writes);
    oracle.step(name, policy, before, state(local), writes);
    return writes;
  };

  for (const e of events)
    await step(`event ${e.id} ${e.eventType.split(".").pop()} ${e.subject}`, eventPolicy, () =>
      handleRawEvent(structuredClone(e), onEvents, silentLogger, { ledger, audit, intents }),
    );
  // As the timer Function does (shared/runtime/runtime.ts): what was done or refused goes to the audit trail.
  const sweep = () => auditedSweep(new Sweeper(onSweeps, new ResourceInventory(local.arm)), { subscriptions: [C_WEB, C_DATA] }, { audit, intents });
  await step("sweep 1", sweepPolicy, sweep);
  const second = await step("sweep 2", sweepPolicy, sweep);
  if (second.length)
    oracle.violations.push({ kind: "second-sweep-writes", order, step: "sweep 2", detail: second.map((x) => `${x.method} ${x.path}`).join("\n") });

  // Every applied write is in the audit trail.
  const rows = await audit.query({ limit: 1_000_000 });
  const applied = new Set(rows.filter((r) => r.outcome === "applied").map((r) => r.resource.toLowerCase().replace(/\/+$/, "")));
  for (const wr of allWrites) {
    if (!applied.has(wr.path.toLowerCase()))
      oracle.violations.push({ kind: "unaudited-write", order, detail: `${wr.method} ${wr.path} (${wr.status}) has no applied audit row` });
  }
  // Every write-ahead intent was resolved once its run was audited (none left behind).
  if (intents.size)
    oracle.violations.push({
      kind: "unaudited-write",
      order,
      detail: `${intents.size} write intent(s) left open: ${JSON.stringify(await intents.list({ trigger: "", before: new Date(8.64e15) }))}`.slice(0, 2000),
    });
  const end = state(local);
  oracle.violations.push(...finalChecks(w, order, end));
  return { violations: oracle.violations, final: normalized(end), calls };
}

function state(local: LocalArm): State {
  return observe(local.emulator.snapshot());
}
