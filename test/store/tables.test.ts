// Connection handling; no server needed (clients are only built, never called).
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { describe, expect, it } from "vitest";
import type { TableClient } from "@azure/data-tables";
import {
  StoreSettingsError,
  deleteIgnoringNotFound,
  deleteRowsIgnoringNotFound,
  tableClient,
  tableClientFromSettings,
  tableClientWithCredential,
  tableErrorCode,
  statusOf,
} from "../../shared/store/tables.js";

const KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const fakeCredential: TokenCredential = { getToken: async (): Promise<AccessToken> => ({ token: "t", expiresOnTimestamp: Date.now() + 3_600_000 }) };
/** The SDK keeps the flag on the instance; no public getter. */
const insecureAllowed = (c: object) => (c as { allowInsecureConnection?: boolean }).allowInsecureConnection;

describe("tableClient", () => {
  it("UseDevelopmentStorage=true means Azurite on 127.0.0.1:10002, over http", () => {
    for (const cs of ["UseDevelopmentStorage=true", "UseDevelopmentStorage=true;", " usedevelopmentstorage=TRUE "]) {
      const c = tableClient(cs, "ownershipindex");
      expect(c.url).toBe("http://127.0.0.1:10002/devstoreaccount1");
      expect(c.tableName).toBe("ownershipindex");
      expect(insecureAllowed(c)).toBe(true);
    }
  });

  it("a full Azurite connection string on another port allows http", () => {
    const c = tableClient(
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${KEY};TableEndpoint=http://127.0.0.1:41234/devstoreaccount1;`,
      "t1x",
    );
    expect(c.url).toBe("http://127.0.0.1:41234/devstoreaccount1");
    expect(insecureAllowed(c)).toBe(true);
  });

  it("a real account connection string stays on https", () => {
    const c = tableClient(`DefaultEndpointsProtocol=https;AccountName=stautopilot;AccountKey=${KEY};EndpointSuffix=core.windows.net`, "ownershipindex");
    expect(c.url).toBe("https://stautopilot.table.core.windows.net");
    expect(insecureAllowed(c)).toBe(false);
  });

  it("refuses bad table names and empty connection strings", () => {
    expect(() => tableClient("UseDevelopmentStorage=true", "own-ership")).toThrow(StoreSettingsError);
    expect(() => tableClient("UseDevelopmentStorage=true", "1abc")).toThrow(StoreSettingsError);
    expect(() => tableClient("UseDevelopmentStorage=true", "tables")).toThrow(StoreSettingsError);
    expect(() => tableClient("  ", "ownershipindex")).toThrow(StoreSettingsError);
  });
});

describe("tableClientWithCredential / tableClientFromSettings", () => {
  it("managed identity needs an https table endpoint", () => {
    const c = tableClientWithCredential("https://stautopilot.table.core.windows.net/", "ownershipindex", fakeCredential);
    expect(c.url).toBe("https://stautopilot.table.core.windows.net");
    expect(() => tableClientWithCredential("http://127.0.0.1:10002/devstoreaccount1", "ownershipindex", fakeCredential)).toThrow(/https/);
  });

  it("reads AzureWebJobsStorage, or its identity-based __accountName / __tableServiceUri / __clientId settings", () => {
    const seen: (string | undefined)[] = [];
    const cred = (clientId: string | undefined) => (seen.push(clientId), fakeCredential);
    expect(tableClientFromSettings({ AzureWebJobsStorage: "UseDevelopmentStorage=true" }, "ownershipindex", cred).url).toBe(
      "http://127.0.0.1:10002/devstoreaccount1",
    );
    expect(
      tableClientFromSettings({ AzureWebJobsStorage__accountName: "stautopilot", AzureWebJobsStorage__credential: "managedidentity" }, "ownershipindex", cred)
        .url,
    ).toBe("https://stautopilot.table.core.windows.net");
    expect(
      tableClientFromSettings(
        {
          AzureWebJobsStorage__accountName: "stautopilot",
          AzureWebJobsStorage__tableServiceUri: "https://stautopilot.table.core.usgovcloudapi.net",
          AzureWebJobsStorage__clientId: "cid-1",
        },
        "ownershipindex",
        cred,
      ).url,
    ).toBe("https://stautopilot.table.core.usgovcloudapi.net");
    expect(seen).toEqual([undefined, "cid-1"]);
    expect(() => tableClientFromSettings({}, "ownershipindex", cred)).toThrow(/AzureWebJobsStorage is not set/);
    expect(() => tableClientFromSettings({ AzureWebJobsStorage__accountName: "x" }, "ownershipindex")).toThrow(/no credential/);
  });
});

describe("error helpers", () => {
  it("read statusCode and details.errorCode (the Tables SDK leaves e.code undefined)", () => {
    const e = Object.assign(new Error("x"), { statusCode: 409, details: { errorCode: "TableAlreadyExists" } });
    expect(statusOf(e)).toBe(409);
    expect(tableErrorCode(e)).toBe("TableAlreadyExists");
    expect(statusOf(new Error("y"))).toBeUndefined();
    expect(tableErrorCode(undefined)).toBeUndefined();
  });
});

describe("deleteIgnoringNotFound", () => {
  const failingWith = (statusCode: number) => ({ deleteEntity: () => Promise.reject(Object.assign(new Error("x"), { statusCode })) }) as unknown as TableClient;

  it("a row already gone (404) is not an error; any other failure is", async () => {
    await expect(deleteIgnoringNotFound(failingWith(404), "pk", "rk")).resolves.toBeUndefined();
    await expect(deleteIgnoringNotFound(failingWith(412), "pk", "rk")).rejects.toMatchObject({ statusCode: 412 });
  });
});

describe("deleteRowsIgnoringNotFound", () => {
  // A table as the service behaves: a transaction with one missing row fails whole with 404.
  const fakeTable = (rows: string[], failStatus?: number) => {
    const live = new Set(rows);
    const gone = (statusCode: number) => Promise.reject(Object.assign(new Error("x"), { statusCode }));
    const table = {
      transactions: 0,
      submitTransaction: (b: [string, { partitionKey: string; rowKey: string }][]) => {
        table.transactions++;
        if (failStatus) return gone(failStatus);
        if (b.some(([, e]) => !live.has(`${e.partitionKey}/${e.rowKey}`))) return gone(404);
        for (const [, e] of b) live.delete(`${e.partitionKey}/${e.rowKey}`);
        return Promise.resolve();
      },
      deleteEntity: (pk: string, rk: string) => (live.delete(`${pk}/${rk}`) ? Promise.resolve() : gone(404)),
    };
    return { table, live, client: table as unknown as TableClient };
  };
  const keys = (pk: string, ...rks: string[]) => rks.map((rowKey) => ({ partitionKey: pk, rowKey }));

  it("deletes every row, one transaction per partition, and a row already gone is not an error", async () => {
    const t = fakeTable(["p1/a", "p1/c", "p2/x", "p2/y", "keep/z"]);
    await deleteRowsIgnoringNotFound(t.client, [...keys("p1", "a", "b", "c"), ...keys("p2", "x", "y")], 4);
    expect([...t.live]).toEqual(["keep/z"]);
    expect(t.table.transactions).toBe(2); // p1's failed on the missing b and was redone row by row
  });

  it("any other failure is an error", async () => {
    const t = fakeTable(["p1/a", "p1/b"], 503);
    await expect(deleteRowsIgnoringNotFound(t.client, keys("p1", "a", "b"), 1)).rejects.toMatchObject({ statusCode: 503 });
  });
});
