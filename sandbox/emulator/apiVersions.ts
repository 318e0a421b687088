// api-versions the real services refuse. Any other api-version of a known route
// is accepted, newer unknown ones included (SDKs move ahead of any table).
import { sameType } from "../../shared/model/resourceId.js";

export interface ApiVersionRule {
  /** Top-level type; the rule covers its children too. */
  type: string;
  /** api-versions dated before this are refused. */
  retiredBefore: string;
  /** GA versions known to be accepted (for the error message and for tests). */
  current: string[];
  source: string;
}

export const API_VERSION_RULES: readonly ApiVersionRule[] = [
  {
    type: "Microsoft.Cache/redisEnterprise",
    retiredBefore: "2025-07-01",
    current: ["2025-07-01"],
    source:
      "Azure Managed Redis private link doc (seed 001): publicNetworkAccess came with 2025-07-01; 'You can no longer send API calls with versions before 2025-07-01' after October 2026",
  },
];

function ruleFor(type: string | undefined): ApiVersionRule | undefined {
  if (!type) return undefined;
  const top = type.split("/").slice(0, 2).join("/");
  return API_VERSION_RULES.find((r) => sameType(r.type, top));
}

/** True when the emulator (like the real service) accepts this api-version for the type. */
export function acceptsApiVersion(type: string, apiVersion: string): boolean {
  const rule = ruleFor(type);
  return !rule || apiVersion.slice(0, 10) >= rule.retiredBefore;
}

/** The versions a rule names as current, for the error message. */
export function currentApiVersions(type: string): string[] {
  return ruleFor(type)?.current ?? [];
}
