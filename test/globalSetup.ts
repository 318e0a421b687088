// Runs once per `vitest run`, in vitest's own process: a broker for one Azurite that every test
// file may share (test/helpers/sharedAzurite.ts). Nothing starts until a file asks, so a run
// without such files pays nothing; the first ask starts it and the run's end closes it.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import { startAzurite, type AzuriteTables } from "../sandbox/azurite.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** GET it for the shared Azurite's connection details (test/helpers/sharedAzurite.ts). */
    azuriteBroker: string;
  }
}

export default async function setup(project: TestProject) {
  let azurite: Promise<AzuriteTables> | undefined;
  const server = createServer((_req, res) => {
    azurite ??= startAzurite();
    azurite.then(
      (a) => res.end(JSON.stringify({ connectionString: a.connectionString, tableEndpoint: a.tableEndpoint, port: a.port, mode: a.mode, startMs: a.startMs })),
      (e: unknown) => {
        azurite = undefined; // the next ask tries again
        res.statusCode = 500;
        res.end(e instanceof Error ? e.message : String(e));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  project.provide("azuriteBroker", `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  return async () => {
    server.close();
    await (await azurite?.catch(() => undefined))?.close();
  };
}
