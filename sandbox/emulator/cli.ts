// Runs the emulator on its own for a human: `npx tsx sandbox/emulator/cli.ts
// [--estate estate.json] [--port 8443] [--ca-out emulator-ca.pem] [--time-scale 1] [--lro-ms 20]
// [--page-size 100] [--no-throttle]`. Point clients at the printed URL with the
// CA file (tlsOptions: { ca } or NODE_EXTRA_CA_CERTS); look at /_emulator/*.
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startEmulator } from "./index.js";

const { values } = parseArgs({
  options: {
    estate: { type: "string" },
    port: { type: "string" },
    "ca-out": { type: "string" },
    "lro-ms": { type: "string" },
    "time-scale": { type: "string" },
    "page-size": { type: "string" },
    "no-throttle": { type: "boolean" },
  },
});

const emu = await startEmulator({
  estate: values.estate ? JSON.parse(readFileSync(values.estate, "utf8")) : undefined,
  port: values.port ? Number(values.port) : 0,
  lroDelayMs: values["lro-ms"] ? Number(values["lro-ms"]) : undefined,
  timeScale: values["time-scale"] ? Number(values["time-scale"]) : undefined,
  pageSize: values["page-size"] ? Number(values["page-size"]) : undefined,
  throttle: values["no-throttle"] ? false : undefined,
});
const caPath = values["ca-out"] ?? "emulator-ca.pem";
writeFileSync(caPath, emu.ca);
console.log(`ARM emulator at ${emu.url} (CA written to ${caPath})`);
console.log(`  look: ${emu.url}/_emulator/estate  ${emu.url}/_emulator/calls`);
const stop = () => void emu.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
