import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // One Azurite for the files that share it, started on the first ask (test/helpers/sharedAzurite.ts).
    globalSetup: ["test/globalSetup.ts"],
    pool: "forks",
    // One module graph per worker instead of per file: each file re-imported the Azure SDKs
    // (about 4 s of transform and import per file, 60 % of the suite's CPU). No test mocks
    // modules, stubs globals or fakes timers, so files do not leak into each other.
    isolate: false,
    // Most of a file's time is spent waiting on sockets, child processes and emulated
    // operations, not on the CPU: vitest's default (cores - 1) ran one file at a time on a
    // 2-core machine. Four workers there took the suite from 145 s to 54 s.
    maxWorkers: Math.max(4, availableParallelism()),
    experimental: {
      // Transformed modules kept on disk between runs (node_modules/.experimental-vitest-cache),
      // keyed by content: a rerun skips most of vite's transform work in vitest's own process.
      fsModuleCache: true,
    },
  },
});
