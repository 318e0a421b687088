#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx), so the command works right after `npm ci`.
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("../cli/main.ts");
process.exitCode = await runCli(process.argv.slice(2));
