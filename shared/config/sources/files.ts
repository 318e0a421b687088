// The allow-list read once from the local file system: one file, or a folder of files (one
// per team, merged by shared/config/folder.ts). The CLI reads it so (`validate`, the commands
// that run the core, `publish-allow-list`); the app reads through FileAllowListSource and
// the cache, which keep the last good version.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parseConfigText } from "../loadConfig.js";
import { ALLOW_LIST_EXTENSIONS, MAX_FOLDER_FILES, parseConfigFolder, type FolderFile } from "../folder.js";
import type { ConfigResult } from "../types.js";

/** A file, or a folder of files (shared/config/folder.ts). */
export async function loadConfigFile(path: string): Promise<ConfigResult> {
  let text: string;
  try {
    if ((await stat(path)).isDirectory()) return loadConfigFolder(path);
    text = await readFile(path, "utf8");
  } catch (err) {
    return { ok: false, file: path, problems: [{ file: path, line: 1, column: 1, key: "", message: fileReadProblem(err) }] };
  }
  return parseConfigText(text, path);
}

/** Why a file could not be read, in words. */
export function fileReadProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === "ENOENT"
    ? "file not found"
    : code === "EISDIR"
      ? "is a directory, not a file"
      : code === "EACCES" || code === "EPERM"
        ? "permission denied reading the file"
        : `cannot read the file: ${(err as Error)?.message ?? String(err)}`;
}

/** The allow-list files of a folder, by name (hidden files and other extensions skipped). */
export async function listAllowListFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith(".") && ALLOW_LIST_EXTENSIONS.some((x) => e.name.toLowerCase().endsWith(x)))
    .map((e) => e.name)
    .sort();
}

export async function loadConfigFolder(dir: string): Promise<ConfigResult> {
  const fail = (message: string): ConfigResult => ({ ok: false, file: dir, problems: [{ file: dir, line: 1, column: 1, key: "", message }] });
  let names: string[];
  try {
    names = await listAllowListFiles(dir);
  } catch (e) {
    return fail(fileReadProblem(e));
  }
  if (names.length > MAX_FOLDER_FILES) return fail(`the folder has ${names.length} allow-list files; at most ${MAX_FOLDER_FILES}`);
  const files: FolderFile[] = [];
  for (const name of names) {
    try {
      files.push({ name, text: await readFile(join(dir, name), "utf8") });
    } catch (e) {
      return { ok: false, file: dir, problems: [{ file: join(dir, name), line: 1, column: 1, key: "", message: fileReadProblem(e) }] };
    }
  }
  return parseConfigFolder(files, dir);
}
