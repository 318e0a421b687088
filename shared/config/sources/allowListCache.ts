// Which allow-list is in force. One mechanism for every source (a local file, a blob):
// a new version is taken only when its content is stable and valid; otherwise the last
// good version stays in force. Versions are content hashes, never timestamps: a torn
// write (a truncated file can be valid and broader) must not be used, and a coarse mtime
// must not hide a change.
import type { Logger } from "../../model/decision.js";
import { formatProblem, parseConfigText } from "../loadConfig.js";
import { sha256Hex } from "../../util/sha256.js";
import type { ConfigResult } from "../types.js";

/** One read of the source. */
export type SourceRead =
  | { kind: "content"; text: string; etag?: string }
  /** The source says nothing changed since the ETag we sent. */
  | { kind: "unchanged" }
  | { kind: "failed"; message: string };

export interface AllowListSource {
  /** Where the allow-list lives (file path or blob URL), for logs and problems. */
  readonly location: string;
  /**
   * Writes to this source are atomic (a blob upload): one read is stable. A plain file
   * may be read mid-write, so a new version must read the same twice, `settleMs` apart.
   */
  readonly atomic: boolean;
  /** `etag`: the one the last content read carried, for a conditional read. */
  read(etag?: string): Promise<SourceRead>;
  /** How to read the content (a folder's is its files, bundled); default: one allow-list file. */
  parse?(text: string): ConfigResult;
}

export interface AllowListCacheOptions {
  /** Check the source at most this often; 0: on every call (default). */
  refreshMs?: number;
  /** Gap between the two reads of a non-atomic source (default 500 ms). */
  settleMs?: number;
  /** Injected in tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** `sha256:` and the first 12 hex digits of the content's hash: what the logs call a version. */
export function allowListVersion(text: string): string {
  return `sha256:${sha256Hex(text).slice(0, 12)}`;
}

interface InForce {
  version: string;
  result: ConfigResult;
}

export class AllowListCache {
  private good?: InForce;
  /** What the source held at its last read that was not taken (invalid or unsettled): logged once per version. */
  private rejected?: string;
  /** The result to use while no good version has ever been read (fail closed, with the reason). */
  private failing?: ConfigResult;
  private etag?: string;
  private checkedAt = -Infinity;
  private checking?: Promise<ConfigResult>;
  private readonly refreshMs: number;
  private readonly settleMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    readonly source: AllowListSource,
    opts: AllowListCacheOptions = {},
  ) {
    this.refreshMs = opts.refreshMs ?? 0;
    this.settleMs = opts.settleMs ?? 500;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** The version in force (undefined until a valid one was read). */
  get version(): string | undefined {
    return this.good?.version;
  }

  /** The allow-list to decide with: the last good version, refreshed when due. */
  async current(log: Logger): Promise<ConfigResult> {
    if (this.now() - this.checkedAt >= this.refreshMs) {
      // Concurrent invocations share one check.
      this.checking ??= this.refresh(log).finally(() => {
        this.checking = undefined;
      });
      return this.checking;
    }
    return this.inForce();
  }

  private inForce(): ConfigResult {
    return this.good?.result ?? this.failing ?? { ok: false, file: this.source.location, problems: [problem(this.source.location, "not read yet")] };
  }

  private async refresh(log: Logger): Promise<ConfigResult> {
    this.checkedAt = this.now();
    const first = await this.source.read(this.good ? this.etag : undefined);
    if (first.kind === "unchanged") return this.inForce();
    if (first.kind === "failed") return this.keep(log, `cannot read it: ${first.message}`, first.message);
    const version = allowListVersion(first.text);
    if (version === this.good?.version) {
      this.etag = first.etag;
      return this.inForce();
    }
    if (!this.source.atomic) {
      await this.sleep(this.settleMs);
      const second = await this.source.read();
      if (second.kind !== "content" || allowListVersion(second.text) !== version) {
        // Still being written (or gone meanwhile): the next check looks again.
        this.checkedAt = -Infinity;
        return this.keep(log, `version ${version} changed while it was read (a write in progress?)`, "changed while it was read");
      }
    }
    const result = this.source.parse ? this.source.parse(first.text) : parseConfigText(first.text, this.source.location);
    if (!result.ok) {
      const detail = result.problems.slice(0, 3).map(formatProblem).join("; ");
      return this.keep(log, `version ${version} is invalid (${result.problems.length} problem(s): ${detail})`, undefined, result, version);
    }
    this.good = { version, result };
    this.etag = first.etag;
    this.rejected = undefined;
    this.failing = undefined;
    log.info(`allow-list ${this.source.location}: version ${version} in force`);
    return result;
  }

  /** Keeps the last good version (or fails closed without one) and says why, once per rejected version. */
  private keep(log: Logger, why: string, message?: string, invalid?: ConfigResult, version?: string): ConfigResult {
    const key = version ?? why;
    if (this.rejected !== key) {
      this.rejected = key;
      const kept = this.good ? `keeping version ${this.good.version} in force` : "no valid version read yet: approving nothing until it is fixed";
      log.error(`allow-list ${this.source.location}: ${why}; ${kept}`);
    }
    if (!this.good) this.failing = invalid ?? { ok: false, file: this.source.location, problems: [problem(this.source.location, message ?? why)] };
    return this.inForce();
  }
}

function problem(file: string, message: string) {
  return { file, line: 1, column: 1, key: "", message };
}
