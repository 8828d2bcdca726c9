// A small runner for a composite GitHub Action: reads action.yml, substitutes the inputs and step
// outputs into each step's env, runs each `run:` step with bash, and implements what the steps
// use of GitHub's file and workflow commands (GITHUB_OUTPUT, GITHUB_PATH, GITHUB_STEP_SUMMARY,
// ::add-mask::, ::error::). `uses:` steps (actions/setup-node) are not run: runnerEnv() puts this
// Node on PATH instead. An expression it does not know is an error, never skipped.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { runBash, runnerEnv } from "./bash-step.ts";

interface ActionStep {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
}

interface ActionFile {
  inputs: Record<string, { required?: boolean; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

export interface Annotation {
  level: string;
  title: string | undefined;
  message: string;
}

export interface ActionRun {
  /** Every `run:` step succeeded. */
  success: boolean;
  steps: { name: string; outcome: "success" | "failure" | "skipped" | "not run (uses:)" }[];
  outputs: Record<string, string>;
  summary: string;
  annotations: Annotation[];
  /** stdout and stderr of every step, masked values replaced by ***, as the runner's log shows. */
  log: string;
  masks: string[];
}

function keyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([\w-]+)<<(.+)$/.exec(lines[i]!);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      out[heredoc[1]!] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (lines[i]!.includes("=")) {
      const at = lines[i]!.indexOf("=");
      out[lines[i]!.slice(0, at)] = lines[i]!.slice(at + 1);
    }
  }
  return out;
}

export async function runAction(
  actionPath: string,
  given: Record<string, string>,
  cwd: string,
): Promise<ActionRun> {
  const action = parse(readFileSync(actionPath, "utf8")) as ActionFile;
  if (action.runs.using !== "composite") throw new Error("not a composite action");
  for (const name of Object.keys(given))
    if (!(name in action.inputs)) throw new Error(`the action has no input "${name}"`);
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) {
    if (spec.required && given[name] === undefined) throw new Error(`input "${name}" is required`);
    inputs[name] = given[name] ?? spec.default ?? "";
  }
  const temp = mkdtempSync(join(tmpdir(), "keystone-gha-"));
  const files = {
    GITHUB_PATH: join(temp, "path"),
    GITHUB_STEP_SUMMARY: join(temp, "summary.md"),
  };
  for (const file of Object.values(files)) writeFileSync(file, "");
  mkdirSync(join(temp, "runner"));
  const stepOutputs: Record<string, Record<string, string>> = {};
  const evaluate = (text: string) =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
      const input = /^inputs\.([\w-]+)$/.exec(expr);
      if (input) return inputs[input[1]!] ?? "";
      const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr);
      if (output) return stepOutputs[output[1]!]?.[output[2]!] ?? "";
      throw new Error(`the runner does not evaluate \${{ ${expr} }}`);
    });
  const run: ActionRun = {
    success: true,
    steps: [],
    outputs: {},
    summary: "",
    annotations: [],
    log: "",
    masks: [],
  };
  for (const [index, step] of action.runs.steps.entries()) {
    const name = step.name ?? step.uses ?? `step ${index + 1}`;
    if (step.uses) {
      run.steps.push({ name, outcome: "not run (uses:)" });
      continue;
    }
    const condition = step.if?.trim() ?? "success()";
    const wanted = { "success()": run.success, "always()": true, "failure()": !run.success }[
      condition
    ];
    if (wanted === undefined) throw new Error(`the runner does not evaluate if: ${condition}`);
    if (!wanted) {
      run.steps.push({ name, outcome: "skipped" });
      continue;
    }
    if (step.shell !== "bash") throw new Error(`step "${name}": the runner runs shell: bash only`);
    const outputFile = join(temp, `output-${index}`);
    writeFileSync(outputFile, "");
    const extraPath = readFileSync(files.GITHUB_PATH, "utf8").split("\n").filter(Boolean).reverse();
    const base = runnerEnv({
      ...files,
      GITHUB_OUTPUT: outputFile,
      GITHUB_ACTION_PATH: dirname(actionPath),
      GITHUB_ACTIONS: "true",
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_REPOSITORY: "example/shop",
      GITHUB_RUN_ID: "4242",
      RUNNER_TEMP: join(temp, "runner"),
    });
    const env = Object.fromEntries(
      Object.entries(step.env ?? {}).map(([key, value]) => [key, evaluate(String(value))]),
    );
    const result = await runBash(
      evaluate(step.run ?? ""),
      {
        ...base,
        ...env,
        PATH: [...extraPath, base.PATH].join(":"),
      },
      cwd,
    );
    for (const line of result.stdout.split("\n")) {
      const mask = /^::add-mask::(.+)$/.exec(line);
      if (mask) run.masks.push(mask[1]!);
      const note = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
      if (note) {
        const title = /(?:^|,)title=([^,]*)/.exec(note[2] ?? "")?.[1];
        run.annotations.push({ level: note[1]!, title, message: note[3]! });
      }
    }
    run.log += `## ${name}\n${result.stdout}${result.stderr}`;
    if (step.id) stepOutputs[step.id] = keyValues(readFileSync(outputFile, "utf8"));
    run.steps.push({ name, outcome: result.code === 0 ? "success" : "failure" });
    if (result.code !== 0) run.success = false;
  }
  for (const [name, output] of Object.entries(action.outputs))
    run.outputs[name] = evaluate(output.value);
  for (const secret of run.masks) run.log = run.log.replaceAll(secret, "***");
  run.summary = readFileSync(files.GITHUB_STEP_SUMMARY, "utf8");
  return run;
}
