// Which consumer-listed names provably belong to the endpoint's own target (pure).
import { describe, expect, it } from "vitest";
import { provenTargetName } from "../../shared/dns/targetNames.js";
import type { EndpointLink } from "../../shared/model/endpoint.js";

const id = (type: string, name: string) => `/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg/providers/${type}/${name}`;
const link = (type: string, name: string, groupIds: string[]): EndpointLink[] => [
  { targetResourceId: id(type, name), groupIds, manual: true, status: "Approved" },
];

describe("provenTargetName", () => {
  it("accepts the target's own name in a zone the table lists for its type and group id", () => {
    expect(provenTargetName("kv-shared.vault.azure.net", link("Microsoft.KeyVault/vaults", "kv-shared", ["vault"]))).toMatchObject({
      zone: "privatelink.vaultcore.azure.net",
      recordName: "kv-shared",
    });
    expect(provenTargetName("KV-Shared.privatelink.vaultcore.azure.net.", link("Microsoft.KeyVault/vaults", "kv-shared", ["vault"]))).toMatchObject({
      recordName: "kv-shared",
    });
    expect(provenTargetName("st1.blob.core.windows.net", link("Microsoft.Storage/storageAccounts", "st1", ["blob"]))).toMatchObject({
      zone: "privatelink.blob.core.windows.net",
    });
    expect(provenTargetName("sql1.database.windows.net", link("Microsoft.Sql/servers", "sql1", ["sqlServer"]))).toBeDefined();
  });

  it("refuses another resource's name, another type's zone, another group's zone", () => {
    expect(provenTargetName("kv-shared.vault.azure.net", link("Microsoft.Storage/storageAccounts", "stattacker", ["blob"]))).toBeUndefined();
    expect(provenTargetName("kv-shared.vault.azure.net", link("Microsoft.Storage/storageAccounts", "kv-shared", ["blob"]))).toBeUndefined();
    expect(provenTargetName("kv-other.vault.azure.net", link("Microsoft.KeyVault/vaults", "kv-shared", ["vault"]))).toBeUndefined();
    expect(provenTargetName("st1.queue.core.windows.net", link("Microsoft.Storage/storageAccounts", "st1", ["blob"]))).toBeUndefined();
    expect(provenTargetName("st1.blob.core.windows.net", link("Microsoft.Storage/storageAccounts", "st1", []))).toBeUndefined();
  });

  it("leaves to the NIC what a name alone cannot prove: region-extended names, names not keyed by the resource name, aliases", () => {
    expect(provenTargetName("cosmos1-westeurope.documents.azure.com", link("Microsoft.DocumentDB/databaseAccounts", "cosmos1", ["Sql"]))).toBeUndefined();
    expect(provenTargetName("amr1.westeurope.redis.azure.net", link("Microsoft.Cache/redisEnterprise", "amr1", ["redisEnterprise"]))).toBeUndefined();
    expect(provenTargetName("oai1.openai.azure.com", link("Microsoft.CognitiveServices/accounts", "oai1", ["account"]))).toBeUndefined();
    expect(provenTargetName("x.example.com", link("Microsoft.KeyVault/vaults", "x", ["vault"]))).toBeUndefined();
    expect(provenTargetName("kv.vault.azure.net", [{ alias: "svc.guid.westeurope.azure.privatelinkservice", groupIds: [], manual: true }])).toBeUndefined();
  });
});
