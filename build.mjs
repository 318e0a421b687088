// Deployment bundle, three CommonJS files:
// - dist/functions/index.cjs (package.json "main"): what the Functions host loads to register
//   the triggers. Names and bindings only, so a starting worker is ready at once.
// - dist/functions/core.cjs: the app (shared/runtime/host.ts with the ARM SDKs, storage, identity),
//   loaded by a trigger's first invocation (functions/core.ts).
// - dist/functions/telemetry.cjs: the Application Insights exporter, loaded only when
//   APPLICATIONINSIGHTS_CONNECTION_STRING is set, so an app without telemetry never reads it.
// @azure/functions-core is injected by the host, so it stays external. Each build writes an
// esbuild metafile (dist/functions/*.meta.json) for `node build.mjs --sizes` and bench/.
import { writeFileSync } from "node:fs";
import { build } from "esbuild";

// Some ESM dependencies (@azure/storage-common's crc64) call createRequire(import.meta.url):
// in a CommonJS bundle import.meta is empty, so give it the bundle's own URL.
const importMeta = { define: { "import.meta.url": "__bundle_url" }, banner: { js: 'const __bundle_url=require("url").pathToFileURL(__filename).href;' } };
const common = { bundle: true, platform: "node", target: "node20", format: "cjs", minify: true, sourcemap: true, metafile: true, logLevel: "warning" };
const CORE = "./core.cjs";
const TELEMETRY = "./telemetry.cjs";
export const CHUNKS = ["index.cjs", "core.cjs", "telemetry.cjs"];

const [main, core, telemetry] = await Promise.all([
  build({
    ...common,
    entryPoints: ["functions/index.ts"],
    outfile: "dist/functions/index.cjs",
    external: ["@azure/functions-core", CORE],
    define: { AUTOPILOT_CORE_BUNDLE: JSON.stringify(CORE) },
  }),
  build({
    ...common,
    entryPoints: ["shared/runtime/host.ts"],
    outfile: "dist/functions/core.cjs",
    external: [TELEMETRY],
    banner: importMeta.banner,
    define: { ...importMeta.define, AUTOPILOT_TELEMETRY_BUNDLE: JSON.stringify(TELEMETRY) },
  }),
  build({ ...common, ...importMeta, entryPoints: ["shared/telemetry/azureMonitor.ts"], outfile: "dist/functions/telemetry.cjs" }),
]);
const results = { "index.cjs": main, "core.cjs": core, "telemetry.cjs": telemetry };
for (const [file, r] of Object.entries(results)) writeFileSync(`dist/functions/${file.replace(/\.cjs$/, ".meta.json")}`, JSON.stringify(r.metafile));
const size = (file) => (results[file].metafile.outputs[`dist/functions/${file}`]?.bytes ?? 0) / 1e6;
console.log(`built dist/functions/{${CHUNKS.join(",")}} (${CHUNKS.map((f) => `${size(f).toFixed(2)} MB`).join(", ")}), source maps beside them`);
if (process.argv.includes("--sizes")) {
  for (const file of CHUNKS) {
    const out = results[file].metafile.outputs[`dist/functions/${file}`];
    const byPackage = {};
    for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? "(this app)";
      byPackage[pkg] = (byPackage[pkg] ?? 0) + bytesInOutput;
    }
    console.log(`\n${file}: ${out.bytes.toLocaleString("en")} bytes`);
    for (const [pkg, bytes] of Object.entries(byPackage)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15))
      console.log(`  ${pkg.padEnd(34)} ${bytes.toLocaleString("en").padStart(10)}  ${((100 * bytes) / out.bytes).toFixed(1)} %`);
  }
}
