// Lint: typescript-eslint's type-checked rules, on every file tsconfig.json covers.
// What they catch here: a forgotten await (lost work, a missing audit row), a promise
// passed where a callback is expected, a value import of a type, loose equality.
// The no-unsafe-* family is off for now: ARM bodies cross the SDK boundary as loosely
// typed JSON in the emulator, the gateways and the tests; typing them is issue 9's
// follow-up, after which these rules go on for shared/ first.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

// Modules that do I/O themselves, refused in the pure folders (with @azure/storage-*, below).
const IO_MODULES = ["node:fs", "node:fs/promises", "fs", "fs/promises", "node:http", "node:https", "http", "https", "@azure/data-tables", "@azure/identity"];
const NO_IO = "A pure folder does no I/O: files, HTTP, storage and credentials belong in shared/gateways, shared/store or shared/config/sources.";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "infra/**/*.json"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports", disallowTypeAnnotations: false }],
      eqeqeq: ["error", "always", { null: "ignore" }],
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-explicit-any": "off",
      // Interface implementations (memory stores, stand-ins) are async without awaiting.
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-unused-expressions": ["error", { allowShortCircuit: true, allowTernary: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // ARM I/O through the gateways only (issue 9, README "Layout"): the SDK clients (@azure/arm-*)
    // are imported under shared/gateways/ and nowhere else in the app, so the one write gate and
    // dry-run cannot be walked around. Exempt: test/, bench/ and sandbox/, which build their own
    // clients on purpose (a team creating its endpoint, the emulator's own checks).
    // The TypeScript variant of the rule, so it adds to (not replaces) the pure-folder rule below.
    files: ["**/*.ts"],
    ignores: ["shared/gateways/**", "test/**", "bench/**", "sandbox/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@azure/arm-*"],
              message: "Only shared/gateways/ talks to ARM through the SDK clients: add what you need to a gateway (or the ResourceInventory).",
            },
          ],
        },
      ],
    },
  },
  {
    // One way in (issue 9, README "Layout"): the Functions, the sandbox and the CLI call the
    // Runtime's entry points (handleEvent, handleQueueMessage, sweep), which run the event and
    // sweep pipelines with the ledger, write-ahead intents and audit trail. The pipelines
    // themselves are for the Runtime; test/ and bench/ drive them with a core of their own.
    // (The pure-folder entry below sets the same rule again for its folders, forbidding all of runtime/.)
    files: ["**/*.ts"],
    ignores: ["shared/runtime/runtime.ts", "test/**", "bench/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/handleEvent.js"],
              importNames: ["handleRawEvent"],
              message: "Call the Runtime's handleEvent / handleQueueMessage (shared/runtime/runtime.ts): the one way in.",
            },
            {
              group: ["**/auditedSweep.js"],
              importNames: ["auditedSweep"],
              message: "Call the Runtime's sweep (shared/runtime/runtime.ts): the one way in.",
            },
          ],
        },
      ],
    },
  },
  {
    // Pure folders (issue 9, README "Layout"): the nouns, rules and plans do no I/O, so they
    // import nothing from the ARM gateways, the stores, the runtime, the core or the appliers,
    // nor the allow-list's readers (shared/config/sources/: a file, a folder, a blob, the cache),
    // nor the modules that do I/O themselves: the file system, HTTP, the storage and Table SDKs,
    // credentials (the ARM SDKs are refused everywhere outside shared/gateways/, above).
    files: [
      "shared/model/**",
      "shared/util/**",
      "shared/config/**",
      "shared/events/**",
      "shared/approval/plan.ts",
      "shared/approval/rules.ts",
      "shared/approval/requestFacts.ts",
      "shared/dns/**",
      "shared/cleanup/plan.ts",
      "shared/report/**",
    ],
    ignores: ["shared/dns/registrar.ts", "shared/config/sources/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: IO_MODULES.map((name) => ({ name, message: NO_IO })),
          patterns: [
            { group: ["@azure/storage-*"], message: NO_IO },
            {
              group: [
                "**/gateways/**",
                "**/store/**",
                "**/runtime/**",
                "**/autopilot/**",
                "**/config/sources/**",
                "./sources/**",
                "**/registrar.js",
                "**/cleaner.js",
                "**/applier.js",
              ],
              message:
                "A pure folder (shared/model, util, config but its sources/, events, approval plans and rules, dns, cleanup/plan, report) must not import I/O code.",
            },
          ],
        },
      ],
    },
  },
  {
    // Decisions are built by shared/model/decision.ts (decision(), ignored(), retryLater()), not spelled out.
    files: ["shared/autopilot/**", "shared/approval/**", "shared/dns/**", "shared/cleanup/**", "shared/gateways/**", "shared/runtime/**"],
    rules: {
      "no-restricted-syntax": [
        "error",
        { selector: "ObjectExpression > Property[key.name='outcome']", message: "Build decisions with decision() / ignored() from shared/model/decision.ts." },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // Plain CommonJS on purpose: it runs under any Node binary with nothing from node_modules.
    files: ["**/*.cjs"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
