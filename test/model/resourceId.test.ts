import { describe, expect, it } from "vitest";
import { idKey, isWithinScope, parentResourceId, parseResourceId, sameId, tryParseResourceId } from "../../shared/model/resourceId.js";
import { managedAncestor } from "../../shared/autopilot/autopilot.js";

const conn =
  "/subscriptions/22222222-2222-2222-2222-222222222222/resourcegroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-shared/privateEndpointConnections/pe.1";

describe("resource ids", () => {
  it("parses nested ids whatever the casing of resourceGroups", () => {
    const p = parseResourceId(conn);
    expect(p.subscriptionId).toBe("22222222-2222-2222-2222-222222222222");
    expect(p.resourceGroup).toBe("rg-shared");
    expect(p.type).toBe("Microsoft.KeyVault/vaults/privateEndpointConnections");
    expect(p.name).toBe("pe.1");
    expect(parentResourceId(conn)).toBe(conn.split("/privateEndpointConnections")[0]);
  });

  it("rejects what is not an ARM id", () => {
    expect(() => parseResourceId("subscriptions/x")).toThrow(/must start with \//);
    expect(() => parseResourceId("/subscriptions/x/resourceGroups/rg/providers/Microsoft.KeyVault/vaults")).toThrow(/pairs/);
    expect(() => parseResourceId("/tenants/x")).toThrow(/subscriptions/);
    expect(tryParseResourceId(42)).toBeUndefined();
  });

  it("compares case-insensitively and scopes by whole segments", () => {
    expect(sameId(conn, conn.toUpperCase() + "/")).toBe(true);
    expect(idKey(conn + "/")).toBe(conn.toLowerCase());
    expect(isWithinScope(conn, "/SUBSCRIPTIONS/22222222-2222-2222-2222-222222222222")).toBe(true);
    // A prefix that is not a whole segment is not a scope.
    expect(isWithinScope(conn, "/subscriptions/22222222-2222-2222-2222-22222222222")).toBe(false);
  });

  it("finds the managed provider resource above a child", () => {
    expect(managedAncestor(conn)).toBe(conn.split("/privateEndpointConnections")[0]);
    expect(managedAncestor(conn.replace("privateEndpointConnections/pe.1", "privateEndpointConnectionProxies/x"))).toBe(
      conn.split("/privateEndpointConnections")[0],
    );
    expect(managedAncestor("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app")).toBeUndefined();
  });
});
