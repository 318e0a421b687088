// One Azurite (Tables, Blob, Queue) for the test files, each in a storage account of its own
// (an empty namespace of tables, queues and containers, the well-known key): each Azurite
// start costs about 1 s of CPU. test/globalSetup.ts starts it on the first ask and closes it
// when the run ends, so a file does not close it. Ask once per file (in beforeAll).
import { inject } from "vitest";
import type { AzuriteAccount, AzuriteTables } from "../../sandbox/azurite.js";

export type SharedAzurite = AzuriteAccount & Pick<AzuriteTables, "port" | "mode" | "startMs">;

export async function sharedAzurite(): Promise<SharedAzurite> {
  const res = await fetch(inject("azuriteBroker"));
  const body = await res.text();
  if (!res.ok) throw new Error(`no account of the shared Azurite: ${body}`);
  return JSON.parse(body) as SharedAzurite;
}
