// The allow-list from a local file (AUTOPILOT_ALLOW_LIST_PATH), or a folder of files (one
// per team, shared/config/folder.ts). Editors and `cp` write in place, so a read may see half
// a file: the cache reads a new version twice (a folder's version covers all its files).
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { AllowListSource, SourceRead } from "./allowListCache.js";
import { parseConfigText } from "../loadConfig.js";
import { MAX_FOLDER_FILES, parseConfigFolder, type FolderFile } from "../folder.js";
import type { ConfigResult } from "../types.js";
import { fileReadProblem, listAllowListFiles } from "./files.js";

export class FileAllowListSource implements AllowListSource {
  readonly atomic = false;
  private folder = false;
  constructor(readonly location: string) {}

  async read(): Promise<SourceRead> {
    try {
      this.folder = (await stat(this.location)).isDirectory();
      if (!this.folder) return { kind: "content", text: await readFile(this.location, "utf8") };
      const names = await listAllowListFiles(this.location);
      if (names.length > MAX_FOLDER_FILES) return { kind: "failed", message: `the folder has ${names.length} allow-list files; at most ${MAX_FOLDER_FILES}` };
      const files: FolderFile[] = [];
      for (const name of names) files.push({ name, text: await readFile(join(this.location, name), "utf8") });
      // The folder's content as one text: its version (hash) changes when any file does.
      return { kind: "content", text: JSON.stringify(files) };
    } catch (e) {
      return { kind: "failed", message: fileReadProblem(e) };
    }
  }

  parse(text: string): ConfigResult {
    if (!this.folder) return parseConfigText(text, this.location);
    let files: FolderFile[];
    try {
      files = JSON.parse(text) as FolderFile[];
    } catch {
      // The path turned from a folder into a file between the read and now: the next check reads it again.
      return {
        ok: false,
        file: this.location,
        problems: [{ file: this.location, line: 1, column: 1, key: "", message: "changed from a folder to a file while it was read" }],
      };
    }
    return parseConfigFolder(files, this.location);
  }
}
