// What every CLI command shares: where output goes, and the error that means "usage" (exit 2).
export class UsageError extends Error {}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}
