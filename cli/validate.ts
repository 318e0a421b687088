// `privatelink-autopilot validate`: the allow-list's problems with file:line, or a summary.
import { formatProblem } from "../shared/config/index.js";
import { loadConfigFile } from "../shared/config/sources/files.js";
import { one, parse, type CliIo } from "./io.js";

export async function validate(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: "boolean" } });
  const file = one(positionals, "<allow-list.yaml | folder>");
  const result = await loadConfigFile(file);
  const warnings = result.ok ? (result.warnings ?? []) : [];
  if (values.json)
    io.out(JSON.stringify(result.ok ? { file, valid: true, ...(warnings.length ? { warnings } : {}) } : { file, valid: false, problems: result.problems }));
  if (result.ok) {
    const c = result.config;
    if (!values.json) {
      io.out(`${file}: valid (${c.approval.rules.length} approval rule(s), ${c.dns?.zones?.length ?? 0} DNS zone(s))`);
      for (const w of warnings) io.out(`warning: ${formatProblem(w)}`);
    }
    return 0;
  }
  if (!values.json) for (const p of result.problems) io.out(formatProblem(p));
  return 1;
}
