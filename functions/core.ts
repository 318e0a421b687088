// The core (shared/runtime/host.ts: the ARM SDKs, storage, identity, the allow-list
// schema) is loaded on a trigger's first invocation, not when the host registers the
// functions: registration needs only the names and bindings. In the deployment bundle it
// is a separate file (build.mjs defines AUTOPILOT_CORE_BUNDLE, an external the bundler
// leaves alone), so a worker that starts pays for it once, when there is work to do.
type Host = typeof import("../shared/runtime/host.js");

declare const AUTOPILOT_CORE_BUNDLE: string | undefined;

let loaded: Promise<Host> | undefined;

export function core(): Promise<Host> {
  const spec = typeof AUTOPILOT_CORE_BUNDLE === "string" ? AUTOPILOT_CORE_BUNDLE : "../shared/runtime/host.js";
  return (loaded ??= import(spec) as Promise<Host>);
}
