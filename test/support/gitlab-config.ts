// Reads a GitLab CI pipeline as GitLab would for one set of pipeline variables: `include: local`
// with its `inputs` (a file's `spec: inputs:` header, `$[[ inputs.name ]]` interpolated, a missing
// one an error), `extends` (hashes deep-merged, lists replaced), `!reference` (flattened into
// scripts), `rules` with `if` on variables, and `$VAR` expansion in variable values. What it does
// not know (another include kind, a rule clause it cannot evaluate) is an error, never skipped.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseDocument, type Tags } from "yaml";

type Raw = Record<string, unknown>;

export interface GitlabJob {
  name: string;
  stage: string;
  script: string[];
  variables: Record<string, string>;
  when: "on_success" | "manual" | "always";
  /** true, false, or the exit codes that only warn. */
  allowFailure: boolean | number[];
  needs: string[] | undefined;
  dotenv: string | undefined;
  dotenvAlways: boolean;
}

export interface GitlabPipelineConfig {
  stages: string[];
  jobs: GitlabJob[];
}

const RESERVED = new Set(["stages", "variables", "include", "default", "workflow"]);
const isRecord = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

class Reference {
  readonly path: string[];
  constructor(path: string[]) {
    this.path = path;
  }
}

const customTags: Tags = [
  {
    tag: "!reference",
    collection: "seq",
    resolve: (seq) => new Reference((seq as { toJSON(): string[] }).toJSON()),
  } as Tags[number],
];

/**
 * A file's `spec:` header (before `---`) and its body with `$[[ inputs.name ]]` interpolated from
 * `given`, or each input's default; an input without either, or one the spec does not declare, is
 * an error as GitLab makes it.
 */
function interpolate(path: string, text: string, given: Raw): string {
  const header = /^(?:#.*\n)*spec:\n[\s\S]*?\n---\n/.exec(text);
  const spec = header ? (parse(header[0].replace(/---\n$/, "")) as Raw).spec : undefined;
  const declared = isRecord(spec) && isRecord(spec.inputs) ? spec.inputs : {};
  for (const name of Object.keys(given))
    if (!(name in declared)) throw new Error(`${path}: unknown input "${name}"`);
  const body = header ? text.slice(header[0].length) : text;
  return body.replace(/\$\[\[\s*inputs\.([\w-]+)\s*\]\]/g, (_, name: string) => {
    const input = declared[name];
    if (!isRecord(input) && input !== null) throw new Error(`${path}: no input "${name}"`);
    const value = given[name] ?? (isRecord(input) ? input.default : undefined);
    if (value === undefined) throw new Error(`${path}: input "${name}" is required`);
    return String(value);
  });
}

function load(path: string, inputs: Raw = {}): Raw {
  const text = interpolate(path, readFileSync(path, "utf8"), inputs);
  const doc = parseDocument(text, { customTags });
  if (doc.errors.length) throw new Error(`${path}: ${doc.errors[0]!.message}`);
  return doc.toJS() as Raw;
}

function merge(base: unknown, over: unknown): unknown {
  if (!isRecord(base) || !isRecord(over)) return over;
  const out: Raw = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? merge(base[k], v) : v;
  return out;
}

function resolveReferences(value: unknown, doc: Raw): unknown {
  if (value instanceof Reference) {
    let node: unknown = doc;
    for (const part of value.path) node = isRecord(node) ? node[part] : undefined;
    if (node === undefined) throw new Error(`!reference [${value.path.join(", ")}] finds nothing`);
    return resolveReferences(node, doc);
  }
  if (Array.isArray(value)) return value.map((v) => resolveReferences(v, doc));
  if (isRecord(value))
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, resolveReferences(v, doc)]),
    );
  return value;
}

function lines(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  const list = (Array.isArray(value) ? value : [value]).flat(10);
  for (const line of list)
    if (typeof line !== "string")
      throw new Error(`${where} holds a non-string: ${JSON.stringify(line)}`);
  return list as string[];
}

export function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string, b: string) => vars[a ?? b] ?? "");
}

