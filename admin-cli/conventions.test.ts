// CLI conventions in process (main(argv)) against a stand-in admin API: global flags anywhere,
// JSON-only stdout, no ANSI unless a terminal wants it, one-line usage errors, every exit code.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { Service } from "../schemas/service.ts";
import { closedPort } from "../scripts/origin-server.ts";
import { apiError, type FakeAdminApi, startFakeAdminApi } from "../test/support/fake-admin-api.ts";
import { shopService } from "../test/support/fixtures.ts";
import { runCli } from "../test/support/run-cli.ts";

const ANSI = "\u001b[";
const dir = mkdtempSync(join(tmpdir(), "keystone-conventions-"));
let api: FakeAdminApi;

/** A stored service as the API returns it: parsed, defaults filled in. */
const record = (config = shopService()) => ({
  name: "shop",
  revision: 3,
  updatedAt: "2026-01-02T03:04:05.000Z",
  config: Service.parse(config),
});

function rolloutState(phase: string, at = Date.UTC(2026, 0, 2, 3, 4, 5)) {
  return {
    phase,
    strategy: "canary",
    candidate: "canary",
    baseline: "stable",
    stepIndex: 0,
    stepCount: 2,
    weight: phase === "aborted" ? 0 : 10,
    startedAt: at,
    stepStartedAt: at,
    failures: 0,
    pausedBy: null,
    lastTickAt: at,
    endedAt: phase === "aborted" ? at : null,
    lastVerdict: { at, outcome: "hold", reason: "baking", candidate: null, baseline: null },
  };
}

function configFile(name: string, service = shopService()): string {
  const path = join(dir, name);
  writeFileSync(path, stringify({ services: [service] }));
  return path;
}

beforeAll(async () => {
  api = await startFakeAdminApi();
});
afterAll(() => api.close());
beforeEach(() => {
  api.answers.clear();
  api.seen.length = 0;
  api.answers.set("GET /services", { body: { services: [record()] } });
});

