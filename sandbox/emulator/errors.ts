// ARM answers every failure with `{"error":{"code","message"}}`; handlers throw
// ArmError and the server turns it into that body.
import { parseResourceId } from "../../shared/arm/resourceId.js";

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
  return new ArmError(404, "ResourceNotFound", `The Resource '${what}'${where} was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
}

export function parentNotFound(parentId: string): ArmError {
  return new ArmError(404, "ParentResourceNotFound", `Can not perform requested operation on nested resource. Parent resource '${parentId}' not found.`);
}

export function badRequest(code: string, message: string): ArmError {
  return new ArmError(400, code, message);
}
