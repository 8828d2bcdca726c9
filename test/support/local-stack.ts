// `npm start` (scripts/start.ts) as a process with chosen ports and its own local dir, for the
// end-to-end tests of the local stack; and the README's recipe lines, runnable.
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

/** The lines of a README recipe block, comments stripped, for `bash -c`. */
export function readmeRecipe(name: string): string[] {
  const readme = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");
  const start = readme.indexOf(`<!-- recipe: ${name}`);
  const end = readme.indexOf("<!-- end recipe -->", start);
  if (start === -1 || end === -1) throw new Error(`README.md has no recipe "${name}"`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(start, end))?.[1] ?? "";
  return block
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
