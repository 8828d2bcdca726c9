// docs/deploy.md's secrets commands, run as written against a fake `wrangler` (node_modules/.bin
// of a scratch project, found by `npx` there) that records what it received: for staging,
// production and the first try, six fresh values of their own in a file only its owner can read,
// uploaded in one `secret bulk` to the right Worker; a second run cannot overwrite a file not yet
// saved; such files are git-ignored. And the guide's first-try config validates.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT, randomSecrets } from "../../scripts/stack.ts";
import { runCli } from "../support/e2e-stack.ts";
import { recipe } from "../support/local-stack.ts";

const GUIDE = "docs/deploy.md";
const FAKE_WRANGLER = `#!/usr/bin/env bash
# A stand-in for wrangler: records its arguments and, for "secret bulk FILE", the file as it was.
{
  echo "argv: $*"
  if [ "$1" = secret ] && [ "$2" = bulk ]; then echo "mode: $(stat -c %a "$3")"; cat "$3"; fi
  echo "--"
} >> "$FAKE_WRANGLER_LOG"
`;

let project: string;
const log = (dir = project) => join(dir, "wrangler.log");

/** The guide's two secrets blocks as one script, for the Worker of `env` (empty: the first try). */
function secretsScript(env: string): string {
  const generate = recipe("secrets, generate", GUIDE).replace(/^env=.*$/m, `env=${env}`);
  expect(generate).toContain(`env=${env}\n`);
  return `set -e\n${generate}\n${recipe("secrets, upload", GUIDE)}`;
}

function run(script: string, dir = project): { status: number | null; output: string } {
  const result = spawnSync("bash", ["-c", script], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, FAKE_WRANGLER_LOG: log(dir) },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** What the fake wrangler received, one entry per call. */
function received(dir = project): { argv: string; mode: string; values: Record<string, string> }[] {
  return readFileSync(log(dir), "utf8")
    .split("--\n")
    .filter(Boolean)
    .map((entry) => {
      const lines = entry.trim().split("\n");
      const values = Object.fromEntries(
        lines
          .slice(2)
          .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
      );
      return {
        argv: lines[0]!.slice("argv: ".length),
        mode: lines[1]!.slice("mode: ".length),
        values,
      };
    });
}

/** A scratch project whose `npx wrangler` is the fake. */
function scratchProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "keystone-deploy-guide-"));
  writeFileSync(join(dir, "package.json"), '{ "name": "deploy-guide", "private": true }\n');
  mkdirSync(join(dir, "node_modules/.bin"), { recursive: true });
  writeFileSync(join(dir, "node_modules/.bin/wrangler"), FAKE_WRANGLER);
  chmodSync(join(dir, "node_modules/.bin/wrangler"), 0o755);
  return dir;
}

beforeAll(() => {
  project = scratchProject();
  for (const env of ["production", "staging", ""]) {
    const { status, output } = run(secretsScript(env));
    expect(status, output).toBe(0);
  }
}, 120_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

describe("docs/deploy.md: secrets", () => {
  it("each Worker's secrets go to it alone, in one secret bulk, from a file only its owner reads", () => {
    expect(received().map((call) => [call.argv, call.mode])).toEqual([
      ["secret bulk keystone-production.secrets --env=production", "600"],
      ["secret bulk keystone-staging.secrets --env=staging", "600"],
      ["secret bulk keystone-first-try.secrets --env=", "600"],
    ]);
  });

  it("every secret a Worker reads (those npm start writes locally), each a fresh 256-bit value", () => {
    const names = Object.keys(randomSecrets()).sort();
    const values = received().flatMap((call) => {
      expect(Object.keys(call.values).sort()).toEqual(names);
      return Object.values(call.values);
    });
    for (const value of values) expect(value).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(values).size).toBe(values.length);
  });

  it("the file left to save is what wrangler received, and a second run cannot overwrite it", () => {
    const production = received()[0]!.values;
    const saved = () => readFileSync(join(project, "keystone-production.secrets"), "utf8");
    const before = saved();
    expect(before).toBe(
      `${Object.entries(production)
        .map(([name, value]) => `${name}=${value}`)
        .join("\n")}\n`,
    );
    const again = run(secretsScript("production"));
    expect(again.status).not.toBe(0);
    expect(again.output).toMatch(/cannot overwrite existing file/);
    expect(saved()).toBe(before);
    expect(received()).toHaveLength(3);
  });

  it("such files are git-ignored in the project", () => {
    expect(() =>
      execFileSync("git", ["check-ignore", "-q", "keystone-production.secrets"], {
        cwd: PROJECT_ROOT,
      }),
    ).not.toThrow();
  });
});

describe("docs/deploy.md: the first try", () => {
  it("its example config is valid", async () => {
    const file = join(project, "first-try.yaml");
    writeFileSync(file, recipe("first try config", GUIDE));
    const validated = await runCli(["validate", "-f", file], project, {});
    expect(validated.code, validated.stderr).toBe(0);
  });
});

describe("docs/deploy.md: the data plane Worker's secrets", () => {
  let dir: string;
  beforeAll(() => {
    dir = scratchProject();
    const script = `${secretsScript("production")}\n${recipe("secrets, data plane", GUIDE)}`;
    const { status, output } = run(script, dir);
    expect(status, output).toBe(0);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("get the three its requests read, the values its control plane has, from a file only its owner reads, then removed", () => {
    const [control, dataPlane, ...more] = received(dir);
    expect(more).toEqual([]);
    expect(control!.argv).toBe("secret bulk keystone-production.secrets --env=production");
    expect(dataPlane!.argv).toBe(
      "secret bulk keystone-production-data-plane.secrets --env=production -c worker/data-plane/wrangler.toml",
    );
    expect(dataPlane!.mode).toBe("600");
    const shared = ["AFFINITY_SECRET", "BUCKET_SECRET", "OVERRIDE_SECRET"];
    expect(Object.keys(dataPlane!.values).sort()).toEqual(shared);
    for (const name of shared) expect(dataPlane!.values[name]).toBe(control!.values[name]);
    expect(() => readFileSync(join(dir, "keystone-production-data-plane.secrets"))).toThrow();
    expect(() =>
      execFileSync("git", ["check-ignore", "-q", "keystone-production-data-plane.secrets"], {
        cwd: PROJECT_ROOT,
      }),
    ).not.toThrow();
  });
});
