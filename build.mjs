// Deployment bundle: one CommonJS file the Functions host loads (package.json "main"),
// plus the Application Insights exporter as a second file (telemetry.cjs) that the
// app loads only when APPLICATIONINSIGHTS_CONNECTION_STRING is set, so the main file
// stays small and an app without telemetry never reads it.
// @azure/functions-core is injected by the host, so it stays external.
import { build } from "esbuild";

// Some ESM dependencies (@azure/storage-common's crc64) call createRequire(import.meta.url):
// in a CommonJS bundle import.meta is empty, so give it the bundle's own URL.
const importMeta = { define: { "import.meta.url": "__bundle_url" }, banner: { js: 'const __bundle_url=require("url").pathToFileURL(__filename).href;' } };
const common = { bundle: true, platform: "node", target: "node20", format: "cjs", minify: true, sourcemap: true, metafile: true, logLevel: "warning" };
const TELEMETRY = "./telemetry.cjs";

const [main, telemetry] = await Promise.all([
  build({
    ...common,
    entryPoints: ["functions/index.ts"],
    outfile: "dist/functions/index.cjs",
    external: ["@azure/functions-core", TELEMETRY],
    banner: importMeta.banner,
    define: { ...importMeta.define, AUTOPILOT_TELEMETRY_BUNDLE: JSON.stringify(TELEMETRY) },
  }),
  build({ ...common, ...importMeta, entryPoints: ["shared/telemetry/azureMonitor.ts"], outfile: "dist/functions/telemetry.cjs" }),
]);
const size = (r, file) => (r.metafile.outputs[file]?.bytes ?? 0) / 1e6;
console.log(`built dist/functions/index.cjs (${size(main, "dist/functions/index.cjs").toFixed(2)} MB) and dist/functions/telemetry.cjs (${size(telemetry, "dist/functions/telemetry.cjs").toFixed(2)} MB), source maps beside them`);
