import { defineConfig } from "vitest/config";

// `npm run test:browser`: checks that need a real browser (/usr/bin/chromium); not in `npm test`.
export default defineConfig({
  test: {
    include: ["test/browser/**/*.browser.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
