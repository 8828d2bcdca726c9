// `npm start` (scripts/start.ts) as a process with chosen ports and its own local dir, for the
// end-to-end tests of the local stack; and the docs' recipes (README.md, docs/deploy.md), runnable.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT, stopProcessGroup } from "../../scripts/stack.ts";

export interface StartRun {
  process: ChildProcess;
  output(): string;
  /** Resolves with the exit code, or with null once `npm start` says it is running. */
  settled: Promise<number | null>;
}

export function runStart(env: Record<string, string>): StartRun {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, "scripts/start.ts")], {
    cwd: PROJECT_ROOT,
    detached: true,
    // NODE_ENV=test (set by vitest) would make Miniflare skip what it does from a user's shell.
    env: { ...process.env, NODE_ENV: undefined, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const settled = new Promise<number | null>((resolve) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Keystone Edge is running on")) resolve(null);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => resolve(code ?? -1));
  });
  return { process: child, output: () => output, settled };
}

/** Stops a running `npm start` the way Ctrl-C would, and waits until it is gone. */
export async function stopStart(run: StartRun): Promise<void> {
  await stopProcessGroup(run.process);
}

/**
 * The code block between `<!-- recipe: name` and `<!-- end recipe -->` in a Markdown file of the
 * project (README.md unless given): the commands a reader copies, for a test to run as written.
 */
export function recipe(name: string, file = "README.md"): string {
  const text = readFileSync(join(PROJECT_ROOT, file), "utf8");
  const start = text.indexOf(`<!-- recipe: ${name}`);
  const end = text.indexOf("<!-- end recipe -->", start);
  if (start === -1 || end === -1) throw new Error(`${file} has no recipe "${name}"`);
  const block = /```\w*\n([\s\S]*?)```/.exec(text.slice(start, end))?.[1];
  if (block === undefined) throw new Error(`${file}'s recipe "${name}" has no code block`);
  return block;
}

/** The lines of a README recipe block, comments stripped, for `bash -c`. */
export function readmeRecipe(name: string): string[] {
  return recipe(name)
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter(Boolean);
}

export function runShell(
  line: string,
  env: Record<string, string>,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", line], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}
