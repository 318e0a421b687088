// Loads a built Functions bundle as the Node worker would, with a stand-in for the
// host-injected @azure/functions-core module, and prints every registration as JSON
// (name, bindings, whether a handler came with it). Plain CommonJS: it runs under any
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
process.stdout.write(JSON.stringify({ node: process.version, registrations }) + "\n");
process.exit(0);
