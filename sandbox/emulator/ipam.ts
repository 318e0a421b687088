// Private IPs for private endpoint NICs: the lowest free host address (from .4,
// as Azure reserves the first four) in the subnet's prefix when the estate has the
// subnet, else in a 10.x.y.0/24 derived from the subnet id. Deterministic.
import { createHash } from "node:crypto";
import { sameId } from "../../shared/model/resourceId.js";
import { NETWORK_INTERFACES, isType } from "./resourceTypes.js";
import type { Store } from "./store.js";

export function allocateIp(store: Store, subnetId: string | undefined, taken: Set<string> = new Set()): string {
  const { base, size } = range(store, subnetId);
  const used = new Set(taken);
  for (const nic of store.all()) {
    if (!isType(nic.type, NETWORK_INTERFACES)) continue;
    for (const c of nic.properties?.ipConfigurations ?? []) {
      const ip = c?.properties?.privateIPAddress;
      if (typeof ip === "string" && (!subnetId || sameId(c?.properties?.subnet?.id, subnetId))) used.add(ip);
    }
  }
  for (let host = 4; host < size - 1; host++) {
    const ip = toIp(base + host);
    if (!used.has(ip)) return ip;
  }
  throw new Error(`no free address left in subnet ${subnetId}`);
}

function range(store: Store, subnetId: string | undefined): { base: number; size: number } {
  const subnet = subnetId ? store.get(subnetId) : undefined;
  const prefix = subnet?.properties?.addressPrefix ?? subnet?.properties?.addressPrefixes?.[0];
  const m = typeof prefix === "string" ? /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(prefix) : null;
  if (m) {
    const bits = Number(m[5]);
    const size = 2 ** (32 - bits);
    const addr = ((Number(m[1]) << 24) >>> 0) + (Number(m[2]) << 16) + (Number(m[3]) << 8) + Number(m[4]);
    return { base: addr - (addr % size), size };
  }
  const h = createHash("sha256")
    .update((subnetId ?? "default").toLowerCase())
    .digest();
  return { base: ((10 << 24) >>> 0) + (h[0]! << 16) + (h[1]! << 8), size: 256 };
}

function toIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}
