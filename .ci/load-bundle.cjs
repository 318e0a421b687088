// Loads a built Functions bundle as the Node worker would, with a stand-in for the
// host-injected @azure/functions-core module, and prints every registration as JSON
// (name, bindings, whether a handler came with it), then the files it loads later. Plain CommonJS: it runs under any
// Node binary, with nothing from node_modules.
"use strict";
const Module = require("node:module");
const path = require("node:path");

const registrations = [];
const core = {
  setProgrammingModel() {},
  registerFunction(metadata, handler) {
    registrations.push({ name: metadata.name, bindings: metadata.bindings, handler: typeof handler });
    return { dispose() {} };
  },
  registerHook() {
    return { dispose() {} };
  },
};
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === "@azure/functions-core") return core;
  return load.call(this, request, ...rest);
};
require(path.resolve(process.argv[2]));

// The core file (argv[4]) a trigger's first invocation loads (functions/core.ts): it loads
// without node_modules and exports the handlers the triggers call.
function coreHandlers(file) {
  if (!file) return undefined;
  const mod = require(path.resolve(file));
  return ["onResourceEvent", "onQueueMessage", "onSweepTimer"].filter((k) => typeof mod[k] === "function");
}
const coreExports = coreHandlers(process.argv[4]);

// The lazily loaded Application Insights file (argv[3]): it loads, and starting it registers
// the global OpenTelemetry providers the app's signals go through (no data is sent: the
// ingestion endpoint is a closed local port, and it is shut down at once).
async function telemetry(file) {
  if (!file) return undefined;
  const mod = require(path.resolve(file));
  const t = mod.startAzureMonitor({ connectionString: "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/" });
  const api = globalThis[Symbol.for("opentelemetry.js.api.1")] || {};
  const registered = ["metrics", "trace", "propagation"].filter((k) => api[k]);
  await Promise.race([t.shutdown(), new Promise((r) => setTimeout(r, 5000))]);
  return registered;
}

telemetry(process.argv[3]).then(
  (registered) => {
    process.stdout.write(JSON.stringify({ node: process.version, registrations, telemetry: registered, core: coreExports }) + "\n");
    process.exit(0);
  },
  (e) => {
    process.stderr.write(`telemetry file failed: ${e && e.stack}\n`);
    process.exit(1);
  },
);
