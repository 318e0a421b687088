// Benchmarks (run: `npm run bench`; figures go to bench/RESULTS.md by hand).
// Never part of `npm test`: timings on a shared 2-core machine are noisy.
//  1. event → approval + DNS through the real SDK clients and the emulator: latency, ARM calls, memory
//  2. duplicate events: cost in ARM calls
//  3. zone resolver: lookups per second
//  4. deployment bundle: size and load time
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseConfigText } from "../shared/config/index.js";
import { Autopilot } from "../shared/core/autopilot.js";
import type { ResourceEvent } from "../shared/events/index.js";
import type { ArmResource } from "../shared/estate/types.js";
import { resolveZone } from "../shared/dns/zones/index.js";
import { startLocalArm } from "../sandbox/localArm.js";
import { handleRawEvent } from "../shared/runtime/handleEvent.js";
import { MemoryEventLedger } from "../shared/store/eventLedger.js";
import { silentLogger } from "../shared/core/decision.js";

const N = Number(process.env.BENCH_EVENTS ?? 300);
const PROVIDER = "22222222-2222-2222-2222-222222222222";
const CONSUMER = "11111111-1111-1111-1111-111111111111";
const HUB_RG = "/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-dns";
const KV = (i: number) => `/subscriptions/${PROVIDER}/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-${i}`;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const fmt = (x: number) => x.toFixed(1);

async function eventsBench() {
  const resources: ArmResource[] = [
    { id: `${HUB_RG}/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net`, type: "Microsoft.Network/privateDnsZones", location: "global", properties: {} },
    { id: `/subscriptions/${CONSUMER}/resourceGroups/rg-app/providers/Microsoft.Network/virtualNetworks/vnet`, type: "Microsoft.Network/virtualNetworks", location: "westeurope", properties: { addressSpace: { addressPrefixes: ["10.0.0.0/8"] }, subnets: [{ name: "pe", properties: { addressPrefix: "10.1.0.0/16" } }] } },
  ];
  for (let i = 0; i < N; i++) resources.push({ id: KV(i), type: "Microsoft.KeyVault/vaults", location: "westeurope", properties: {} });
  const local = await startLocalArm({ resources }, { throttle: false, lroDelayMs: 0 });
  const config = parseConfigText(
    `approval:\n  managedScopes: [/subscriptions/${PROVIDER}]\n  rules:\n    - name: spokes\n      requesterSubscriptions: [${CONSUMER}]\ndns:\n  zones:\n    - name: privatelink.vaultcore.azure.net\n      resourceGroupId: ${HUB_RG}\n`,
    "bench.yaml",
  );
  const autopilot = new Autopilot({ arm: local.arm, config });
  const net = local.arm.networkFor(CONSUMER);
  const ids: string[] = [];
  for (let i = 0; i < N; i++) {
    const pe = await net.privateEndpoints.beginCreateOrUpdateAndWait("rg-app", `pe-${i}`, {
      location: "westeurope",
      subnet: { id: `/subscriptions/${CONSUMER}/resourceGroups/rg-app/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe` },
      manualPrivateLinkServiceConnections: [{ name: "l", privateLinkServiceId: KV(i), groupIds: ["vault"] }],
    });
    ids.push(pe.id!);
  }
  const ev = (id: string, k: number): ResourceEvent => ({ id: `e${k}`, schema: "eventgrid", eventType: "Microsoft.Resources.ResourceWriteSuccess", kind: "write", resourceId: id, resourceType: "Microsoft.Network/privateEndpoints", caller: {} });

  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  local.emulator.clearCalls();
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const s = performance.now();
    const ds = await autopilot.handleEvent(ev(ids[i]!, i));
    lat.push(performance.now() - s);
    if (!ds.some((d) => d.action === "approve" && d.outcome === "applied") || !ds.some((d) => d.action === "dns-create" && d.outcome === "applied")) throw new Error(`event ${i}: ${JSON.stringify(ds)}`);
  }
  const total = performance.now() - t0;
  const calls = local.emulator.calls.length;
  local.emulator.clearCalls(); // the emulator shares this heap: drop its call log before measuring
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;

  // The same change again under new event ids (a second write event): ARM-level idempotence.
  for (let i = 0; i < N; i++) await autopilot.handleEvent(ev(ids[i]!, N + i));
  const dupCalls = local.emulator.calls.length;
  const dupChanges = local.emulator.calls.filter((c) => c.method !== "GET" && c.status < 400).length;
  // Redeliveries (same event id): the ledger answers before any ARM call.
  const ledger = new MemoryEventLedger();
  const raw = (i: number) => ({ id: `r${i}`, eventType: "Microsoft.Resources.ResourceWriteSuccess", subject: ids[i], dataVersion: "2", eventTime: new Date().toISOString(), data: { resourceUri: ids[i], operationName: "Microsoft.Network/privateEndpoints/write", status: "Succeeded" } });
  for (let i = 0; i < N; i++) await handleRawEvent(raw(i), autopilot, silentLogger, { ledger });
  local.emulator.clearCalls();
  const r0 = performance.now();
  for (let i = 0; i < N; i++) await handleRawEvent(raw(i), autopilot, silentLogger, { ledger });
  const redeliveryMs = (performance.now() - r0) / N;
  const redeliveryCalls = local.emulator.calls.length;
  await local.close();
  return {
    events: N,
    "p50 ms/event": fmt(pct(lat, 50)),
    "p95 ms/event": fmt(pct(lat, 95)),
    "events/s": fmt((N / total) * 1000),
    "ARM calls/event (new endpoint: approve + DNS)": fmt(calls / N),
    "ARM calls/event (same change, new event id)": fmt(dupCalls / N),
    "changing writes for those": dupChanges,
    "ARM calls/event (redelivery, same id)": fmt(redeliveryCalls / N),
    "ms/redelivery": redeliveryMs.toFixed(3),
    "heap growth MB over the run (after GC, emulator call log dropped)": fmt((heapAfter - heapBefore) / 1e6),
    "rss MB": fmt(process.memoryUsage().rss / 1e6),
  };
}

function zoneBench() {
  const names = ["kv.vault.azure.net", "acct.privatelink.blob.core.windows.net", "amr.westeurope.redis.azure.net", "foo.example.com", "x.westeurope.azmk8s.io"];
  const n = 200_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) resolveZone(names[i % names.length]!);
  const ms = performance.now() - t0;
  return { lookups: n, "µs/lookup": (ms * 1000 / n).toFixed(2) };
}

function bundleBench() {
  execFileSync(process.execPath, ["build.mjs"], { stdio: "ignore" });
  const file = "dist/functions/index.cjs";
  if (!existsSync(file)) return { bundle: "not built" };
  const loads: number[] = [];
  const script = `const M=require("module");const o=M._load;M._load=function(r,...a){if(r==="@azure/functions-core")return{setProgrammingModel(){},registerFunction(){return{dispose(){}}},registerHook(){return{dispose(){}}}};return o.call(this,r,...a)};const t=process.hrtime.bigint();require("./${file}");console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  for (let i = 0; i < 5; i++) loads.push(Number(execFileSync(process.execPath, ["-e", script]).toString().trim()));
  return { "bundle MB": (statSync(file).size / 1e6).toFixed(2), "load ms (median of 5, registration included)": fmt(pct(loads, 50)) };
}

const results = { node: process.version, date: new Date().toISOString(), ...(await eventsBench()), ...zoneBench(), ...bundleBench() };
console.log(JSON.stringify(results, null, 2));
