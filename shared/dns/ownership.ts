// The ownership registry lives in Azure itself: every record set the app writes
// carries metadata naming it as manager, the owning endpoint, and any endpoints
// waiting for the name. A record set without the marker is foreign: never touched.
//
// Metadata follows the limits of ARM tags (values up to 256 characters, keys
// without < > % & \ ? /), so long endpoint ids are split over numbered keys.
import { idKey } from "../model/resourceId.js";

export const MANAGER = "privatelink-autopilot";
export const MAX_VALUE_LENGTH = 256;
/** Claimants beyond this are reported, not recorded: metadata is small. */
export const MAX_CLAIMANTS = 5;

const MANAGED_BY = "managedBy";
const OWNER = "owner";
const CLAIMANT = "claimant";

export interface Ownership {
  /** Endpoint id of the owner. */
  owner: string;
  /** Endpoint ids waiting for the name, oldest first. */
  claimants: string[];
}

/**
 * Metadata for a record set we own; keys of ours not in `o` are dropped, foreign keys kept.
 * `manager` is the deployment's owner id (dns.ownerId, default MANAGER), as external-dns's
 * --txt-owner-id: two deployments sharing a zone never take each other's records.
 */
export function encodeOwnership(o: Ownership, keep: Record<string, string> = {}, manager: string = MANAGER): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(keep)) if (!isOurKey(k)) out[k] = v;
  out[MANAGED_BY] = manager;
  putChunked(out, OWNER, o.owner);
  o.claimants.slice(0, MAX_CLAIMANTS).forEach((c, i) => putChunked(out, `${CLAIMANT}${i + 1}`, c));
  return out;
}

/** undefined when the record set is not ours (no marker, another deployment's marker, or a marker naming no owner). */
export function decodeOwnership(metadata: Record<string, string> | undefined, manager: string = MANAGER): Ownership | undefined {
  const m = lowerKeys(metadata ?? {});
  if (m[MANAGED_BY.toLowerCase()] !== manager) return undefined;
  const owner = getChunked(m, OWNER);
  if (!owner) return undefined;
  const claimants: string[] = [];
  for (let i = 1; i <= MAX_CLAIMANTS; i++) {
    const c = getChunked(m, `${CLAIMANT}${i}`);
    if (c) claimants.push(c);
  }
  return { owner, claimants };
}

export function sameEndpoint(a: string, b: string): boolean {
  return idKey(a) === idKey(b);
}

function isOurKey(k: string): boolean {
  const l = k.toLowerCase();
  return l === MANAGED_BY.toLowerCase() || l === OWNER || l.startsWith(`${OWNER}_`) || l.startsWith(CLAIMANT);
}

function putChunked(out: Record<string, string>, key: string, value: string) {
  for (let i = 0; i * MAX_VALUE_LENGTH < value.length; i++) {
    out[i === 0 ? key : `${key}_${i + 1}`] = value.slice(i * MAX_VALUE_LENGTH, (i + 1) * MAX_VALUE_LENGTH);
  }
}

function getChunked(m: Record<string, string>, key: string): string | undefined {
  const first = m[key.toLowerCase()];
  if (!first) return undefined;
  let v = first;
  for (let i = 2; m[`${key.toLowerCase()}_${i}`]; i++) v += m[`${key.toLowerCase()}_${i}`];
  return v;
}

function lowerKeys(m: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k.toLowerCase(), v]));
}
