// Per-environment overlays through the CLI: validate checks every environment and points at the
// overlay's line; --env (or the context's environment) decides what diff and apply send.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { preview } from "../test/support/cli-fixtures.ts";
import { type FakeAdminApi, startFakeAdminApi } from "../test/support/fake-admin-api.ts";
import { shopService } from "../test/support/fixtures.ts";
import { runCli } from "../test/support/run-cli.ts";

const dir = mkdtempSync(join(tmpdir(), "keystone-overlays-"));
let api: FakeAdminApi;

const BASE = `services:
  - name: shop
    hosts: [shop.example.com]
    versions:
      stable: { origin: "https://api-v1.internal.example", release: v1 }
      canary: { origin: "https://api-v2.internal.example", release: v2 }
    baseline: stable
    split: { stable: 95, canary: 5 }
`;

function file(name: string, environments: string): string {
  const path = join(dir, name);
  writeFileSync(path, `${BASE}environments:\n${environments}`);
  return path;
}

const GOOD = file(
  "good.yaml",
  `  staging:
    services:
      shop:
        hosts: [shop.staging.example.com]
        versions:
          canary: { origin: "https://api-v2.staging.internal.example" }
        split: { stable: 50, canary: 50 }
  production: {}
`,
);

const run = (argv: string[], env: Record<string, string> = {}) =>
  runCli(argv, { env: { KEYSTONE_URL: api.url, KEYSTONE_TOKEN: "t", ...env }, cwd: dir });

beforeAll(async () => {
  api = await startFakeAdminApi();
});
afterAll(() => api.close());
beforeEach(() => {
  api.seen.length = 0;
  api.answers.clear();
});

describe("validate with environments", () => {
  it("checks every environment and, with --env, lists the services as that one sees them", async () => {
    const all = await run(["validate", "-f", GOOD]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain("environments checked: staging, production");
    const staging = JSON.parse(
      (await run(["validate", "-f", GOOD, "--env", "staging", "--json"])).stdout,
    );
    expect(staging).toMatchObject({ valid: true, environment: "staging", services: ["shop"] });
  });

  it("a bad value set by an overlay is reported at the overlay's path and line", async () => {
    const path = file(
      "bad-value.yaml",
      `  staging:
    services:
      shop:
        versions:
          canary: { origin: "ftp://api-v2.staging" }
`,
    );
    const result = await run(["validate", "-f", path]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /bad-value\.yaml:14:\d+: environments\.staging\.services\.shop\.versions\.canary\.origin: not an http\(s\) URL/,
    );
  });

  it("an overlay naming an unknown service or field is an error with its path, line and a did-you-mean", async () => {
    const path = file(
      "unknown.yaml",
      `  staging:
    services:
      shopp: { hosts: [a.example.com] }
      shop:
        versions:
          canary: { orign: "https://x.internal.example" }
`,
    );
    const result = await run(["validate", "-f", path]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /unknown\.yaml:12:\d+: environments\.staging\.services\.shopp: unknown service "shopp": did you mean "shop"\?/,
    );
    expect(result.stderr).toMatch(
      /unknown\.yaml:15:\d+: environments\.staging\.services\.shop\.versions\.canary\.orign: unknown field "orign": did you mean "origin"\?/,
    );
  });

  it("a split in an overlay replaces the base split whole, and must sum to 100 itself", async () => {
    const path = file(
      "split.yaml",
      `  staging:
    services:
      shop:
        split: { stable: 100 }
`,
    );
    const ok = JSON.parse(
      (await run(["validate", "-f", path, "--env", "staging", "--json"])).stdout,
    );
    expect(ok.valid).toBe(true);
    const bad = file(
      "split-bad.yaml",
      "  staging:\n    services:\n      shop:\n        split: { stable: 90 }\n",
    );
    const result = await run(["validate", "-f", bad]);
    expect(result.stderr).toMatch(
      /split-bad\.yaml:13:\d+: environments\.staging\.services\.shop\.split: weights sum to 90/,
    );
  });

  it("an environment the file does not declare is a usage error naming where it came from", async () => {
    const result = await run(["validate", "-f", GOOD, "--env", "prodution"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--env: ${GOOD} has no environment "prodution"`);
    expect(result.stderr).toContain('did you mean "production"?');
  });
});

describe("diff and apply resolve the environment first", () => {
  it("apply --env staging stores the staging hosts, origin and split", async () => {
    api.answers.set("POST /plan", { body: preview(null, "create", "would create shop") });
    api.answers.set("POST /apply", {
      body: { services: [{ name: "shop", revision: 1, changed: true }] },
    });
    const result = await run(["apply", "-f", GOOD, "--env", "staging"]);
    expect(result.code, result.stderr).toBe(0);
    const sent = JSON.parse(api.seen.find((r) => r.path === "/apply")!.body);
    const config = sent.services[0].config;
    expect(config.hosts).toEqual(["shop.staging.example.com"]);
    expect(config.versions.canary).toMatchObject({
      origin: "https://api-v2.staging.internal.example",
      release: "v2",
    });
    expect(config.split).toEqual({ stable: 50, canary: 50 });
  });

  it("the context's environment applies when no --env is given", async () => {
    const configDir = mkdtempSync(join(tmpdir(), "keystone-overlay-ctx-"));
    const env = { KEYSTONE_CONFIG_DIR: configDir, STAGING_TOKEN: "st", KEYSTONE_URL: "" };
    const add = ["context", "add", "staging", "--url", api.url, "--token-env", "STAGING_TOKEN"];
    expect((await run([...add, "--env", "staging"], env)).code).toBe(0);
    api.answers.set("POST /plan", { body: preview(shopService(), "update", "would store") });
    const diff = await run(["--context", "staging", "diff", "-f", GOOD], env);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toContain("+   - shop.staging.example.com");
    const production = await run(
      ["--context", "staging", "diff", "-f", GOOD, "--env", "production"],
      env,
    );
    expect(production.stdout).not.toContain("shop.staging.example.com");
  });

  it("the current context's environment goes with its URL only: not with KEYSTONE_URL", async () => {
    const configDir = mkdtempSync(join(tmpdir(), "keystone-overlay-ctx-"));
    const env = { KEYSTONE_CONFIG_DIR: configDir, STAGING_TOKEN: "st", KEYSTONE_URL: "" };
    const add = [
      "context",
      "add",
      "staging",
      "--url",
      "http://127.0.0.1:9",
      "--token-env",
      "STAGING_TOKEN",
    ];
    expect((await run([...add, "--env", "staging"], env)).code).toBe(0);
    expect((await run(["context", "use", "staging"], env)).code).toBe(0);
    api.answers.set("POST /plan", { body: preview(shopService(), "update", "would store") });
    const diff = await run(["diff", "-f", GOOD], { ...env, KEYSTONE_URL: api.url });
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).not.toContain("shop.staging.example.com");
  });

  it("a file without environments serves any environment unchanged", async () => {
    const path = join(dir, "plain.yaml");
    writeFileSync(path, BASE);
    const result = JSON.parse(
      (await run(["validate", "-f", path, "--env", "staging", "--json"])).stdout,
    );
    expect(result).toMatchObject({ valid: true, services: ["shop"] });
  });
});