describe("global flags", () => {
  it("work before the command, after it, and as --flag=value", async () => {
    for (const argv of [
      ["--url", api.url, "get"],
      ["get", "--url", api.url],
      [`--url=${api.url}`, "get"],
      ["get", `--url=${api.url}`],
    ]) {
      const result = await runCli(argv);
      expect(result.code, `${argv.join(" ")}: ${result.stderr}`).toBe(0);
      expect(result.stdout).toMatch(/^SERVICE\s+REVISION/);
    }
    expect(api.seen).toHaveLength(4);
  });

  it("--token in any position is the bearer token sent", async () => {
    await runCli(["--token", "t-before", "get", "--url", api.url]);
    await runCli(["get", "--url", api.url, "--token=t-after"]);
    expect(api.seen.map((r) => r.headers.authorization)).toEqual([
      "Bearer t-before",
      "Bearer t-after",
    ]);
  });

  it("--json before the verb gives only JSON on stdout", async () => {
    const result = await runCli(["--json", "--url", api.url, "get"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ services: [record()] });
  });

  it("--json errors are JSON on stdout too, the one line on stderr", async () => {
    const result = await runCli(["--json", "get", "-o", "xml", "--url", api.url]);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: { exitCode: 2, message: '-o takes yaml or json, not "xml"' },
    });
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("help", () => {
  it("the top-level help lists the commands, the global flags and the exit codes", async () => {
    const { code, stdout } = await runCli(["--help"]);
    expect(code).toBe(0);
    for (const flag of ["--url <url>", "--token <token>", "--json", "--no-color", "--help"])
      expect(stdout).toContain(flag);
    expect(stdout).toContain("rollout");
    expect(stdout).toContain("6 changes pending");
  });

  it("sub-help shows the full keystone … usage and the command's own flags", async () => {
    const { code, stdout } = await runCli(["rollout", "start", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: keystone rollout start <service> [flags]");
    expect(stdout).toContain("--strategy <strategy>");
    expect(stdout).toContain("--url <url>");
  });
});

describe("colour", () => {
  const failing = ["nope"];

  const watch = ["rollout", "status", "shop", "--watch"];
  const endedRollout = () =>
    api.answers.set("GET /services/shop/rollout", {
      body: {
        state: rolloutState("aborted"),
        split: { stable: 100, canary: 0 },
        candidate: null,
        baseline: null,
        stepBakeMs: null,
        now: 0,
      },
    });

  it("a terminal gets colour in help, errors and --watch (so the checks below can fail)", async () => {
    endedRollout();
    expect((await runCli(["--help"], { tty: true })).stdout).toContain(ANSI);
    expect((await runCli(failing, { tty: true })).stderr).toContain(ANSI);
    expect((await runCli([...watch, "--url", api.url], { tty: true })).stdout).toContain(ANSI);
  });

  it("no ANSI when piped, with --no-color, or with NO_COLOR", async () => {
    endedRollout();
    const runs = [
      await runCli(["--help"]),
      await runCli(failing),
      await runCli(["--no-color", "--help"], { tty: true }),
      await runCli(["--help", "--no-color"], { tty: true }),
      await runCli([...failing, "--no-color"], { tty: true }),
      await runCli(["--help"], { tty: true, env: { NO_COLOR: "1" } }),
      await runCli(failing, { tty: true, env: { NO_COLOR: "1" } }),
      await runCli(["get", "--url", api.url], { tty: true, env: { NO_COLOR: "1" } }),
      await runCli([...watch, "--url", api.url, "--no-color"], { tty: true }),
      await runCli([...watch, "--url", api.url]),
    ];
    for (const run of runs) expect(run.stdout + run.stderr).not.toContain(ANSI);
  });
});

describe("usage errors exit 2 with one clear line", () => {
  const cases: [string, string[], RegExp][] = [
    [
      "a URL without its scheme",
      ["--url", "127.0.0.1:8788", "get"],
      /--url "127\.0\.0\.1:8788" is not an http\(s\) URL: give the scheme, like http:\/\/127\.0\.0\.1:8788/,
    ],
    [
      "an unknown command",
      ["rollot", "status", "shop"],
      /unknown command "rollot".*did you mean "rollout"\?/,
    ],
    [
      "an unknown flag",
      ["get", "--jsno"],
      /unknown flag --jsno for keystone get \(did you mean "--json"\?/,
    ],
    [
      "an unknown subcommand",
      ["rollout", "stat", "shop"],
      /unknown command "stat" for keystone rollout/,
    ],
    ["a flag without its value", ["apply", "-f"], /-f needs a value/],
    ["a missing argument", ["rollout", "start"], /keystone rollout start needs <service>/],
    ["a missing required flag", ["validate"], /keystone validate needs --file <file>/],
    [
      "a bad value",
      ["rollout", "start", "shop", "--strategy", "fast"],
      /--strategy takes canary, linear or blueGreen/,
    ],
    ["a group without its command", ["rollout"], /keystone rollout needs a command: start, status/],
    ["a switch given a value", ["get", "--json=yes"], /--json is a switch/],
  ];
  for (const [what, argv, message] of cases) {
    it(what, async () => {
      const result = await runCli(argv, { env: { KEYSTONE_URL: api.url } });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      const lines = result.stderr.trimEnd().split("\n");
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(message);
    });
  }

  it("a bad KEYSTONE_URL is a usage error that names the variable", async () => {
    const result = await runCli(["get"], { env: { KEYSTONE_URL: "localhost:8787" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('KEYSTONE_URL "localhost:8787" is not an http(s) URL');
  });
});

describe("exit codes, as documented", () => {
  const cli = (...argv: string[]) => runCli([...argv, "--url", api.url]);

  it("1: the admin API cannot be reached", async () => {
    const result = await runCli(["get", "--url", `http://127.0.0.1:${await closedPort()}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cannot reach the Keystone admin API");
  });

  it("3: an invalid config", async () => {
    const path = configFile("bad.yaml", shopService({ baseline: "prod" }));
    expect((await runCli(["validate", "-f", path])).code).toBe(3);
  });

  it("4: a stale revision, and a host held by another service", async () => {
    api.answers.set("GET /services/shop", { body: record() });
    api.answers.set("POST /services/shop/weights", apiError(409, "conflict", "stale revision"));
    expect((await cli("weights", "shop", "stable=50", "canary=50")).code).toBe(4);
    api.answers.set("GET /services/shop", apiError(404, "not_found", "no shop"));
    api.answers.set("PUT /services/shop", apiError(409, "host_claimed", "held by web"));
    expect((await cli("apply", "-f", configFile("claim.yaml"))).code).toBe(4);
  });

  it("5: a missing or wrong token", async () => {
    api.answers.set("GET /services", apiError(401, "unauthorized", "bad token"));
    const result = await cli("get");
    expect(result.code).toBe(5);
    expect(result.stderr).toContain("pass --token or set KEYSTONE_TOKEN");
  });

  it("7: an action the rollout's phase does not allow", async () => {
    api.answers.set(
      "POST /services/shop/rollout/pause",
      apiError(409, "wrong_phase", "only a progressing rollout can be paused"),
    );
    const result = await cli("rollout", "pause", "shop");
    expect(result.code).toBe(7);
    expect(result.stderr).toContain("only a progressing rollout can be paused");
  });

  it("10: rollout wait on an aborted rollout; 11: on one that does not end in time", async () => {
    const status = (phase: string) => ({
      body: {
        state: rolloutState(phase),
        split: { stable: 100, canary: 0 },
        candidate: null,
        baseline: null,
        stepBakeMs: null,
        now: 0,
      },
    });
    api.answers.set("GET /services/shop/rollout", status("aborted"));
    expect((await cli("rollout", "wait", "shop")).code).toBe(10);
    api.answers.set("GET /services/shop/rollout", status("progressing"));
    expect(
      (await cli("rollout", "wait", "shop", "--timeout", "1ms", "--interval", "1ms")).code,
    ).toBe(11);
  });
});

describe("diff and apply --dry-run with --exit-code", () => {
  const cli = (...argv: string[]) => runCli([...argv, "--url", api.url]);

  it("exit 6 when something would change, 0 when nothing would, and - before +", async () => {
    api.answers.set("GET /services/shop", { body: record() });
    const same = configFile("same.yaml");
    const changed = configFile("changed.yaml", shopService({ split: { stable: 90, canary: 10 } }));
    expect((await cli("diff", "-f", same, "--exit-code")).code).toBe(0);
    expect((await cli("apply", "--dry-run", "--exit-code", "-f", same)).code).toBe(0);
    const diff = await cli("diff", "--exit-code", "-f", changed);
    expect(diff.code).toBe(6);
    expect(diff.stderr).toBe("");
    expect((await cli("apply", "-f", changed, "--dry-run", "--exit-code")).code).toBe(6);
    expect((await cli("diff", "-f", changed)).code).toBe(0);
    const lines = diff.stdout.split("\n");
    const removed = lines.findIndex((l) => /^- +stable: 95$/.test(l));
    const added = lines.findIndex((l) => /^\+ +stable: 90$/.test(l));
    expect(removed, diff.stdout).toBeGreaterThan(-1);
    expect(added).toBe(removed + 2);
    expect(lines[removed + 1]).toMatch(/^- +canary: 5$/);
    expect(api.seen.every((r) => r.method === "GET")).toBe(true);
  });

  it("--exit-code on a real apply is a usage error, and nothing is stored", async () => {
    const result = await cli("apply", "-f", configFile("x.yaml"), "--exit-code");
    expect(result.code).toBe(2);
    expect(api.seen).toEqual([]);
  });
});

describe("JSON timestamps are ISO-8601", () => {
  const cli = (...argv: string[]) => runCli([...argv, "--url", api.url, "--json"]);
  const at = Date.UTC(2026, 0, 2, 3, 4, 5);
  const isoAt = "2026-01-02T03:04:05.000Z";

  it("rollout status, wait, start and actions convert epoch milliseconds", async () => {
    api.answers.set("GET /services/shop/rollout", {
      body: {
        state: rolloutState("aborted", at),
        split: { stable: 100, canary: 0 },
        candidate: {
          requests: 1,
          errors: 0,
          errorRatePercent: 0,
          p50: 1,
          p95: 1,
          p99: 1,
          from: at,
          to: at + 60_000,
        },
        baseline: null,
        stepBakeMs: null,
        now: at,
      },
    });
    api.answers.set("POST /services/shop/rollout/start", { body: rolloutState("progressing", at) });
    api.answers.set("POST /services/shop/rollout/abort", { body: rolloutState("aborted", at) });
    const status = JSON.parse((await cli("rollout", "status", "shop")).stdout);
    expect(status.now).toBe(isoAt);
    expect(status.state).toMatchObject({
      startedAt: isoAt,
      stepStartedAt: isoAt,
      lastTickAt: isoAt,
      endedAt: isoAt,
    });
    expect(status.state.lastVerdict.at).toBe(isoAt);
    expect(status.candidate).toMatchObject({ from: isoAt, to: "2026-01-02T03:05:05.000Z" });
    const waited = JSON.parse((await cli("rollout", "wait", "shop")).stdout);
    expect(waited.state.startedAt).toBe(isoAt);
    expect(JSON.parse((await cli("rollout", "start", "shop")).stdout).startedAt).toBe(isoAt);
    expect(JSON.parse((await cli("rollout", "abort", "shop")).stdout).endedAt).toBe(isoAt);
  });

  it("ISO strings from a newer API pass through unchanged (not converted twice)", async () => {
    const state = {
      ...rolloutState("progressing"),
      startedAt: isoAt,
      stepStartedAt: isoAt,
      lastTickAt: isoAt,
    };
    api.answers.set("POST /services/shop/rollout/start", { body: state });
    expect(JSON.parse((await cli("rollout", "start", "shop")).stdout).startedAt).toBe(isoAt);
  });
});
