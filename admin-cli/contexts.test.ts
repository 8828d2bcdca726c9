// Named contexts: stored in the config directory with the variable that holds the token (never the
// token), chosen with --context or `context use`, and ranked flags > env vars > context > defaults.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TokenEnvName } from "../schemas/cli-contexts.ts";
import { randomSecrets } from "../scripts/stack.ts";
import { type FakeAdminApi, startFakeAdminApi } from "../test/support/fake-admin-api.ts";
import { runCli } from "../test/support/run-cli.ts";

let staging: FakeAdminApi;
let production: FakeAdminApi;
let configDir: string;

const EMPTY = { body: { services: [], warnings: [] } };

beforeAll(async () => {
  staging = await startFakeAdminApi();
  production = await startFakeAdminApi();
  for (const api of [staging, production]) api.answers.set("GET /services", EMPTY);
});
afterAll(async () => {
  await staging.close();
  await production.close();
});
beforeEach(() => {
  configDir = mkdtempSync(join(tmpdir(), "keystone-contexts-"));
  staging.seen.length = 0;
  production.seen.length = 0;
});

const run = (argv: string[], env: Record<string, string> = {}) =>
  runCli(argv, { env: { KEYSTONE_CONFIG_DIR: configDir, ...env } });

async function addBoth() {
  const added = await run([
    "context",
    "add",
    "staging",
    "--url",
    staging.url,
    "--token-env",
    "STAGING_TOKEN",
    "--env",
    "staging",
  ]);
  expect(added.code, added.stderr).toBe(0);
  expect(
    (
      await run([
        "context",
        "add",
        "production",
        "--url",
        production.url,
        "--token-env",
        "PROD_TOKEN",
      ])
    ).code,
  ).toBe(0);
}

const bearer = (api: FakeAdminApi) => api.seen.map((r) => r.headers.authorization ?? "none");

