// requesterManagementGroups needs the app to list a group's descendants: the role that grants
// it comes from the code (permissions.ts → generated.json) and roles.json assigns it at the
// management group when asked (issue 13).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generated } from "../../infra/generate.js";
import { Evaluator, loadTemplate, resourcesOf } from "./armTemplate.js";

const rolesMg = loadTemplate(join(new URL("../../", import.meta.url).pathname, "infra", "roles.json"));
const assignments = (params: Record<string, unknown>) => {
  const ev = new Evaluator(rolesMg, params, { managementGroup: "corp-root" });
  return resourcesOf(rolesMg)
    .filter((r) => r.type === "Microsoft.Authorization/roleAssignments" && (r.condition === undefined || ev.value(r.condition) === true))
    .flatMap((r) => ev.instances(r));
};

describe("management group reader", () => {
  it("grants exactly the descendants read the app makes", () => {
    expect(generated().roles.groupReader.actions).toEqual(["Microsoft.Management/managementGroups/descendants/read"]);
  });

  it("roles.json assigns it to the app at the management group only when given the principal", () => {
    expect(assignments({})).toEqual([]);
    const [a] = assignments({ groupReaderPrincipalId: "p1" });
    const defs = new Evaluator(rolesMg, {}, { managementGroup: "corp-root" });
    const readerDef = resourcesOf(rolesMg)
      .filter((r) => r.type === "Microsoft.Authorization/roleDefinitions")
      .flatMap((r) => defs.instances(r))
      .find((r) => (r.properties as any).roleName === generated().roles.groupReader.roleName)!;
    expect(a!.properties).toMatchObject({ principalId: "p1", principalType: "ServicePrincipal" });
    expect(
      String((a!.properties as any).roleDefinitionId)
        .split("/")
        .pop(),
    ).toBe(readerDef.name);
  });
});
