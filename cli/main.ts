// privatelink-autopilot CLI: validate an allow-list, explain a decision, replay events.
// Same core as the Function; `explain` and `replay` run it against the embedded
// emulator loaded with an estate file. Each command's module is imported only when it
// runs: the Azure SDKs and the emulator take seconds to load, which `validate`, `--help`
// and usage errors do not need.
import { UsageError, type CliIo } from "./io.js";
import { USAGE } from "./usage.js";

export { UsageError, type CliIo };

const stdio: CliIo = { out: (l) => process.stdout.write(l + "\n"), err: (l) => process.stderr.write(l + "\n") };

/** Runs one CLI command; returns the exit code. */
export async function runCli(argv: string[], io: CliIo = stdio): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "validate":
        return await (await import("./validate.js")).validate(rest, io);
      case "explain":
        return await (await import("./commands.js")).explain(rest, io);
      case "pending":
        return await (await import("./commands.js")).pending(rest, io);
      case "replay":
        return await (await import("./commands.js")).replay(rest, io);
      case "report":
        return await (await import("./commands.js")).report(rest, io);
      case "reconcile":
        return await (await import("./commands.js")).reconcile(rest, io);
      case "audit":
        return await (await import("./audit.js")).runAudit(rest, io);
      case "redrive-poison":
        return await (await import("./storage.js")).runRedrive(rest, io);
      case "publish-allow-list":
        return await (await import("./storage.js")).runPublish(rest, io);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.out(USAGE);
        return command ? 0 : 2;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`error: ${e.message}\n${USAGE}`);
      return 2;
    }
    io.err(`error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
