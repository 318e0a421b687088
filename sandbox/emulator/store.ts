// The emulated ARM state. Keys are idKey(id) (ARM ids are case-insensitive) but
// bodies keep the casing they were written with. Child resources (connections,
// record sets, subnets) are their own entries; an index of direct children keeps
// lists and cascading deletes cheap.
import { idKey, parentResourceId, parseResourceId, tryParseResourceId } from "../../shared/model/resourceId.js";
import type { ArmResource, Estate } from "../estate.js";
import { typeInfo } from "./resourceTypes.js";

export class Store {
  private readonly byKey = new Map<string, ArmResource>();
  private readonly childIndex = new Map<string, Set<string>>();

  get(id: string): ArmResource | undefined {
    return this.byKey.get(idKey(id));
  }

  has(id: string): boolean {
    return this.byKey.has(idKey(id));
  }

  /** Adds or replaces one resource as stored (no embedded children). */
  put(resource: ArmResource): ArmResource {
    const key = idKey(resource.id);
    this.byKey.set(key, resource);
    const parent = safeParent(resource.id);
    if (parent) {
      const k = idKey(parent);
      let set = this.childIndex.get(k);
      if (!set) this.childIndex.set(k, (set = new Set()));
      set.add(key);
    }
    return resource;
  }

  /** Removes a resource and everything below it; returns what was removed. */
  delete(id: string): ArmResource[] {
    const key = idKey(id);
    const removed: ArmResource[] = [];
    const res = this.byKey.get(key);
    if (!res) return removed;
    for (const childKey of [...(this.childIndex.get(key) ?? [])]) {
      const child = this.byKey.get(childKey);
      if (child) removed.push(...this.delete(child.id));
    }
    this.childIndex.delete(key);
    this.byKey.delete(key);
    const parent = safeParent(res.id);
    if (parent) this.childIndex.get(idKey(parent))?.delete(key);
    removed.push(res);
    return removed;
  }

  /** Direct children, optionally of one child type (last type segment, case-insensitive). */
  children(parentId: string, childType?: string): ArmResource[] {
    const out: ArmResource[] = [];
    for (const k of this.childIndex.get(idKey(parentId)) ?? []) {
      const r = this.byKey.get(k);
      if (!r) continue;
      if (childType) {
        const segs = tryParseResourceId(r.id)?.segments;
        if (segs?.[segs.length - 1]?.type.toLowerCase() !== childType.toLowerCase()) continue;
      }
      out.push(r);
    }
    return out;
  }

  clear(): void {
    this.byKey.clear();
    this.childIndex.clear();
  }

  all(): ArmResource[] {
    return [...this.byKey.values()];
  }

  /**
   * Loads an estate: fills name/type from ids and splits embedded child lists into
   * children. A parent's embedded copy of a child is often partial (recorded parent
   * GETs show connections as ids or without `groupId`): an entry of its own in the
   * same estate wins, whichever comes first; otherwise the copy is merged over what
   * the store already holds, so fields it lacks are kept.
   */
  load(estate: Estate): void {
    const own = new Set<string>();
    const embedded: ArmResource[] = [];
    for (const raw of estate?.resources ?? []) {
      if (!raw || typeof raw.id !== "string") continue;
      const res = normalize(structuredClone(raw));
      if (!res) continue;
      embedded.push(...takeEmbedded(res));
      this.put(res);
      own.add(idKey(res.id));
    }
    for (const c of embedded) {
      const current = this.get(c.id);
      if (!current) this.put(c);
      else if (own.has(idKey(c.id))) this.put(mergeOver(c, current));
      else this.put(mergeOver(current, c));
    }
  }
}

/** `top` over `base`, one level into `properties`: what `top` lacks, `base` keeps. */
function mergeOver(base: ArmResource, top: ArmResource): ArmResource {
  return { ...base, ...top, properties: { ...(base.properties ?? {}), ...(top.properties ?? {}) } };
}

/**
 * Removes an embedded child list (connections, subnets) from a parent body and
 * returns the children as resources of their own, as ARM stores them.
 */
export function takeEmbedded(res: ArmResource): ArmResource[] {
  const embeds = typeInfo(res.type)?.embeds;
  const list = embeds ? res.properties?.[embeds.property] : undefined;
  if (!embeds || !Array.isArray(list)) return [];
  delete res.properties![embeds.property];
  const out: ArmResource[] = [];
  for (const c of list) {
    if (!c || typeof c !== "object") continue;
    const child = normalize({ ...c, id: c.id ?? (c.name ? `${res.id}/${embeds.property}/${c.name}` : undefined) });
    if (child) out.push(child);
  }
  return out;
}

/** Fills `name` and `type` from the id; undefined when the id is not an ARM id. */
export function normalize(res: ArmResource): ArmResource | undefined {
  const p = tryParseResourceId(res?.id);
  if (!p) return undefined;
  res.id = p.id;
  if (!p.type) {
    res.name ??= p.resourceGroup ?? p.subscriptionId;
    res.type ??= p.resourceGroup ? "Microsoft.Resources/resourceGroups" : "Microsoft.Resources/subscriptions";
    return res;
  }
  res.name ??= p.name;
  res.type ??= typeInfo(p.type)?.type ?? p.type;
  return res;
}

function safeParent(id: string): string | undefined {
  try {
    return parseResourceId(id).segments.length >= 2 ? parentResourceId(id) : undefined;
  } catch {
    return undefined;
  }
}
