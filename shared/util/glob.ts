// Allow-list globs: `*` matches any run of characters (including `/`), `?` exactly one
// character, everything else literally. Always case-insensitive and anchored at both ends.
// There is no escape character: ARM ids and names never contain `*` or `?`.

const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 1000;

/**
 * The glob as an anchored, case-insensitive RegExp (for callers that need one, e.g. to
 * hand to another API). matchesGlob does not use it: a backtracking regex with many
 * stars can be slow on long inputs.
 */
export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (re) return re;
  let src = "^";
  for (const ch of glob) {
    if (ch === "*") src += "[\\s\\S]*";
    else if (ch === "?") src += "[\\s\\S]";
    else src += ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  // Collapse runs of stars so pathological patterns stay linear-ish.
  src = src.replace(/(?:\[\\s\\S\]\*){2,}/g, "[\\s\\S]*") + "$";
  re = new RegExp(src, "i");
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(glob, re);
  return re;
}

/**
 * Glob match without regular expressions: the classic two-pointer wildcard algorithm,
 * O(len(value) * len(glob)) at worst, so no pattern can make it backtrack exponentially.
 */
export function matchesGlob(value: string, glob: string): boolean {
  const v = Array.from(value.toLowerCase());
  const g = Array.from(glob.toLowerCase());
  let i = 0; // position in v
  let j = 0; // position in g
  let star = -1; // position in g of the last * seen
  let mark = 0; // position in v that the last * has consumed up to
  while (i < v.length) {
    if (j < g.length && (g[j] === "?" || (g[j] !== "*" && g[j] === v[i]))) {
      i++;
      j++;
    } else if (j < g.length && g[j] === "*") {
      star = j++;
      mark = i;
    } else if (star >= 0) {
      j = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (j < g.length && g[j] === "*") j++;
  return j === g.length;
}

/** The first glob in `globs` that matches `value`, if any. */
export function firstMatchingGlob(value: string, globs: readonly string[]): string | undefined {
  return globs.find((g) => matchesGlob(value, g));
}

export function hasWildcard(glob: string): boolean {
  return glob.includes("*") || glob.includes("?");
}

/**
 * True when some string matches both globs (case-insensitive). Used by the config
 * checks to tell whether a target id pattern can ever fall inside a managed scope.
 */
export function globsIntersect(a: string, b: string): boolean {
  const A = Array.from(a.toLowerCase());
  const B = Array.from(b.toLowerCase());
  const seen = new Set<number>();
  const width = B.length + 1;
  const stack: [number, number][] = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop()!;
    const k = i * width + j;
    if (seen.has(k)) continue;
    seen.add(k);
    if (i === A.length && j === B.length) return true;
    const x = A[i];
    const y = B[j];
    // A star may match nothing.
    if (x === "*") stack.push([i + 1, j]);
    if (y === "*") stack.push([i, j + 1]);
    if (x === undefined || y === undefined) continue;
    // Consume one character that both sides accept.
    if (x === "*" && y === "*") continue; // no progress possible from consuming alone
    if (x === "*") stack.push([i, j + 1]);
    else if (y === "*") stack.push([i + 1, j]);
    else if (x === "?" || y === "?" || x === y) stack.push([i + 1, j + 1]);
  }
  return false;
}
