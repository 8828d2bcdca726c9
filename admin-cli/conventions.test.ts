// CLI conventions in process (main(argv)) against a stand-in admin API: global flags anywhere,
// JSON-only stdout, generated help, no ANSI unless a terminal wants it, one-line usage errors.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { record, rolloutStatus } from "../test/support/cli-fixtures.ts";
import { type FakeAdminApi, startFakeAdminApi } from "../test/support/fake-admin-api.ts";
import { runCli } from "../test/support/run-cli.ts";

let api: FakeAdminApi;

beforeAll(async () => {
  api = await startFakeAdminApi();
});
afterAll(() => api.close());
beforeEach(() => {
  api.answers.clear();
  api.seen.length = 0;
  api.answers.set("GET /services", { body: { services: [record()], warnings: [] } });
});

const ANSI = "\u001b[";

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

  it("a switch takes =true or =false, as docs/cli.md's --flag=value says", async () => {
    const on = await runCli(["get", "--json=true", "--url", api.url]);
    expect(on.code, on.stderr).toBe(0);
    expect(JSON.parse(on.stdout)).toEqual({ services: [record()], warnings: [] });
    const off = await runCli(["get", "--json=false", "--url", api.url]);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toMatch(/^SERVICE\s+REVISION/);
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
    expect(JSON.parse(result.stdout)).toEqual({ services: [record()], warnings: [] });
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

  it("a command's help ends with its declared examples", async () => {
    const { code, stdout } = await runCli(["weights", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: keystone weights <service> [split...] [flags]");
    expect(stdout).toContain("Examples:\n  keystone weights shop stable=90 canary=10\n");
  });
});

describe("one session per run", () => {
  it("two runs at once in one process each use their own flags and output", async () => {
    const other = await startFakeAdminApi();
    other.answers.set("GET /services", { body: { services: [], warnings: [] } });
    try {
      const [here, there] = await Promise.all([
        runCli(["get", "--json", "--url", api.url]),
        runCli(["get", "--url", other.url]),
      ]);
      expect(JSON.parse(here.stdout)).toEqual({ services: [record()], warnings: [] });
      expect(there.stdout).toBe("no services yet: keystone apply -f keystone.yaml\n");
      expect(api.seen).toHaveLength(1);
      expect(other.seen).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
});

describe("colour", () => {
  const failing = ["nope"];

  const watch = ["rollout", "status", "shop", "--watch"];
  const endedRollout = () =>
    api.answers.set("GET /services/shop/rollout", { body: rolloutStatus("aborted") });

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
      /unknown command "stat" for keystone rollout \(did you mean "status"\?/,
    ],
    ["a flag without its value", ["apply", "-f"], /-f needs a value/],
    [
      "an empty --token (an unset variable)",
      ["get", "--token", ""],
      /--token is empty \(an unset variable\?\): --token <token>/,
    ],
    ["an empty --url", ["get", "--url="], /--url is empty: --url <url>/],
    [
      "a value the parser would read as flags",
      ["rollout", "abort", "shop", "--reason", "-rf"],
      /--reason needs a value: one that starts with "-" goes after "=", as --reason=-…/,
    ],
    ["a missing argument", ["rollout", "start"], /keystone rollout start needs <service>/],
    ["a missing required flag", ["validate"], /keystone validate needs --file <file>/],
    [
      "a missing flag, named as in help",
      ["revert", "shop"],
      /keystone revert needs --to <revision>/,
    ],
    [
      "a bad value",
      ["rollout", "start", "shop", "--strategy", "fast"],
      /--strategy takes canary, linear or blueGreen/,
    ],
    [
      "a bad duration, named with its flag",
      ["rollout", "wait", "shop", "--interval", "5x"],
      /--interval takes a duration like 30s or 5m, not "5x"/,
    ],
    [
      "a watch interval that is neither seconds nor a duration",
      ["rollout", "status", "shop", "--watch", "--interval", "soon"],
      /--interval takes seconds \(2\) or a duration \(5s\), not "soon"/,
    ],
    ["a group without its command", ["rollout"], /keystone rollout needs a command: start, status/],
    ["a switch given a value", ["get", "--json=yes"], /--json is a switch/],
    [
      "a command's switch given a value other than true or false",
      ["rollout", "wait", "shop", "--promote-gates=maybe"],
      /--promote-gates is a switch: --promote-gates, or --promote-gates=true/,
    ],
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

describe("keystone get", () => {
  it("shows the split that serves, a rollout's step included, and the split of record when the Worker sends none", async () => {
    const mid = { ...record(), split: { stable: 90, canary: 10 } };
    api.answers.set("GET /services", { body: { services: [mid], warnings: [] } });
    const during = await runCli(["get", "--url", api.url]);
    expect(during.code, during.stderr).toBe(0);
    expect(during.stdout).toContain("stable=90 canary=10");
    api.answers.set("GET /services", { body: { services: [record()], warnings: [] } });
    const older = await runCli(["get", "--url", api.url]);
    expect(older.stdout).toContain(
      Object.entries(record().config.split)
        .map(([v, w]) => `${v}=${w}`)
        .join(" "),
    );
  });

  it("prints UPDATED in the CLI's one time format, as history does", async () => {
    const result = await runCli(["get", "--url", api.url]);
    expect(result.stdout).toMatch(/ \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\n?$/m);
    expect(result.stdout).not.toMatch(/T\d\d:\d\d:\d\d/);
  });
});
