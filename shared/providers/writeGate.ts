// The one write gate: every ARM write the app makes (connection approve/reject/
// revoke, connection and endpoint deletes, Private DNS record-set writes and
// deletes) passes through WriteGate.write, which answers "dry-run: not written"
// at the write itself. Like external-dns's providers, dry-run is checked where
// the write happens, so no caller can forget it; callers learn whether the write
// was applied and report `planned` otherwise.

export type WriteKind = "connection-state" | "connection-delete" | "endpoint-delete" | "dns-write" | "dns-delete";

const DNS_KINDS: ReadonlySet<WriteKind> = new Set(["dns-write", "dns-delete"]);

export interface DryRunSettings {
  /** App-wide dry-run (AUTOPILOT_DRY_RUN, a dry sweep, `--dry-run`, explain): nothing is written. */
  app?: boolean;
  /** The allow-list's `dns.dryRun`: record-set writes and deletes are not made. */
  dns?: boolean;
}

export type WriteResult<T> = { applied: true; value: T } | { applied: false; reason: string };

export class WriteGate {
  constructor(readonly dry: Readonly<DryRunSettings> = {}) {}

  /** true when a write of this kind would not be made: callers may plan instead of doing the work. */
  isDry(kind: WriteKind): boolean {
    return !!this.dry.app || (!!this.dry.dns && DNS_KINDS.has(kind));
  }

  /** A gate that writes nothing at all (for explain and dry runs), keeping this one's settings otherwise. */
  dryRunOnly(): WriteGate {
    return this.dry.app ? this : new WriteGate({ ...this.dry, app: true });
  }

  /** Runs `perform` unless dry-run holds this kind of write back. */
  async write<T>(kind: WriteKind, perform: () => Promise<T>): Promise<WriteResult<T>> {
    if (this.isDry(kind)) return { applied: false, reason: this.dry.app ? "dry-run: not written" : "dns.dryRun: not written" };
    return { applied: true, value: await perform() };
  }
}
