// Maps config paths (["approval", "rules", 0, "name"]) to positions in the YAML/JSON source
// and back, using the `yaml` package's node ranges.

import { isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Document, type Node } from "yaml";

export type PathSegment = string | number;
export type ConfigPath = readonly PathSegment[];

export interface Position {
  line: number;
  column: number;
}

/** `approval.rules[0].requesterSubscriptions[1]`; "" for the root. */
export function formatPath(path: ConfigPath): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function deref(doc: Document, node: unknown): unknown {
  if (isAlias(node)) {
    try {
      return node.resolve(doc);
    } catch {
      return undefined;
    }
  }
  return node;
}

function rangeStart(node: unknown): number | undefined {
  const r = (node as Node | undefined)?.range;
  return r ? r[0] : undefined;
}

/** A scalar with no source text (`key:` followed by nothing) has an empty range. */
function isEmptyScalar(node: unknown): boolean {
  if (!isScalar(node) || !node.range) return false;
  return node.range[0] === node.range[1];
}

interface Step {
  node: unknown;
  keyNode?: unknown;
}

/** Every node from the root down along `path`, as far as it exists in the document. */
function walk(doc: Document, path: ConfigPath): Step[] {
  const steps: Step[] = [{ node: doc.contents }];
  let node: unknown = deref(doc, doc.contents);
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const k = isScalar(p.key) ? p.key.value : p.key;
        return String(k) === String(seg);
      });
      if (!pair) break;
      steps.push({ node: pair.value, keyNode: pair.key });
      node = deref(doc, pair.value);
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg];
      if (item === undefined) break;
      steps.push({ node: item });
      node = deref(doc, item);
    } else {
      break;
    }
  }
  return steps;
}

export type Anchor = "value" | "key" | "container";

/**
 * Source offset for a path.
 *  - value: the value node (or its key when the value is empty)
 *  - key: the key of the last segment (falls back to the value for list items)
 *  - container: the object at `path`, pointing at its own key when it has one
 * When the path does not exist fully, the deepest existing node is used.
 */
export function offsetOf(doc: Document, path: ConfigPath, anchor: Anchor): number {
  const steps = walk(doc, path);
  const complete = steps.length === path.length + 1;
  for (let i = steps.length - 1; i >= 0; i--) {
    const { node, keyNode } = steps[i]!;
    const preferKey = anchor === "key" || anchor === "container" || !complete || i < steps.length - 1;
    if (preferKey && keyNode !== undefined && rangeStart(keyNode) !== undefined) return rangeStart(keyNode)!;
    if (node != null && !isEmptyScalar(node) && rangeStart(node) !== undefined) return rangeStart(node)!;
    if (keyNode !== undefined && rangeStart(keyNode) !== undefined) return rangeStart(keyNode)!;
  }
  return 0;
}

export function positionOf(doc: Document, lineCounter: LineCounter, path: ConfigPath, anchor: Anchor): Position {
  return toPosition(lineCounter, offsetOf(doc, path, anchor));
}

export function toPosition(lineCounter: LineCounter, offset: number): Position {
  const { line, col } = lineCounter.linePos(offset);
  return { line: Math.max(1, line), column: Math.max(1, col) };
}

/** The config path of the deepest node whose source range contains `offset`. */
export function pathAtOffset(doc: Document, offset: number): PathSegment[] {
  const path: PathSegment[] = [];
  let node: unknown = deref(doc, doc.contents);
  const contains = (n: unknown) => {
    const r = (n as Node | undefined)?.range;
    return !!r && r[0] <= offset && offset < Math.max(r[1], r[0] + 1);
  };
  for (let depth = 0; depth < 100; depth++) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (contains(p.key) || contains(p.value)));
      if (!pair) break;
      const k = isScalar(pair.key) ? pair.key.value : pair.key;
      path.push(String(k));
      if (contains(pair.key)) break;
      node = deref(doc, pair.value);
    } else if (isSeq(node)) {
      const idx = node.items.findIndex((it) => contains(it));
      if (idx < 0) break;
      path.push(idx);
      node = deref(doc, node.items[idx]);
    } else {
      break;
    }
  }
  return path;
}
