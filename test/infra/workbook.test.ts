// The Azure Monitor workbook shipped with the app (issue 13): the report's figures over the
// app's telemetry. It must be in the compiled template as written, and read only the
// attributes and counters the app emits (shared/telemetry/signals.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { METRICS } from "../../shared/telemetry/signals.js";
import { Evaluator, loadTemplate, moduleTemplate, resourcesOf } from "./armTemplate.js";

const root = new URL("../../", import.meta.url).pathname;
const source = readFileSync(join(root, "infra/modules/reportWorkbook.json"), "utf8");
const workbook = JSON.parse(source) as {
  version: string;
  items: { type: number; name: string; content: { query?: string; title?: string; resourceType?: string } }[];
};
const signals = readFileSync(join(root, "shared/telemetry/signals.ts"), "utf8");

describe("report workbook", () => {
  it("is deployed with the app, on its Application Insights, with the committed JSON as its content", () => {
    const app = moduleTemplate(loadTemplate(join(root, "infra/main.json")), "app");
    const ev = new Evaluator(app, {}, {});
    const wbs = resourcesOf(app)
      .filter((r) => r.type.toLowerCase() === "microsoft.insights/workbooks")
      .flatMap((r) => ev.instances(r));
    expect(wbs).toHaveLength(1);
    const props = wbs[0]!.properties as { serializedData: string; category: string; sourceId: string };
    expect(props.category).toBe("workbook");
    expect(JSON.parse(props.serializedData)).toEqual(workbook);
    expect(JSON.stringify(props.sourceId)).toContain("Microsoft.Insights/components");
  });

  it("has the report's sections, each a query over the app's Application Insights", () => {
    expect(workbook.version).toBe("Notebook/1.0");
    const queries = workbook.items.filter((i) => i.type === 3);
    expect(queries.map((q) => q.name)).toEqual(["connections", "decisions", "zones", "pendingWaiting", "pending", "failures"]);
    for (const q of queries) expect(q.content.resourceType).toBe("microsoft.insights/components");
  });

  it("reads only attributes and counters the app emits", () => {
    const text = workbook.items.map((i) => i.content.query ?? "").join("\n");
    const attrs = [...new Set([...text.matchAll(/customDimensions\["([^"]+)"\]/g)].map((m) => m[1]!))];
    expect(attrs.length).toBeGreaterThan(5);
    for (const a of attrs) expect(signals, a).toContain(`"${a}"`);
    const metrics = [...text.matchAll(/name == "([^"]+)"/g)].map((m) => m[1]!);
    expect(metrics).toEqual([METRICS.pendingWaiting]);
  });
});
