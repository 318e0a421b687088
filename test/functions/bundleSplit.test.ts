// The registration file the Functions host loads stays small: the triggers reach the core
// (ARM SDKs, storage, identity) only through functions/core.ts's lazy import, which
// build.mjs leaves external (core.cjs). A static import of the core from functions/ would
// pull it all back into the file every worker start pays for.
import { describe, expect, it } from "vitest";
import { build } from "esbuild";

describe("deployment bundle split", () => {
  it("index.cjs holds the registrations without the core: no ARM SDK, no shared/runtime/host.ts, under 0.2 MB", async () => {
    const r = await build({
      entryPoints: ["functions/index.ts"],
      bundle: true,
      platform: "node",
      target: "node20",
      format: "cjs",
      minify: true,
      write: false,
      metafile: true,
      logLevel: "silent",
      external: ["@azure/functions-core", "./core.cjs"],
      define: { AUTOPILOT_CORE_BUNDLE: JSON.stringify("./core.cjs") },
    });
    const inputs = Object.keys(r.metafile.inputs);
    expect(inputs.filter((f) => /@azure\/(arm-|identity|storage-|data-tables)/.test(f))).toEqual([]);
    expect(inputs.filter((f) => /^shared\/(runtime\/host|autopilot\/|cleanup\/cleaner|dns\/registrar|model\/decision)/.test(f))).toEqual([]);
    expect(inputs).toContain("functions/core.ts");
    expect(r.outputFiles[0]!.contents.length).toBeLessThan(200_000);
    expect(r.outputFiles[0]!.text).toContain('import("./core.cjs")');
  });
});
