// The deploy guide's Workers build, offline: `npm run deploy -- --dry-run` (the first try: the
// top-level Worker, with no "no target environment" warning) and `wrangler deploy --dry-run --env
// <name>` for every environment wrangler.toml declares, each with its own bindings, an admin
// hostname that is one of its own routes, no warning, and the minified bundle the benchmark
// measures (wrangler.toml sets minify; `npm run bench` builds with the same command). And the data
// plane Worker of every environment as `npm run deploy:data-plane` deploys it: bound to that
// environment's control plane and KV namespace (the id pinned in wrangler.toml), its own routes,
// refused before wrangler runs when the id is not pinned.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { experimental_readRawConfig } from "wrangler";
import { PLACEHOLDER_ID } from "../../scripts/deploy-data-plane.ts";
import { PROJECT_ROOT } from "../../scripts/stack.ts";

const { rawConfig } = experimental_readRawConfig(
  { config: join(PROJECT_ROOT, "wrangler.toml") },
  { hideWarnings: true },
);
const environments = Object.keys(rawConfig.env ?? {});
const dataPlaneConfig = experimental_readRawConfig(
  { config: join(PROJECT_ROOT, "worker/data-plane/wrangler.toml") },
  { hideWarnings: true },
).rawConfig;

type Routes = (string | { pattern: string })[] | undefined;
const patterns = (routes: Routes) =>
  (routes ?? []).map((route) => (typeof route === "string" ? route : route.pattern));

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

describe("the data plane Worker of each environment (npm run deploy:data-plane)", () => {
  /** A namespace id of each environment's own, so that a mix-up shows. */
  const namespaceOf = (environment: string) => `${environment || "top-level"}-routes-namespace`;
  let pinned: string;
  let unpinned: string;

  /**
   * wrangler.toml with every ROUTES binding's id as `id(section)` says: undefined, none. Any id
   * already there (an operator who followed section 3 and committed it) is replaced.
   */
  function withRouteIds(id: (environment: string) => string | undefined): string {
    let environment = "";
    const lines: string[] = [];
    for (const line of readFileSync(join(PROJECT_ROOT, "wrangler.toml"), "utf8").split("\n")) {
      const header = /^\[\[(?:env\.([\w-]+)\.)?kv_namespaces\]\]$/.exec(line);
      if (header) environment = header[1] ?? "";
      if (/^id = /.test(line)) continue;
      lines.push(line);
      const pin = id(environment);
      if (line === 'binding = "ROUTES"' && pin !== undefined) lines.push(`id = "${pin}"`);
    }
    const dir = mkdtempSync(join(tmpdir(), "keystone-data-plane-deploy-"));
    const file = join(dir, "wrangler.toml");
    writeFileSync(file, lines.join("\n"));
    return file;
  }

  beforeAll(() => {
    // wrangler.toml as an operator has it after section 3, and as it is before.
    pinned = withRouteIds(namespaceOf);
    unpinned = withRouteIds(() => undefined);
  });

  it("carries a placeholder namespace id in every section: a plain wrangler deploy of it provisions no empty namespace", () => {
    const sections = [dataPlaneConfig, ...Object.values(dataPlaneConfig.env ?? {})];
    for (const section of sections)
      expect(section.kv_namespaces).toEqual([{ binding: "ROUTES", id: PLACEHOLDER_ID }]);
  });

  it("declares the control plane's environments, each serving hostnames no control plane route claims", () => {
    expect(Object.keys(dataPlaneConfig.env ?? {}).sort()).toEqual([...environments].sort());
    for (const environment of environments) {
      const own = patterns(dataPlaneConfig.env![environment]!.routes as Routes);
      expect(own.length, environment).toBeGreaterThan(0);
      const control = patterns(rawConfig.env![environment]!.routes as Routes);
      expect(
        own.filter((route) => control.includes(route)),
        environment,
      ).toEqual([]);
    }
  });

  for (const environment of ["", ...environments]) {
    const name = environment || "the first try";
    it(`${name}: built minified, bound to its control plane and its KV namespace, no warning`, () => {
      const control = environment ? `keystone-edge-${environment}` : "keystone-edge";
      const adminHosts = environment
        ? (rawConfig.env![environment]!.vars as Record<string, string>).ADMIN_HOSTS
        : "*";
      const { status, output, bytesPerLine } = dryRun("npm", [
        "run",
        "deploy:data-plane",
        "--",
        `--env=${environment}`,
        "--control-plane",
        pinned,
      ]);
      expect(status, output).toBe(0);
      expect(bytesPerLine, "the bundle is minified").toBeGreaterThan(1000);
      for (const binding of [
        `env.STATS (StatsObject, defined in ${control})`,
        `env.ROUTES (${namespaceOf(environment)})`,
        `env.CONTROL_PLANE (${control})`,
        `env.ADMIN_HOSTS ("${adminHosts}")`,
      ])
        expect(output).toContain(binding);
      expect(output).not.toMatch(/WARNING/i);
    }, 180_000);

    it(`${name}: refused before wrangler runs while wrangler.toml pins no namespace id`, () => {
      const { status, output } = dryRun("npm", [
        "run",
        "deploy:data-plane",
        "--",
        `--env=${environment}`,
        "--control-plane",
        unpinned,
      ]);
      expect(status).toBe(2);
      const section = environment ? `env.${environment}.kv_namespaces` : "kv_namespaces";
      expect(output).toContain(`pins no id for ROUTES under [[${section}]]`);
      expect(output).not.toContain("Total Upload");
    }, 60_000);
  }
});
