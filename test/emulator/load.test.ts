// Loading an estate made of recorded bodies: a parent's GET embeds its connections
// (often partially: no `groupId`, or an older status), and must not overwrite the
// connection's own, fuller entry, whichever of the two comes first.
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import type { ArmResource } from "../../sandbox/estate.js";
import { parseConfigText } from "../../shared/config/index.js";
import { Autopilot } from "../../shared/autopilot/autopilot.js";
import { startLocalArm } from "../../sandbox/localArm.js";

const ACCOUNT = "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-shared/providers/Microsoft.DocumentDB/databaseAccounts/cosmos1";
const CONN = `${ACCOUNT}/privateEndpointConnections/pe-app.conn`;
const PE = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/pe-app";

// The connection as its own GET answers (Cosmos DB: singular groupId).
const connection: ArmResource = {
  id: CONN,
  name: "pe-app.conn",
  type: "Microsoft.DocumentDB/databaseAccounts/privateEndpointConnections",
  properties: {
    groupId: "Sql",
    privateEndpoint: { id: PE },
    privateLinkServiceConnectionState: { status: "Pending", description: "please", actionsRequired: "None" },
    provisioningState: "Succeeded",
  },
};
// The account as its GET answers, recorded a moment earlier: {id, properties} without groupId.
const account: ArmResource = {
  id: ACCOUNT,
  type: "Microsoft.DocumentDB/databaseAccounts",
  location: "westeurope",
  properties: {
    privateEndpointConnections: [
      { id: CONN, properties: { privateEndpoint: { id: PE }, privateLinkServiceConnectionState: { status: "Approved", actionsRequired: "None" } } },
    ],
  },
};

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

describe("estate loader", () => {
  it.each([
    ["child before parent", [connection, account]],
    ["parent before child", [account, connection]],
  ])("%s: the connection's own entry wins over the parent's embedded copy", async (_name, resources) => {
    emu = await startEmulator({ estate: { resources: structuredClone(resources) }, throttle: false });
    const c = emu.getResource(CONN)!;
    expect(c.properties).toMatchObject({ groupId: "Sql", privateLinkServiceConnectionState: { status: "Pending", description: "please" } });
    expect(emu.snapshot().resources.filter((r) => r.id.toLowerCase() === CONN.toLowerCase())).toHaveLength(1);
  });

  it("an embedded copy still creates a connection that has no entry of its own", async () => {
    emu = await startEmulator({ estate: { resources: [structuredClone(account)] }, throttle: false });
    expect(emu.getResource(CONN)!.properties).toMatchObject({ privateLinkServiceConnectionState: { status: "Approved" } });
  });

  it("a later load's embedded copy updates the connection without dropping fields it lacks", async () => {
    emu = await startEmulator({ estate: { resources: [structuredClone(connection)] }, throttle: false });
    emu.load({ resources: [structuredClone(account)] });
    expect(emu.getResource(CONN)!.properties).toMatchObject({ groupId: "Sql", privateLinkServiceConnectionState: { status: "Approved" } });
  });

  it("explain on such an estate sees the connection's own status and groupId", async () => {
    const local = await startLocalArm({ resources: structuredClone([connection, account]) }, { throttle: false });
    try {
      const allow = `approval:\n  managedScopes: [/subscriptions/22222222-2222-2222-2222-222222222222]\n  rules:\n    - name: cosmos-sql\n      requesterSubscriptions: [11111111-1111-1111-1111-111111111111]\n      groupIds: [Sql]\n`;
      const d = await new Autopilot({ arm: local.arm, config: parseConfigText(allow, "a.yaml") }).explain(CONN);
      expect(d).toEqual([expect.objectContaining({ action: "approve", rule: "cosmos-sql", outcome: "planned" })]);
    } finally {
      await local.close();
    }
  });
});
