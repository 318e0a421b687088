// Runs once per `vitest run`, in vitest's own process: a broker for one Azurite (Tables, Blob,
// Queue) that the test files share (test/helpers/sharedAzurite.ts), each file in a storage
// account of its own. Nothing starts until a file asks, so a run without such files pays
// nothing; the first ask starts it and the run's end closes it.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import { startAzurite, type AzuriteTables } from "../sandbox/azurite.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** GET it for an account of the shared Azurite (test/helpers/sharedAzurite.ts). */
    azuriteBroker: string;
  }
}

/** Accounts the shared Azurite serves besides devstoreaccount1: one per asking file. */
const ACCOUNTS = Array.from({ length: 64 }, (_, i) => `tests${i + 1}`);

export default async function setup(project: TestProject) {
  const started: Array<Promise<AzuriteTables>> = [];
  let current: Promise<AzuriteTables> | undefined;
  let handedOut = 0;
  /** An account no file had yet; a fresh Azurite once the current one's are all handed out (watch mode reruns files). */
  async function account() {
    if (!current || handedOut === ACCOUNTS.length) {
      started.push((current = startAzurite({ services: ["blob", "queue"], accounts: ACCOUNTS })));
      handedOut = 0;
    }
    const azurite = current;
    const name = ACCOUNTS[handedOut++]!;
    try {
      const a = await azurite;
      return { ...a.account(name), port: a.port, mode: a.mode, startMs: a.startMs };
    } catch (e) {
      if (current === azurite) current = undefined; // the next ask tries again
      throw e;
    }
  }
  const server = createServer((_req, res) => {
    account().then(
      (body) => res.end(JSON.stringify(body)),
      (e: unknown) => {
        res.statusCode = 500;
        res.end(e instanceof Error ? e.message : String(e));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  project.provide("azuriteBroker", `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  return async () => {
    server.close();
    await Promise.all(started.map(async (a) => (await a.catch(() => undefined))?.close()));
  };
}