describe("keystone context", () => {
  it("stores the URL and the name of the token's variable, never a token, in a private file", async () => {
    await addBoth();
    const path = join(configDir, "contexts.json");
    const stored = JSON.parse(readFileSync(path, "utf8"));
    expect(stored).toEqual({
      current: null,
      contexts: {
        staging: { url: staging.url, tokenEnv: "STAGING_TOKEN", env: "staging" },
        production: { url: production.url, tokenEnv: "PROD_TOKEN" },
      },
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const listed = await run(["context", "list"], { STAGING_TOKEN: "s3cret" });
    expect(listed.stdout).toMatch(/staging\s+http:\S+\s+\$STAGING_TOKEN \(set\)\s+staging/);
    expect(listed.stdout).toMatch(/production\s+http:\S+\s+\$PROD_TOKEN \(not set\)\s+-/);
  });

  it("refuses a token given where the variable name goes, and stores nothing", async () => {
    const result = await run([
      "context",
      "add",
      "staging",
      "--url",
      staging.url,
      "--token-env",
      "kst_9f8e.7d6c-5b4a",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--token-env: this looks like a token");
    expect(result.stderr).not.toContain("kst_9f8e");
    expect((await run(["context", "list", "--json"])).stdout).toContain('"contexts": []');
  });

  it("refuses every token npm start generates, and never echoes one", async () => {
    // The tokens `npm start` writes to .dev.vars (base64url): about half of them are valid
    // identifiers ([A-Za-z_][A-Za-z0-9_]*), so a check on identifiers alone stores them.
    const tokens = Array.from({ length: 40 }, () => Object.values(randomSecrets())).flat();
    expect(tokens.some((token) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(token))).toBe(true);
    for (const token of tokens) {
      // As a separate word, and after "=" (the only way to give a value that starts with "-").
      for (const given of [["--token-env", token], [`--token-env=${token}`]]) {
        const result = await run(["context", "add", "staging", "--url", staging.url, ...given]);
        expect(result.code, token).toBe(2);
        expect(result.stderr).not.toContain(token);
      }
    }
    expect((await run(["context", "list", "--json"])).stdout).toContain('"contexts": []');
  });

  it("takes variable names by convention only: upper case, digits and _, no secret-like runs", () => {
    for (const name of [
      "STAGING_KEYSTONE_TOKEN",
      "PROD_TOKEN",
      "KEYSTONE_TOKEN_2",
      "_TOKEN",
      "CI_JOB_TOKEN",
    ])
      expect(TokenEnvName.safeParse(name).success, name).toBe(true);
    const refused = [
      "staging_token", // lower case: not the convention
      "9F86D081884C7D659A2FEAA0C55AD015", // an upper-case hex digest
      "AKIAIOSFODNN7EXAMPLE", // an access key id
      "JBSWY3DPEHPK3PXP", // a base32 one-time-password seed
      "GITHUB_PAT_11ABCDEFG0123456789XYZ",
      "STAGING TOKEN",
    ];
    for (const value of refused) expect(TokenEnvName.safeParse(value).success, value).toBe(false);
    expect(TokenEnvName.safeParse("AKIAIOSFODNN7EXAMPLE").error?.issues[0]?.message).toContain(
      "looks like a token",
    );
  });

  it("--context staging get reaches the staging URL with the token from the named variable", async () => {
    await addBoth();
    const result = await run(["--context", "staging", "get"], { STAGING_TOKEN: "staging-secret" });
    expect(result.code, result.stderr).toBe(0);
    expect(bearer(staging)).toEqual(["Bearer staging-secret"]);
    expect(production.seen).toEqual([]);
  });

  it("a contexts file written before the naming convention still works", async () => {
    const old = { url: staging.url, tokenEnv: "staging_token" };
    writeFileSync(
      join(configDir, "contexts.json"),
      JSON.stringify({ current: "staging", contexts: { staging: old } }),
    );
    const result = await run(["get"], { staging_token: "staging-secret" });
    expect(result.code, result.stderr).toBe(0);
    expect(bearer(staging)).toEqual(["Bearer staging-secret"]);
  });

  it("a context whose variable is unset: a clear error naming it, exit 5, nothing sent", async () => {
    await addBoth();
    const result = await run(["get", "--context", "production"]);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(
      'context "production" takes its token from $PROD_TOKEN, which is not set',
    );
    expect(production.seen).toEqual([]);
  });

  it("an offline command needs no token: validate works with the variable unset", async () => {
    await addBoth();
    const result = await run(["--context", "production", "validate", "-f", "/nonexistent.yaml"]);
    expect(result.stderr).toContain("cannot read /nonexistent.yaml");
    expect(result.code).toBe(1);
  });

  it("a current context that is gone can still be replaced: context commands need no API", async () => {
    await addBoth();
    const path = join(configDir, "contexts.json");
    const stored = JSON.parse(readFileSync(path, "utf8"));
    writeFileSync(path, JSON.stringify({ ...stored, current: "gone" }));
    expect((await run(["get"])).stderr).toContain('unknown context "gone"');
    expect((await run(["context", "use", "staging"])).code).toBe(0);
  });

  it("an unknown context is a usage error with a did-you-mean", async () => {
    await addBoth();
    const result = await run(["--context", "stagng", "get"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown context "stagng": did you mean "staging"?');
  });
});

describe("which API, which token: flags > env vars > context > defaults", () => {
  beforeEach(async () => {
    await addBoth();
    expect((await run(["context", "use", "staging"])).code).toBe(0);
  });

  it("with nothing else said, the current context is used", async () => {
    expect((await run(["get"], { STAGING_TOKEN: "st" })).code).toBe(0);
    expect(bearer(staging)).toEqual(["Bearer st"]);
  });

  it("KEYSTONE_URL beats the current context, and the context's token does not follow it", async () => {
    const result = await run(["get"], { KEYSTONE_URL: production.url, STAGING_TOKEN: "st" });
    expect(result.code, result.stderr).toBe(0);
    expect(bearer(production)).toEqual(["none"]);
    expect(staging.seen).toEqual([]);
  });

  it("KEYSTONE_TOKEN beats the current context's variable", async () => {
    await run(["get"], { KEYSTONE_TOKEN: "from-env", STAGING_TOKEN: "st" });
    expect(bearer(staging)).toEqual(["Bearer from-env"]);
  });

  it("--context is a flag: it beats KEYSTONE_URL and KEYSTONE_TOKEN", async () => {
    const env = { KEYSTONE_URL: staging.url, KEYSTONE_TOKEN: "from-env", PROD_TOKEN: "pt" };
    expect((await run(["--context", "production", "get"], env)).code).toBe(0);
    expect(bearer(production)).toEqual(["Bearer pt"]);
  });

  it("--url beats --context, and the context's token is not sent to that URL", async () => {
    const result = await run(["--context", "staging", "--url", production.url, "get"], {
      STAGING_TOKEN: "st",
    });
    expect(result.code, result.stderr).toBe(0);
    expect(bearer(production)).toEqual(["none"]);
  });

  it("context remove forgets it, and the current context with it", async () => {
    expect((await run(["context", "remove", "staging"])).code).toBe(0);
    const listed = JSON.parse((await run(["context", "list", "--json"])).stdout);
    expect(listed.current).toBeNull();
    expect(listed.contexts.map((c: { name: string }) => c.name)).toEqual(["production"]);
  });
});
