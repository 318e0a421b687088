// Refusals ARM makes before any resource provider sees the request: an identity
// without rights (403 AuthorizationFailed), a subscription that never
// registered the namespace (409 MissingSubscriptionRegistration), an api-version
// the service retired (400 NoRegisteredProviderFound). Configured per estate
// (`refusals`) or at run time (emu.setRefusals / POST /_emulator/refusals).
import { managementGroupRoute } from "./handlers/managementGroups.js";
import { isWithinScope } from "../../shared/model/resourceId.js";
import type { EstateRefusals } from "../estate.js";
import { acceptsApiVersion, currentApiVersions } from "./apiVersions.js";
import { ArmError } from "./errors.js";
import type { Store } from "./store.js";

export type { EstateRefusals };

/** Namespace and full type a request path addresses, e.g. Microsoft.Cache, Microsoft.Cache/redis/privateEndpointConnections. */
export function requestType(segments: string[]): { namespace: string; type?: string } | undefined {
  const l = segments.map((s) => s.toLowerCase());
  const i = l.indexOf("providers");
  if (l[0] !== "subscriptions" || i < 0 || !segments[i + 1]) return undefined;
  const rest = segments.slice(i + 2);
  const namespace = segments[i + 1]!;
  if (l.slice(i + 2).includes("locations")) return { namespace }; // operation URLs
  return { namespace, type: rest.length ? [namespace, ...rest.filter((_, j) => j % 2 === 0)].join("/") : undefined };
}

export function mergeRefusals(into: EstateRefusals, more: EstateRefusals | undefined): void {
  if (!more) return;
  for (const [sub, list] of Object.entries(more.unregisteredNamespaces ?? {})) {
    const cur = (into.unregisteredNamespaces ??= {});
    cur[sub.toLowerCase()] = [...new Set([...(cur[sub.toLowerCase()] ?? []), ...list.map((n) => n.toLowerCase())])];
  }
  if (more.forbiddenScopes?.length) into.forbiddenScopes = [...new Set([...(into.forbiddenScopes ?? []), ...more.forbiddenScopes])];
}

/** Throws the refusal ARM would answer, if any. */
export function checkRefusals(refusals: EstateRefusals, store: Store, method: string, path: string, segments: string[], apiVersion: string): void {
  // Management groups answer their own refusals (handlers/managementGroups.ts), with their own action names.
  if (managementGroupRoute(segments)) return;
  const sub = segments[0]?.toLowerCase() === "subscriptions" ? segments[1] : undefined;
  const rt = requestType(segments);
  const forbidden = (refusals.forbiddenScopes ?? []).find((scope) => isWithinScope(path, scope));
  if (forbidden) {
    const verb = method === "GET" || method === "HEAD" ? "read" : method === "DELETE" ? "delete" : method === "POST" ? "action" : "write";
    const action = `${rt?.type ?? (segments.length > 2 ? "Microsoft.Resources/subscriptions/resourceGroups" : "Microsoft.Resources/subscriptions")}/${verb}`;
    const oid = "00000000-0000-0000-0000-00000000a11d";
    throw new ArmError(
      403,
      "AuthorizationFailed",
      `The client '${oid}' with object id '${oid}' does not have authorization to perform action '${action}' over scope '${path}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  }
  if (sub && rt && (refusals.unregisteredNamespaces?.[sub.toLowerCase()] ?? []).includes(rt.namespace.toLowerCase())) {
    throw new ArmError(
      409,
      "MissingSubscriptionRegistration",
      `The subscription is not registered to use namespace '${rt.namespace}'. See https://aka.ms/rps-not-found for how to register subscriptions.`,
    );
  }
  if (rt?.type && !acceptsApiVersion(rt.type, apiVersion)) {
    const top = rt.type.split("/").slice(0, 2).join("/");
    const topId = "/" + segments.slice(0, segments.map((s) => s.toLowerCase()).indexOf("providers") + 4).join("/");
    const location = store.get(topId)?.location ?? "global";
    throw new ArmError(
      400,
      "NoRegisteredProviderFound",
      `No registered resource provider found for location '${location}' and API version '${apiVersion}' for type '${top.split("/")[1]}'. The supported api-versions are '${currentApiVersions(top).join(", ")}'. The supported locations are '${location}'.`,
    );
  }
}