/** `$A == "x"`, `$A == $B`, `$A`, and `&&` of those. */
function ruleMatches(expr: string, vars: Record<string, string>): boolean {
  return expr.split("&&").every((part) => {
    const term = part.trim();
    const compare = /^\$(\w+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|\$(\w+))$/.exec(term);
    if (compare) {
      const left = vars[compare[1]!] ?? "";
      const right =
        compare[5] !== undefined ? (vars[compare[5]] ?? "") : (compare[3] ?? compare[4]!);
      return compare[2] === "==" ? left === right : left !== right;
    }
    const defined = /^\$(\w+)$/.exec(term);
    if (defined) return Boolean(vars[defined[1]!]);
    throw new Error(`the runner does not evaluate rules: if: ${expr}`);
  });
}

export function loadPipeline(
  dir: string,
  pipelineVars: Record<string, string>,
): GitlabPipelineConfig {
  const main = load(join(dir, ".gitlab-ci.yml"));
  let doc: Raw = {};
  for (const include of (main.include ?? []) as Raw[]) {
    if (typeof include.local !== "string") throw new Error(`the runner includes local files only`);
    const inputs = isRecord(include.inputs) ? include.inputs : {};
    doc = merge(doc, load(join(dir, include.local), inputs)) as Raw;
  }
  doc = resolveReferences(merge(doc, main), merge(doc, main) as Raw) as Raw;
  const resolveJob = (name: string, seen: string[] = []): Raw => {
    const job = doc[name];
    if (!isRecord(job)) throw new Error(`extends: no job "${name}"`);
    if (seen.includes(name)) throw new Error(`extends loops through ${name}`);
    const parents = job.extends === undefined ? [] : ([job.extends].flat() as string[]);
    const base = parents.reduce<Raw>(
      (acc, p) => merge(acc, resolveJob(p, [...seen, name])) as Raw,
      {},
    );
    const { extends: _, ...own } = job;
    return merge(base, own) as Raw;
  };
  const globals = Object.fromEntries(
    Object.entries((doc.variables ?? {}) as Raw).map(([k, v]) => [k, String(v)]),
  );
  const jobs: GitlabJob[] = [];
  for (const name of Object.keys(doc)) {
    if (RESERVED.has(name) || name.startsWith(".")) continue;
    const job = resolveJob(name);
    const vars: Record<string, string> = { ...pipelineVars };
    for (const [k, v] of Object.entries({ ...globals, ...((job.variables ?? {}) as Raw) }))
      if (!(k in pipelineVars)) vars[k] = expand(String(v), vars);
    let when = (job.when ?? "on_success") as GitlabJob["when"];
    let allowFailure = job.allow_failure as unknown;
    if (Array.isArray(job.rules)) {
      const rule = (job.rules as Raw[]).find(
        (r) => r.if === undefined || ruleMatches(String(r.if), vars),
      );
      if (!rule) continue;
      when = (rule.when ?? when) as GitlabJob["when"];
      allowFailure = rule.allow_failure ?? allowFailure;
    }
    const artifacts = (job.artifacts ?? {}) as Raw;
    const dotenv = ((artifacts.reports ?? {}) as Raw).dotenv;
    jobs.push({
      name,
      stage: String(job.stage ?? "test"),
      script: [
        ...lines(job.before_script, `${name}.before_script`),
        ...lines(job.script, `${name}.script`),
      ],
      variables: vars,
      when,
      // A manual job outside rules may fail by default (GitLab); elsewhere a job may not.
      allowFailure: isRecord(allowFailure)
        ? ((allowFailure.exit_codes as number[]) ?? [])
        : Boolean(allowFailure ?? (when === "manual" && !Array.isArray(job.rules))),
      needs: job.needs === undefined ? undefined : (job.needs as string[]),
      dotenv: typeof dotenv === "string" ? dotenv : undefined,
      dotenvAlways: artifacts.when === "always",
    });
  }
  const stages = (doc.stages as string[] | undefined) ?? ["build", "test", "deploy"];
  for (const job of jobs)
    if (!stages.includes(job.stage)) throw new Error(`job ${job.name}: no stage "${job.stage}"`);
  return { stages, jobs };
}
