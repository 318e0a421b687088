// An estate made of the official REST examples (test/fixtures/reference), with a
// few connection states switched to Pending so there is something to decide.
import { readFileSync } from "node:fs";
import type { ArmResource, Estate } from "../../sandbox/estate.js";

export function refExample(path: string): any {
  return JSON.parse(readFileSync(new URL(`../fixtures/reference/rest-api-examples/${path}`, import.meta.url), "utf8"));
}

const body = (path: string, status = "200") => structuredClone(refExample(path).responses[status].body);

export const REF = {
  vault: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/sample-group/providers/Microsoft.KeyVault/vaults/sample-vault",
  kvConnection:
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/sample-group/providers/Microsoft.KeyVault/vaults/sample-vault/privateEndpointConnections/sample-pec",
  kvRequester: "/subscriptions/00000000-0000-0000-1234-000000000000/resourceGroups/sample-group/providers/Microsoft.Network/privateEndpoints/sample-pe",
  pls: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.Network/privateLinkServices/testPls",
  plsEndpoint: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.Network/privateEndpoints/testPe",
  plsPendingConnection:
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.Network/privateLinkServices/testPls/privateEndpointConnections/testPe.conn",
  redisEnterprise: "/subscriptions/e7b5a9d2-6b6a-4d2f-9143-20d9a10f5b8f/resourceGroups/rg1/providers/Microsoft.Cache/redisEnterprise/cache1",
  redisEnterpriseConnection:
    "/subscriptions/e7b5a9d2-6b6a-4d2f-9143-20d9a10f5b8f/resourceGroups/rg1/providers/Microsoft.Cache/redisEnterprise/cache1/privateEndpointConnections/pectest01",
};

function parent(id: string, type: string, properties: Record<string, unknown> = {}): ArmResource {
  return { id, name: id.split("/").pop()!, type, location: "westus", properties: { provisioningState: "Succeeded", ...properties } };
}

function pending<T extends ArmResource>(r: T, description: string): T {
  r.properties!.privateLinkServiceConnectionState = { status: "Pending", description, actionsRequired: "None" };
  return r;
}

export function referenceEstate(): Estate {
  const kvConn = pending(body("keyvault/2025-05-01/getPrivateEndpointConnection.json"), "Please approve: sample app");
  const plsList = body("network/2025-03-01/PrivateLinkServiceListPrivateEndpointConnection.json").value as ArmResource[];
  // The manual-approval endpoint example targets testPls; give it its Pending connection there.
  const pe = body("network/2025-03-01/PrivateEndpointGetForManualApproval.json");
  pe.properties.manualPrivateLinkServiceConnections[0].properties.privateLinkServiceId = REF.pls;
  const plsPending = pending({ ...structuredClone(plsList[0]!), id: REF.plsPendingConnection, name: "testPe.conn" }, "Please manually approve my connection.");
  plsPending.properties!.privateEndpoint = { id: REF.plsEndpoint };
  const reConn = pending(body("redisenterprise/2025-04-01/RedisEnterpriseListPrivateEndpointConnections.json").value[0], "cache access for rg1");
  return {
    resources: [
      parent(REF.vault, "Microsoft.KeyVault/vaults", { tenantId: "00000000-0000-0000-0000-000000000000", sku: { family: "A", name: "standard" } }),
      kvConn,
      parent(REF.pls, "Microsoft.Network/privateLinkServices"),
      ...plsList,
      plsPending,
      pe,
      parent(REF.redisEnterprise, "Microsoft.Cache/redisEnterprise"),
      reConn,
    ],
  };
}

export const REFERENCE_ALLOW_LIST = `
approval:
  managedScopes:
    - /subscriptions/00000000-0000-0000-0000-000000000000
    - /subscriptions/e7b5a9d2-6b6a-4d2f-9143-20d9a10f5b8f
  unmatched: leave-pending
  rules:
    - name: kv-consumers
      requesterSubscriptions: [00000000-0000-0000-1234-000000000000]
      targetResourceTypes: [Microsoft.KeyVault/vaults]
    - name: redis-same-subscription
      requesterSubscriptions: [e7b5a9d2-6b6a-4d2f-9143-20d9a10f5b8f]
      requesterResourceGroups: [rg*]
      targetResourceTypes: [Microsoft.Cache/redisEnterprise]
`;
