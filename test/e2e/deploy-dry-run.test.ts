// The deploy guide's Workers build, offline: `npm run deploy -- --dry-run` (the first try: the
// top-level Worker, with no "no target environment" warning) and `wrangler deploy --dry-run --env
// <name>` for every environment wrangler.toml declares, each with its own bindings, an admin
// hostname that is one of its own routes, no warning, and the minified bundle the benchmark
// measures (wrangler.toml sets minify; `npm run bench` builds with the same command).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { experimental_readRawConfig } from "wrangler";
import { PROJECT_ROOT } from "../../scripts/stack.ts";

const { rawConfig } = experimental_readRawConfig(
  { config: join(PROJECT_ROOT, "wrangler.toml") },
  { hideWarnings: true },
);
const environments = Object.keys(rawConfig.env ?? {});

const BINDINGS = [
  "env.SERVICES (ServiceObject)",
  "env.REGISTRY (RegistryObject)",
  "env.STATS (StatsObject)",
  "env.RELEASES (ReleaseObject)",
  "env.ROUTES",
];

interface DryRun {
  status: number | null;
  output: string;
  /** The built script's bytes per line: minified, it is a few very long lines (licence comments aside). */
  bytesPerLine: number;
}

/** Runs a build command with --dry-run into a scratch folder; its exit status, output and script. */
function dryRun(command: string, args: string[]): DryRun {
  const outdir = mkdtempSync(join(tmpdir(), "keystone-dry-run-"));
  const run = spawnSync(command, [...args, "--dry-run", "--outdir", outdir], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" },
    timeout: 120_000,
  });
  let bytesPerLine = 0;
  try {
    const script = readFileSync(join(outdir, "index.js"), "utf8");
    bytesPerLine = script.length / script.split("\n").length;
  } catch {
    // No script: the status and output say why.
  }
  rmSync(outdir, { recursive: true, force: true });
  return { status: run.status, output: `${run.stdout}${run.stderr}`, bytesPerLine };
}

describe("wrangler environments", () => {
  it("wrangler.toml declares staging and production", () => {
    expect(environments).toEqual(expect.arrayContaining(["staging", "production"]));
  });

  it("npm run deploy -- --dry-run: the first try builds minified, its admin API on its one hostname, no warning", () => {
    // No route of its own: "*" is the workers.dev address alone.
    expect(rawConfig.routes ?? rawConfig.route).toBeUndefined();
    const { status, output, bytesPerLine } = dryRun("npm", ["run", "deploy", "--"]);
    expect(status, output).toBe(0);
    // Unminified, the bundle averages ~40 bytes a line; minified, thousands.
    expect(bytesPerLine, "the bundle is minified").toBeGreaterThan(1000);
    expect(output).toContain("--dry-run: exiting now.");
    for (const binding of [...BINDINGS, 'env.ADMIN_HOSTS ("*")']) expect(output).toContain(binding);
    expect(output).not.toMatch(/WARNING|no target environment/i);
  }, 180_000);

  for (const environment of environments) {
    it(`wrangler deploy --dry-run --env ${environment}: minified, its own bindings and admin hostname, no warning`, () => {
      const env = rawConfig.env![environment]!;
      const adminHost = (env.vars as Record<string, string> | undefined)?.ADMIN_HOSTS;
      expect(adminHost, "ADMIN_HOSTS").toMatch(/^[a-z0-9.-]+$/);
      const routes = ((env.routes ?? []) as (string | { pattern: string })[]).map((route) =>
        typeof route === "string" ? route : route.pattern,
      );
      expect(routes).toContain(adminHost);
      const { status, output, bytesPerLine } = dryRun(process.execPath, [
        join(PROJECT_ROOT, "node_modules/wrangler/bin/wrangler.js"),
        "deploy",
        "--env",
        environment,
      ]);
      expect(status, output).toBe(0);
      expect(bytesPerLine, "the bundle is minified").toBeGreaterThan(1000);
      expect(output).toContain("--dry-run: exiting now.");
      for (const binding of [...BINDINGS, `env.ADMIN_HOSTS ("${adminHost}")`])
        expect(output).toContain(binding);
      expect(output).not.toMatch(/WARNING/i);
    }, 180_000);
  }
});
