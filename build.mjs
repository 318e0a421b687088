// Deployment bundle: one CommonJS file the Functions host loads (package.json "main").
// @azure/functions-core is injected by the host, so it stays external.
import { build } from "esbuild";

const result = await build({
  entryPoints: ["functions/index.ts"],
  outfile: "dist/functions/index.cjs",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: true,
  sourcemap: true,
  external: ["@azure/functions-core"],
  metafile: true,
  logLevel: "warning",
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`built dist/functions/index.cjs (${(bytes / 1e6).toFixed(2)} MB with source map)`);
