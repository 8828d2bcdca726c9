// Reads a config file (YAML or JSON) and checks it with the Worker's own schemas, offline.
// Problems come back with their path and, for YAML, the line and column.
import { readFile } from "node:fs/promises";
import { isNode, LineCounter, parseDocument } from "yaml";
import { ConfigFile } from "../schemas/config-file.ts";
import { problemsOf } from "../schemas/problems.ts";
import { compileRouteTable } from "../worker/core/compile.ts";
import { CliError, EXIT } from "./errors.ts";

export async function loadConfigFile(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new CliError(EXIT.error, `cannot read ${path}: ${(error as Error).message}`);
  }
  return parseConfigText(text, path);
}

export function parseConfigText(text: string, source: string): ConfigFile {
  const lineCounter = new LineCounter();
  // JSON is YAML, so one parser serves both and reports positions for both.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new CliError(
      EXIT.invalidConfig,
      `${source} is not valid YAML or JSON`,
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return `  ${source}:${pos.line}:${pos.col}: ${e.message.split("\n")[0]}`;
      }),
    );
  }
  const parsed = ConfigFile.safeParse(doc.toJS());
  if (!parsed.success) {
    const problems = problemsOf(parsed.error);
    throw new CliError(
      EXIT.invalidConfig,
      `${source}: ${problems.length} problem${problems.length === 1 ? "" : "s"}`,
      problems.map((p, i) => {
        const issuePath = parsed.error.issues[i]?.path ?? [];
        const node = doc.getIn(issuePath as (string | number)[], true);
        const where = isNode(node) && node.range ? lineCounter.linePos(node.range[0]) : undefined;
        return `  ${p.path}: ${p.message}${where ? ` (line ${where.line})` : ""}`;
      }),
    );
  }
  // Compiling proves what the data plane will do with it (regexes, CIDRs, bucket layouts).
  compileRouteTable(parsed.data.services);
  return parsed.data;
}
