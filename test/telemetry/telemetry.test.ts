// Telemetry through the OpenTelemetry SDK with in-memory exporters (what the Azure
// Monitor distro plugs its exporters into): a decision moves the right counter and is a
// structured log record with the event's correlation id; a sweep records its duration
// and the requests waiting for a human; each invocation is a span continuing the host's trace.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metrics, propagation, trace } from "@opentelemetry/api";
import { logs } from "@opentelemetry/api-logs";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { MeterProvider, MetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { InvocationContext } from "@azure/functions";
import { eventGridEvent } from "../../sandbox/eventFactory.js";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { onResourceEvent, onSweepTimer } from "../../shared/runtime/host.js";
import { Runtime } from "../../shared/runtime/runtime.js";
import { METRICS, startTelemetry } from "../../shared/telemetry/index.js";
import { traced } from "../../functions/telemetry.js";

class TestReader extends MetricReader {
  protected async onShutdown() {}
  protected async onForceFlush() {}
}

const reader = new TestReader();
const logExporter = new InMemoryLogRecordExporter();
const spanExporter = new InMemorySpanExporter();
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const PE = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-app-web/providers/Microsoft.Network/privateEndpoints/pe-web-kv";
const STRANGER = "/subscriptions/99999999-9999-9999-9999-999999999999/resourceGroups/rg-stranger/providers/Microsoft.Network/privateEndpoints/pe-stranger-kv";
let local: LocalArm;
let runtime: Runtime;

async function points(name: string) {
  const { resourceMetrics } = (await reader.collect()) as { resourceMetrics: ResourceMetrics };
  const m = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((x) => x.descriptor.name === name);
  return (m?.dataPoints ?? []) as Array<{ value: unknown; attributes: Record<string, unknown> }>;
}
const total = async (name: string) => (await points(name)).reduce((n, p) => n + (p.value as number), 0);

beforeAll(async () => {
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  logs.setGlobalLoggerProvider(new LoggerProvider({ processors: [new SimpleLogRecordProcessor(logExporter)] }));
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] }));
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  local = await startLocalArm(JSON.parse(readFileSync(new URL("../../examples/estate.json", import.meta.url), "utf8")), { throttle: false });
  runtime = new Runtime({
    allowListPath: new URL("../../sandbox/demo/allow-list.yaml", import.meta.url).pathname,
    dryRun: false,
    identity: {},
    arm: local.arm.settings,
  });
});
afterAll(async () => {
  metrics.disable();
  logs.disable();
  trace.disable();
  propagation.disable();
  await local?.close();
});

describe("telemetry", () => {
  it("is off without APPLICATIONINSIGHTS_CONNECTION_STRING (nothing loaded, nothing started)", async () => {
    expect(
      await startTelemetry({}, () => {
        throw new Error("no credential wanted");
      }),
    ).toBe(false);
  });

  it("an approval moves autopilot.approvals (and nothing else) and is a log record with the correlation id", async () => {
    const ev = JSON.parse(JSON.stringify(eventGridEvent({ resourceId: PE, operationName: "Microsoft.Network/privateEndpoints/write" })));
    const before = { approvals: await total(METRICS.approvals), rejections: await total(METRICS.rejections), errors: await total(METRICS.errors) };
    const decisions = await onResourceEvent(ev, quiet, runtime);
    expect(decisions.map((d) => d.action)).toContain("approve");
    expect(await total(METRICS.approvals)).toBe(before.approvals + 1);
    expect(await total(METRICS.rejections)).toBe(before.rejections);
    expect(await total(METRICS.errors)).toBe(before.errors);
    const approval = (await points(METRICS.approvals)).find((p) => p.attributes["autopilot.outcome"] === "applied");
    expect(approval?.attributes).toMatchObject({ "autopilot.action": "approve", "autopilot.trigger": "event", "autopilot.rule": "corp-spokes" });
    expect(await total(METRICS.dnsWrites)).toBeGreaterThanOrEqual(1); // its record was written too
    const record = logExporter.getFinishedLogRecords().find((r) => r.attributes["autopilot.action"] === "approve");
    expect(record?.attributes).toMatchObject({ "autopilot.correlation_id": ev.data.correlationId, "autopilot.event": ev.id, "autopilot.outcome": "applied" });
    expect(record?.body).toMatch(/^approve /);
  });

  it("a request nobody allows moves autopilot.leave_pending; a failed event moves errors and retries", async () => {
    const ev = () => JSON.parse(JSON.stringify(eventGridEvent({ resourceId: STRANGER, operationName: "Microsoft.Network/privateEndpoints/write" })));
    const pending = await total(METRICS.leavePending);
    await onResourceEvent(ev(), quiet, runtime);
    expect(await total(METRICS.leavePending)).toBe(pending + 1);
    const [errors, retries] = [await total(METRICS.errors), await total(METRICS.retries)];
    local.emulator.injectFault({ method: "GET", pathIncludes: "pe-stranger-kv", status: 400, code: "BadRequest", count: 1 });
    await expect(onResourceEvent(ev(), quiet, runtime)).rejects.toThrow(/redelivery/);
    expect(await total(METRICS.errors)).toBe(errors + 1);
    expect(await total(METRICS.retries)).toBe(retries + 1);
  });

  it("a sweep records its duration and how many requests wait for a human", async () => {
    const report = await onSweepTimer(quiet, runtime);
    expect(report.complete).toBe(true);
    const waiting = await points(METRICS.pendingWaiting);
    expect(waiting.at(-1)?.value).toBe(report.decisions.filter((d) => d.action === "leave-pending").length);
    expect(waiting.at(-1)?.value).toBeGreaterThanOrEqual(1); // the stranger still waits
    const duration = await points(METRICS.sweepDurationMs);
    expect((duration[0]?.value as { count: number }).count).toBe(1);
    expect(
      logExporter
        .getFinishedLogRecords()
        .some((r) => r.attributes["autopilot.trigger"] === "sweep" && r.attributes["autopilot.correlation_id"] === report.runId),
    ).toBe(true);
  });

  it("each invocation is a span in the host's trace (traceparent from the invocation context)", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const ctx = new InvocationContext({
      invocationId: "inv-1",
      functionName: "resourceEventsQueue",
      traceContext: { traceParent: `00-${traceId}-00f067aa0ba902b7-01`, traceState: "", attributes: {} },
    });
    await traced("queue", async () => {})("x", ctx);
    await expect(
      traced("queue", async () => {
        throw new Error("boom");
      })("x", ctx),
    ).rejects.toThrow("boom");
    const spans = spanExporter.getFinishedSpans().filter((s) => s.name === "resourceEventsQueue");
    expect(spans).toHaveLength(2);
    expect(spans.every((s) => s.spanContext().traceId === traceId)).toBe(true);
    expect(spans.map((s) => s.status.code)).toEqual([1, 2]); // OK, ERROR
    expect(spans[0]!.attributes["faas.invocation_id"]).toBe("inv-1");
  });
});
