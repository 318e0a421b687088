// An allow-list kept as a folder of files (one per team, say): every *.yaml, *.yml and
// *.json file directly in the folder, in name order, merged into one allow-list. Lists
// are joined (rules in file-name order, managed scopes, zones, custom records, ...); a
// setting (a scalar such as approval.unmatched) may be set in one file only, or in several
// with the same value; names must stay unique across files (the same checks as in one
// file, e.g. "duplicate rule name 'x': already used by approval.rules[0] at team-a.yaml:7").
// Every problem points at the file and line it comes from. Reading the folder is
// shared/config/sources/files.ts; this file merges the files' texts.
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { checkData, MAX_ALLOW_LIST_KEYS, readDocument, type ReadDocument, type Where } from "./loadConfig.js";
import { describeValue } from "./text.js";
import type { ConfigProblem, ConfigResult } from "./types.js";
import { formatPath, type ConfigPath } from "./yamlLocate.js";

export const ALLOW_LIST_EXTENSIONS = [".yaml", ".yml", ".json"];
/** A folder per team is tens of files; a bound for a mistaken path such as a home directory. */
export const MAX_FOLDER_FILES = 500;

export interface FolderFile {
  /** The file's name within the folder. */
  name: string;
  text: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** The folder's files (already read) as one allow-list. Pure, so a cached source can use it too. */
export function parseConfigFolder(files: readonly FolderFile[], dir: string): ConfigResult {
  if (files.length === 0) {
    return {
      ok: false,
      file: dir,
      problems: [{ file: dir, line: 1, column: 1, key: "", message: `no allow-list files (${ALLOW_LIST_EXTENSIONS.join(", ")}) in the folder` }],
    };
  }
  const docs: ReadDocument[] = [];
  const problems: ConfigProblem[] = [];
  let keys = 0;
  for (const f of files) {
    const r = readDocument(f.text, join(dir, f.name));
    if (!r.ok) problems.push(...r.problems);
    else {
      docs.push(r.doc);
      keys += r.doc.keys;
    }
  }
  if (problems.length > 0) return { ok: false, file: dir, problems };
  if (keys > MAX_ALLOW_LIST_KEYS) {
    return {
      ok: false,
      file: dir,
      problems: [
        {
          file: dir,
          line: 1,
          column: 1,
          key: "",
          message: `the folder's files have ${keys} keys together; an allow-list may have at most ${MAX_ALLOW_LIST_KEYS}`,
        },
      ],
    };
  }

  // Merged path → the file and path it came from (the first file, for mappings several share).
  const origins = new Map<string, { doc: number; path: ConfigPath }>();
  const conflicts: ConfigProblem[] = [];
  const adopt = (v: unknown, d: number, merged: ConfigPath, local: ConfigPath): unknown => {
    origins.set(formatPath(merged), { doc: d, path: local });
    if (Array.isArray(v)) return v.map((x, i) => adopt(x, d, [...merged, i], [...local, i]));
    if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, adopt(x, d, [...merged, k], [...local, k])]));
    return v;
  };
  const merge = (into: Obj, from: Obj, d: number, merged: ConfigPath, local: ConfigPath) => {
    for (const [k, v] of Object.entries(from)) {
      const m = [...merged, k];
      const l = [...local, k];
      if (!(k in into)) into[k] = adopt(v, d, m, l);
      else if (isObj(into[k]) && isObj(v)) merge(into[k], v, d, m, l);
      else if (Array.isArray(into[k]) && Array.isArray(v)) {
        const list = into[k] as unknown[];
        v.forEach((x, i) => list.push(adopt(x, d, [...m, list.length], [...l, i])));
      } else if (!isDeepStrictEqual(into[k], v)) {
        const first = origins.get(formatPath(m))!;
        const at = docs[first.doc]!.where(first.path, "value");
        conflicts.push({
          ...docs[d]!.where(l, "value"),
          message: `${formatPath(l)} is already set to ${describeValue(into[k])} in ${at.file}:${at.line}; in a folder a setting may be set in one file only (lists are joined)`,
        });
      }
    }
  };
  const data: Obj = {};
  docs.forEach((doc, d) => merge(data, doc.data, d, [], []));

  const where: Where = (path, anchor) => {
    for (let n = path.length; n >= 0; n--) {
      const o = origins.get(formatPath(path.slice(0, n)));
      if (o) return docs[o.doc]!.where([...o.path, ...path.slice(n)], anchor);
    }
    return { ...docs[0]!.where([], "container"), key: formatPath(path) };
  };
  return checkData(data, where, dir, conflicts);
}
