// The deploy guide's environments build: `wrangler deploy --dry-run --env staging|production`
// bundles the Worker with each environment's own bindings, vars and no inheritance warnings.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../scripts/stack.ts";

function dryRun(environment: string): { status: number | null; output: string } {
  const outdir = mkdtempSync(join(tmpdir(), `keystone-dry-run-${environment}-`));
  const run = spawnSync(
    process.execPath,
    [
      join(PROJECT_ROOT, "node_modules/wrangler/bin/wrangler.js"),
      "deploy",
      "--dry-run",
      "--env",
      environment,
      "--outdir",
      outdir,
    ],
    {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" },
      timeout: 120_000,
    },
  );
  rmSync(outdir, { recursive: true, force: true });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe("wrangler environments", () => {
  for (const [environment, adminHost] of [
    ["staging", "keystone.staging.example.com"],
    ["production", "keystone.example.com"],
  ] as const) {
    it(`wrangler deploy --dry-run --env ${environment} succeeds with its own bindings`, () => {
      const { status, output } = dryRun(environment);
      expect(status, output).toBe(0);
      expect(output).toContain("--dry-run: exiting now.");
      for (const binding of [
        "env.SERVICES (ServiceObject)",
        "env.REGISTRY (RegistryObject)",
        "env.STATS (StatsObject)",
        "env.ROUTES",
        `env.ADMIN_HOSTS ("${adminHost}")`,
      ])
        expect(output).toContain(binding);
      expect(output).not.toMatch(/WARNING/i);
    });
  }
});
