// Runs one pipeline step's script with bash, as a CI runner would: a script file, chosen env,
// the exit code and what it printed.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export interface StepRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The Node running the tests stands in for the runner's own (the GitHub Action's setup-node, the
 * GitLab template's node:22 image), first on PATH. KEYSTONE_* from the test process never leak in.
 */
export function runnerEnv(extra: Record<string, string>): Record<string, string> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined &&
        !entry[0].startsWith("KEYSTONE_") &&
        !entry[0].startsWith("GITHUB_"),
    ),
  );
  return {
    ...base,
    PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
    CI: "true",
    ...extra,
  };
}

export function runBash(
  script: string,
  env: Record<string, string>,
  cwd: string,
  flags: string[] = ["--noprofile", "--norc", "-eo", "pipefail"],
): Promise<StepRun> {
  const file = join(mkdtempSync(join(tmpdir(), "keystone-step-")), "step.sh");
  writeFileSync(file, script);
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [...flags, file], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
