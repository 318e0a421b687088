// The allow-list from a local file (AUTOPILOT_ALLOW_LIST_PATH). Editors and `cp` write
// in place, so a read may see half a file: the cache reads a new version twice.
import { readFile } from "node:fs/promises";
import type { AllowListSource, SourceRead } from "./allowListCache.js";
import { fileReadProblem } from "./loadConfig.js";

export class FileAllowListSource implements AllowListSource {
  readonly atomic = false;
  constructor(readonly location: string) {}

  async read(): Promise<SourceRead> {
    try {
      return { kind: "content", text: await readFile(this.location, "utf8") };
    } catch (e) {
      return { kind: "failed", message: fileReadProblem(e) };
    }
  }
}
