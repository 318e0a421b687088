// The Functions instrumentation, wired by hand (a bundle defeats require hooks): each
// invocation runs in a span continuing the host's trace (W3C traceparent from the
// invocation context), so the app's log records and spans join the host's request in
// Application Insights. Without a registered tracer provider this is a no-op.
import { context as otelContext, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { InvocationContext } from "@azure/functions";
import { SCOPE } from "../shared/telemetry/signals.js";

export function traced<T>(trigger: "eventgrid" | "queue" | "timer", handler: (input: T, context: InvocationContext) => Promise<void>) {
  return (input: T, context: InvocationContext): Promise<void> => {
    const carrier: Record<string, string> = {};
    if (context.traceContext?.traceParent) carrier.traceparent = context.traceContext.traceParent;
    if (context.traceContext?.traceState) carrier.tracestate = context.traceContext.traceState;
    const parent = propagation.extract(ROOT_CONTEXT, carrier);
    const span = trace.getTracer(SCOPE).startSpan(
      context.functionName,
      {
        kind: trigger === "timer" ? SpanKind.INTERNAL : SpanKind.CONSUMER,
        attributes: { "faas.invocation_id": context.invocationId, "faas.trigger": trigger === "timer" ? "timer" : "pubsub" },
      },
      parent,
    );
    return otelContext.with(trace.setSpan(parent, span), async () => {
      try {
        await handler(input, context);
        span.setStatus({ code: SpanStatusCode.OK });
      } catch (e) {
        span.recordException(e as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).message });
        throw e;
      } finally {
        span.end();
      }
    });
  };
}
