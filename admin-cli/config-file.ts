// Reads a config file (YAML or JSON) and checks it with the Worker's own schemas, offline.
// Every problem comes back at once, with its path and the line and column it is on.
import { readFile } from "node:fs/promises";
import {
  type Alias,
  type Document,
  isAlias,
  isCollection,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from "yaml";
import type { ConfigFile } from "../schemas/config-file.ts";
import { formatPath, MAX_NESTING, nestedTooDeep, type PathIssue } from "../schemas/problems.ts";
import { offlineService } from "../schemas/service-spec.ts";
import { suggestion } from "../schemas/suggest.ts";
import { type FileCheck, validateConfigFile } from "../schemas/validate.ts";
import { compileRouteTable } from "../worker/core/compile.ts";
import { loadRegexEngine } from "../worker/core/regex-engine.ts";
import { progressWarnings } from "../worker/core/rollout/eligible-traffic.ts";
import { CliError, EXIT, type LocatedProblem, UsageError } from "./errors.ts";
import { fieldsAt } from "./schema-map.ts";

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
  await loadRegexEngine();
  return parseConfigText(await readSource(path), path, environment);
}

/**
 * Where a path points in the source: a map entry at its key (an unknown field on line 11 is on
 * line 11), a list item at the item; a path that is not there (a missing field) at the nearest
 * ancestor that is.
 */
function sourceOffset(doc: Document, at: readonly (string | number)[]): number | undefined {
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

/** A checked file's value, and the advice about it: each with its path, line and column. */
export interface CheckedText<T> {
  data: T;
  warnings: LocatedProblem[];
}

/**
 * Parses YAML or JSON text and checks it with `check`; every problem at once, each with its path
 * and the line and column it is on (exit 3). `advise` finds what is valid but worth a warning.
 */
export function parseCheckedText<T>(
  text: string,
  source: string,
  check: (input: unknown) => FileCheck<T>,
): T {
  return readCheckedText(text, source, check).data;
}

function readCheckedText<T>(
  text: string,
  source: string,
  check: (input: unknown) => FileCheck<T>,
  advise: (data: T) => PathIssue[] = () => [],
): CheckedText<T> {
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
      doc.errors.map((e) => ({ path: "", ...at(e.pos[0]), message: parserMessage(e.message) })),
    );
  }
  if (doc.contents === null)
    throw invalid(source, [
      { path: "", line: null, column: null, message: "the file is empty (or only comments)" },
    ]);
  const locate = (issues: PathIssue[]): LocatedProblem[] =>
    issues
      .map((issue) => ({
        path: formatPath(issue.at),
        ...at(sourceOffset(doc, issue.at)),
        message: issue.message,
      }))
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  const value = toValue(doc, source, at);
  // Refused before any recursive check runs, as the admin API refuses it (schemas/problems.ts).
  const deep = nestedTooDeep(value);
  if (deep) throw invalid(source, [{ ...deep, line: null, column: null }]);
  const checked = check(value);
  if (!checked.success) throw invalid(source, locate(checked.issues));
  return { data: checked.data, warnings: locate(advise(checked.data)) };
}

/** The YAML parser's message in the file's terms: its first line; a stack overflow is nesting. */
function parserMessage(message: string): string {
  return message.includes("Maximum call stack size exceeded")
    ? `nested too deeply to read (the API refuses past ${MAX_NESTING} levels)`
    : message.split("\n")[0]!;
}

/** How many values a node stands for once its aliases are expanded (memoised per node). */
function expandedSize(doc: Document, node: unknown, sizes: Map<unknown, number>): number {
  const known = sizes.get(node);
  if (known !== undefined) return known;
  sizes.set(node, 1); // a cycle counts once: the parser refuses to expand it anyway
  let size = 1;
  if (isAlias(node)) size = expandedSize(doc, node.resolve(doc), sizes);
  else if (isCollection(node))
    for (const item of node.items)
      size += isPair(item)
        ? expandedSize(doc, item.key, sizes) + expandedSize(doc, item.value, sizes)
        : expandedSize(doc, item, sizes);
  sizes.set(node, size);
  return size;
}

/** The alias that expands into the most values: where an alias bomb is set off. */
function largestAlias(doc: Document): { alias: Alias; size: number } | undefined {
  const sizes = new Map<unknown, number>();
  let largest: { alias: Alias; size: number } | undefined;
  visit(doc, {
    Alias(_, alias) {
      const size = expandedSize(doc, alias, sizes);
      if (!largest || size > largest.size) largest = { alias, size };
    },
  });
  return largest;
}

/**
 * The document as plain values. The YAML library refuses to expand aliases that multiply (an
 * "alias bomb": a few lines that stand for millions of values): that is an invalid file, exit 3,
 * reported at the alias that expands the most.
 */
function toValue(
  doc: Document,
  source: string,
  at: (offset: number | undefined) => { line: number | null; column: number | null },
): unknown {
  try {
    return doc.toJS();
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    const largest = largestAlias(doc);
    const size = largest
      ? `: *${largest.alias.source} stands for ${largest.size.toLocaleString("en-US")} values`
      : "";
    throw invalid(source, [
      {
        path: "",
        ...at(largest?.alias.range?.[0]),
        message: `aliases expand too far (${error.message.toLowerCase()})${size}; write the values out, or nest aliases less`,
      },
    ]);
  }
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

/** As checkConfigText: RE2 must be loaded. */
function parseConfigText(
  text: string,
  source: string,
  environment?: EnvironmentChoice,
): ConfigFile {
  return checkConfigText(text, source, environment).data;
}

/**
 * A config file's problems (thrown, exit 3) and its warnings: rollouts that may never progress.
 * It compiles the config as the data plane does: RE2 must be loaded (`loadRegexEngine()`).
 */
function checkConfigText(
  text: string,
  source: string,
  environment?: EnvironmentChoice,
): CheckedText<ConfigFile> {
  const checked = readCheckedText(
    text,
    source,
    (input) => {
      checkEnvironment(input, source, environment);
      return validateConfigFile(input, { fieldsAt, environment: environment?.name });
    },
    (config) =>
      config.services.flatMap((service, i) =>
        progressWarnings(offlineService(service)).map((w) => ({
          at: ["services", i, ...w.path],
          message: w.message,
        })),
      ),
  );
  // Compiling proves what the data plane will do with it (regexes, CIDRs, bucket layouts).
  compileRouteTable(checked.data.services.map(offlineService));
  return checked;
}

export async function loadCheckedConfigFile(
  path: string,
  environment?: EnvironmentChoice,
): Promise<CheckedText<ConfigFile>> {
  await loadRegexEngine();
  return checkConfigText(await readSource(path), path, environment);
}
