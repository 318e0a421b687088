// Management groups: GET /providers/Microsoft.Management/managementGroups/{groupId}/descendants,
// as ARM answers it (azure-rest-api-specs
// specification/managementgroups/resource-manager/Microsoft.Management/ManagementGroups/stable/2023-04-01/management.json,
// operation ManagementGroups_GetDescendants, and its examples/GetDescendants.json): every
// management group and subscription below the group at any depth, each
// `{ id, type, name, properties: { displayName, parent: { id } } }` (groups:
// type Microsoft.Management/managementGroups, id /providers/Microsoft.Management/managementGroups/{name};
// subscriptions: type Microsoft.Management/managementGroups/subscriptions, id /subscriptions/{id}),
// paged by `nextLink` ($skiptoken, $top). A group the caller may not read, or that does not
// exist, is ARM's 403 AuthorizationFailed ("... or the scope is invalid"): RBAC is checked
// before the group is looked up.
import type { EstateManagementGroup } from "../../estate.js";
import type { EmuContext, EmuRequest, Reply } from "../context.js";
import { ArmError } from "../errors.js";
import { pagedList } from "./common.js";

const MG_TYPE = "Microsoft.Management/managementGroups";
const mgId = (name: string) => `/providers/${MG_TYPE}/${name}`;

/** `/providers/Microsoft.Management/managementGroups/{g}[/descendants]`, else undefined. */
export function managementGroupRoute(segments: string[]): { group: string; descendants: boolean } | undefined {
  const l = segments.map((s) => s.toLowerCase());
  if (l[0] !== "providers" || l[1] !== "microsoft.management" || l[2] !== "managementgroups" || !segments[3]) return undefined;
  if (segments.length === 4) return { group: segments[3], descendants: false };
  if (segments.length === 5 && l[4] === "descendants") return { group: segments[3], descendants: true };
  return undefined;
}

export function forbiddenGroup(path: string, action: string): ArmError {
  const oid = "00000000-0000-0000-0000-00000000a11d";
  return new ArmError(
    403,
    "AuthorizationFailed",
    `The client '${oid}' with object id '${oid}' does not have authorization to perform action '${action}' over scope '${path}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

export function managementGroupRequest(
  ctx: EmuContext,
  req: EmuRequest,
  groups: readonly EstateManagementGroup[],
  forbidden: (path: string) => boolean,
): Reply {
  const r = managementGroupRoute(req.segments)!;
  const scope = mgId(r.group);
  const action = r.descendants ? `${MG_TYPE}/descendants/read` : `${MG_TYPE}/read`;
  if (req.method !== "GET") throw new ArmError(405, "MethodNotAllowed", `The requested method ${req.method} is not allowed for this resource.`);
  const byName = new Map(groups.map((g) => [g.name.toLowerCase(), g]));
  const group = byName.get(r.group.toLowerCase());
  if (!group || forbidden(scope)) throw forbiddenGroup(scope, action);
  if (!r.descendants) {
    return {
      status: 200,
      body: {
        id: mgId(group.name),
        type: MG_TYPE,
        name: group.name,
        properties: {
          displayName: group.displayName ?? group.name,
          ...(group.parent ? { details: { parent: { id: mgId(group.parent), name: group.parent } } } : {}),
        },
      },
    };
  }
  const out: unknown[] = [];
  const walk = (g: EstateManagementGroup, seen: Set<string>) => {
    const parent = { id: mgId(g.name) };
    for (const sub of g.subscriptions ?? []) {
      out.push({ id: `/subscriptions/${sub}`, type: `${MG_TYPE}/subscriptions`, name: sub, properties: { displayName: sub, parent } });
    }
    for (const child of groups.filter((c) => c.parent?.toLowerCase() === g.name.toLowerCase())) {
      if (seen.has(child.name.toLowerCase())) continue; // a cycle in a hand-written estate
      seen.add(child.name.toLowerCase());
      out.push({ id: mgId(child.name), type: MG_TYPE, name: child.name, properties: { displayName: child.displayName ?? child.name, parent } });
      walk(child, seen);
    }
  };
  walk(group, new Set([group.name.toLowerCase()]));
  return pagedList(ctx, req, out);
}
