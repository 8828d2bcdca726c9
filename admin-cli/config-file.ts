// Reads a config file (YAML or JSON) and checks it with the Worker's own schemas, offline.
// Every problem comes back at once, with its path and the line and column it is on.
import { readFile } from "node:fs/promises";
import {
  type Document,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from "yaml";
import type { ConfigFile } from "../schemas/config-file.ts";
import { formatPath, type PathIssue } from "../schemas/problems.ts";
import { fieldsAt } from "../schemas/schema-map.ts";
import { offlineService } from "../schemas/service-spec.ts";
import { suggestion } from "../schemas/suggest.ts";
import { type FileCheck, validateConfigFile } from "../schemas/validate.ts";
import { compileRouteTable } from "../worker/core/compile.ts";
import { CliError, EXIT, type LocatedProblem, UsageError } from "./errors.ts";

/** Reads a file for the CLI: a missing or unreadable file is an error naming it. */
export async function readSource(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new CliError(EXIT.error, `cannot read ${path}: ${(error as Error).message}`);
  }
}

/** Which environment's overlay to resolve, and who asked for it (for the error when it is not there). */
export interface EnvironmentChoice {
  name: string;
  from: string;
}

export async function loadConfigFile(
  path: string,
  environment?: EnvironmentChoice,
): Promise<ConfigFile> {
  return parseConfigText(await readSource(path), path, environment);
}

/**
 * Where a path points in the source: a map entry at its key (an unknown field on line 11 is on
 * line 11), a list item at the item; a path that is not there (a missing field) at the nearest
 * ancestor that is.
 */
export function sourceOffset(doc: Document, at: readonly (string | number)[]): number | undefined {
  let node: unknown = doc.contents;
  let offset = isNode(node) ? node.range?.[0] : undefined;
  for (const part of at) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part),
      );
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof part === "number") {
      const item = node.items[part];
      if (!isNode(item)) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset;
}

function invalid(source: string, problems: LocatedProblem[]): CliError {
  const error = new CliError(
    EXIT.invalidConfig,
    `${source}: ${problems.length} problem${problems.length === 1 ? "" : "s"}`,
  );
  error.problems = problems;
  error.source = source;
  return error;
}

/**
 * Parses YAML or JSON text and checks it with `check`; every problem at once, each with its path
 * and the line and column it is on (exit 3).
 */
export function parseCheckedText<T>(
  text: string,
  source: string,
  check: (input: unknown) => FileCheck<T>,
): T {
  const lineCounter = new LineCounter();
  // JSON is YAML, so one parser serves both and reports positions for both.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return { line: null, column: null };
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0) {
    throw invalid(
      source,
      doc.errors.map((e) => ({ path: "", ...at(e.pos[0]), message: e.message.split("\n")[0]! })),
    );
  }
  if (doc.contents === null)
    throw invalid(source, [
      { path: "", line: null, column: null, message: "the file is empty (or only comments)" },
    ]);
  const checked = check(doc.toJS());
  if (!checked.success) {
    const located = checked.issues.map((issue: PathIssue) => ({
      path: formatPath(issue.at),
      ...at(sourceOffset(doc, issue.at)),
      message: issue.message,
    }));
    located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    throw invalid(source, located);
  }
  return checked.data;
}

/** A file without overlays serves every environment; one with overlays must declare the one asked. */
function checkEnvironment(input: unknown, source: string, environment?: EnvironmentChoice) {
  const declared = (input as { environments?: unknown } | null)?.environments;
  if (!environment || typeof declared !== "object" || declared === null) return;
  const names = Object.keys(declared);
  const hint = suggestion(environment.name, names);
  if (!names.includes(environment.name))
    throw new UsageError(
      `${environment.from}: ${source} has no environment "${environment.name}"${hint ? `: ${hint}` : ""} (environments: ${names.join(", ")})`,
      ["an environment without changes can be declared empty: environments: { production: {} }"],
    );
}

export function parseConfigText(
  text: string,
  source: string,
  environment?: EnvironmentChoice,
): ConfigFile {
  const config = parseCheckedText(text, source, (input) => {
    checkEnvironment(input, source, environment);
    return validateConfigFile(input, { fieldsAt, environment: environment?.name });
  });
  // Compiling proves what the data plane will do with it (regexes, CIDRs, bucket layouts).
  compileRouteTable(config.services.map(offlineService));
  return config;
}
