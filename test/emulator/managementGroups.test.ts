// The emulator's management-group descendants list, as ARM answers it: shapes from
// azure-rest-api-specs .../Microsoft.Management/ManagementGroups/stable/2023-04-01/management.json
// (ManagementGroups_GetDescendants, pageable by nextLink) and examples/GetDescendants.json.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalArm, type LocalArm } from "../../sandbox/localArm.js";
import { MANAGEMENT_GROUPS_API_VERSION } from "../../shared/gateways/managementGroups.js";

const A = "11111111-1111-1111-1111-111111111111";
const B = "22222222-2222-2222-2222-222222222222";
const C = "33333333-3333-3333-3333-333333333333";

describe("emulator: GET /providers/Microsoft.Management/managementGroups/{g}/descendants", () => {
  let local: LocalArm;
  beforeAll(async () => {
    local = await startLocalArm(
      {
        resources: [],
        managementGroups: [
          { name: "corp", displayName: "Corp", subscriptions: [A] },
          { name: "corp-online", parent: "corp", subscriptions: [B] },
          { name: "sandbox", subscriptions: [C] },
          { name: "secret", subscriptions: [C] },
        ],
        refusals: { forbiddenScopes: ["/providers/Microsoft.Management/managementGroups/secret"] },
      },
      { pageSize: 1 },
    );
  });
  afterAll(() => local?.close());

  const list = async (g: string) => {
    const out: any[] = [];
    for await (const d of local.arm.generic.list(`/providers/Microsoft.Management/managementGroups/${g}/descendants`, MANAGEMENT_GROUPS_API_VERSION))
      out.push(d);
    return out;
  };

  it("lists every group and subscription below, at any depth, in the spec's shape, over several pages", async () => {
    const before = local.emulator.calls.length;
    expect(await list("corp")).toEqual([
      {
        id: `/subscriptions/${A}`,
        type: "Microsoft.Management/managementGroups/subscriptions",
        name: A,
        properties: { displayName: A, parent: { id: "/providers/Microsoft.Management/managementGroups/corp" } },
      },
      {
        id: "/providers/Microsoft.Management/managementGroups/corp-online",
        type: "Microsoft.Management/managementGroups",
        name: "corp-online",
        properties: { displayName: "corp-online", parent: { id: "/providers/Microsoft.Management/managementGroups/corp" } },
      },
      {
        id: `/subscriptions/${B}`,
        type: "Microsoft.Management/managementGroups/subscriptions",
        name: B,
        properties: { displayName: B, parent: { id: "/providers/Microsoft.Management/managementGroups/corp-online" } },
      },
    ]);
    expect(local.emulator.calls.length - before).toBe(3); // one page each: nextLink was followed
  });

  it("answers 403 AuthorizationFailed, naming the action, for a group the caller may not read or that does not exist", async () => {
    for (const g of ["secret", "no-such-group"]) {
      await expect(list(g)).rejects.toMatchObject({
        statusCode: 403,
        code: "AuthorizationFailed",
        message: expect.stringContaining(
          `'Microsoft.Management/managementGroups/descendants/read' over scope '/providers/Microsoft.Management/managementGroups/${g}' or the scope is invalid`,
        ),
      });
    }
  });

  it("keeps the hierarchy in snapshots", () => {
    expect(local.emulator.snapshot().managementGroups?.map((g) => g.name)).toEqual(["corp", "corp-online", "sandbox", "secret"]);
  });
});
