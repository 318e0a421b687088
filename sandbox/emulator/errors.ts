// ARM answers every failure with `{"error":{"code","message"}}`; handlers throw
// ArmError and the server turns it into that body.
import { parseResourceId } from "../../shared/model/resourceId.js";

export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ArmError";
  }
}

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

/** ARM's wording for a missing resource. */
export function resourceNotFound(id: string): ArmError {
  const p = parseResourceId(id);
  const what = p.type ? `${[p.provider, ...p.segments.map((s) => `${s.type}/${s.name}`)].join("/")}` : id;
  const where = p.resourceGroup ? ` under resource group '${p.resourceGroup}'` : "";
  return new ArmError(
    404,
    "ResourceNotFound",
    `The Resource '${what}'${where} was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

/**
 * ARM's answer when a child's parent is missing, as recorded (Azure CLI
 * privatedns test_PutRecordSet_ZoneNotExists_ExpectError.yaml, 2023-08-07).
 */
export function parentNotFound(parentId: string, action: "read" | "write" | "delete" = "write", childType?: string): ArmError {
  const type = childType ? childType.split("/").slice(1).join("/") : "nested";
  return new ArmError(
    404,
    "ParentResourceNotFound",
    `Failed to perform '${action}' on resource(s) of type '${type}', because the parent resource '${parentId}' could not be found.`,
    { "x-ms-failure-cause": "gateway" },
  );
}

export function badRequest(code: string, message: string): ArmError {
  return new ArmError(400, code, message);
}
