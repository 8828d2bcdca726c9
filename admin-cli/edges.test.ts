// The CLI at the edges of its input and output: a file of 20,000 services, a YAML alias bomb, and
// a reader (`| head`) that stops reading before the CLI has finished writing.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../scripts/stack.ts";
import { releaseStatus, textFile } from "../test/support/cli-fixtures.ts";
import { useFakeAdminApi } from "../test/support/fake-admin-api.ts";
import { runCli } from "../test/support/run-cli.ts";

const fake = useFakeAdminApi();

describe("keystone validate of a large file", () => {
  it("summarises 20,000 service names on one short line; --json still lists them all", async () => {
    const services = Array.from({ length: 20_000 }, (_, i) => ({
      name: `svc-${i}`,
      hosts: [`svc-${i}.example.com`],
      versions: { stable: { origin: "http://stable.internal" } },
      baseline: "stable",
      split: { stable: 100 },
    }));
    const path = textFile("many.json", JSON.stringify({ services }));
    const result = await runCli(["validate", "-f", path]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.length).toBeLessThan(400);
    expect(result.stdout).toContain("20000 service(s) valid: svc-0, svc-1,");
    expect(result.stdout).toContain("svc-9 and 19990 more (--json lists every name)");
    const json = JSON.parse((await runCli(["validate", "-f", path, "--json"])).stdout);
    expect(json.services).toHaveLength(20_000);
  });
});

describe("a YAML alias bomb", () => {
  // Seven lines that stand for millions of values once every alias is expanded.
  const lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
  for (const [name, from] of ["ba", "cb", "dc", "ed", "fe", "gf"].map((p) => [...p])) {
    const alias = `*${from}`;
    lines.push(`${name}: &${name} [${Array(9).fill(alias).join(", ")}]`);
  }
  lines.push("services: *g");

  it("is an invalid file (exit 3) with the line and column of the alias that sets it off", async () => {
    const path = textFile("bomb.yaml", `${lines.join("\n")}\n`);
    const result = await runCli(["validate", "-f", path, "--json"]);
    expect(result.code, result.stderr).toBe(3);
    const [problem] = JSON.parse(result.stdout).error.problems;
    expect(problem).toMatchObject({ line: 8, column: 11 });
    expect(problem.message).toContain("aliases expand too far");
    expect(problem.message).toContain("*g stands for 5,380,840 values");
    expect(result.stderr).not.toContain("unexpected error");
  });
});

/** The real `keystone` command with stdout a pipe whose reader has gone away, like `| head -0`. */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, "admin-cli/bin.js"), ...args], {
      env: { ...process.env, NO_COLOR: "1", KEYSTONE_CONFIG_DIR: "/nonexistent/keystone-config" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("a reader that stops early (keystone release status | head)", () => {
  it("ends the CLI quietly: no EPIPE stack trace, exit 0", async () => {
    fake.api.answers.set("GET /releases/checkout", { body: releaseStatus("running") });
    const result = await runWithClosedStdout([
      "release",
      "status",
      "checkout",
      "--url",
      fake.api.url,
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });
});
