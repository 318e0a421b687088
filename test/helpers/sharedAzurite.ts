// One Azurite (Tables) for the test files whose tables have names of their own (a prefix, the
// worker's pid and a counter): each Azurite start costs about 1 s of CPU. test/globalSetup.ts
// starts it on the first ask and closes it when the run ends, so a file does not close it.
// Files that need an empty service or fixed names (the app's table, a queue, a container)
// start their own with sandbox/azurite.ts.
import { inject } from "vitest";
import type { AzuriteTables } from "../../sandbox/azurite.js";

export type SharedAzurite = Pick<AzuriteTables, "connectionString" | "tableEndpoint" | "port" | "mode" | "startMs">;

let shared: Promise<SharedAzurite> | undefined;

export function sharedAzurite(): Promise<SharedAzurite> {
  return (shared ??= ask().catch((e: unknown) => {
    shared = undefined;
    throw e;
  }));
}

async function ask(): Promise<SharedAzurite> {
  const res = await fetch(inject("azuriteBroker"));
  const body = await res.text();
  if (!res.ok) throw new Error(`the shared Azurite did not start: ${body}`);
  return JSON.parse(body) as SharedAzurite;
}
