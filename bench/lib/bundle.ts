// The app process runs built code, as in Azure: each scenario (and the small child entry
// that runs it) is bundled by esbuild with build.mjs's options (one minified file with its
// packages inside) into dist/bench/, and run on plain node. Under tsx the process also
// holds the TypeScript transformer and every source transpiled at load (about 114 MB for
// the core alone), which is the bench's cost, not the app's.
// The emulator's process (remoteEmulator.ts) still runs from sources under tsx: its memory
// is its own. dist/bench/ sits two levels below the repository root, as bench/scenarios/ does.
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const lib = fileURLToPath(new URL(".", import.meta.url));
const root = join(lib, "../..");
export const BUNDLE_DIR = join(root, "dist/bench");

/** Bundles scenarioChild.ts and the given scenario files; returns the built child and each scenario's built file, by source path. */
export async function bundleScenarios(files: string[]): Promise<{ child: string; built: Map<string, string> }> {
  const child = join(lib, "scenarioChild.ts");
  const r = await build({
    absWorkingDir: root,
    // Flat: dist/bench/<name>.mjs, two levels below the root as bench/scenarios/<name>.ts is.
    entryPoints: [child, ...files].map((f) => ({ in: f, out: basename(f, ".ts") })),
    outdir: BUNDLE_DIR,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    minify: true,
    sourcemap: true,
    metafile: true,
    logLevel: "warning",
    // CommonJS packages inside an ES module bundle still call require() for Node's own modules.
    banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
    // remoteEmulator.ts finds emulatorChild.ts by this, not by the bundle's own URL.
    define: { BENCH_LIB_DIR: JSON.stringify(lib) },
  });
  const built = new Map<string, string>();
  for (const [out, meta] of Object.entries(r.metafile.outputs)) if (meta.entryPoint) built.set(join(root, meta.entryPoint), join(root, out));
  return { child: built.get(child)!, built };
}
