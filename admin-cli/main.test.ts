// The CLI in process: main(argv) with captured output, for what needs no Worker.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { shopService } from "../test/support/fixtures.ts";
import { createOutput } from "./io.ts";
import { main } from "./main.ts";
import { renderStatus } from "./rollout-view.ts";

const dir = mkdtempSync(join(tmpdir(), "keystone-cli-"));
const iso = (ms: number) => new Date(ms).toISOString();

async function run(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: {},
    cwd: dir,
    isTty: false,
  });
  return { code, stdout, stderr };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("keystone validate", () => {
  it("says which services are valid, for people and as JSON", async () => {
    const path = file("ok.yaml", stringify({ services: [shopService()] }));
    const human = await run("validate", "-f", path);
    expect(human).toMatchObject({ code: 0, stderr: "" });
    expect(human.stdout).toContain("1 service(s) valid: shop");
    const machine = await run("validate", "-f", path, "--json");
    expect(JSON.parse(machine.stdout)).toEqual({
      valid: true,
      services: ["shop"],
      environment: null,
      environments: [],
      warnings: [],
    });
  });

  it("lists every problem with its path and YAML line, exit 3", async () => {
    const path = file(
      "bad.yaml",
      stringify({
        services: [{ ...shopService(), split: { stable: 90, canary: 5 }, baseline: "prod" }],
      }),
    );
    const result = await run("validate", "-f", path);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /bad\.yaml:\d+:\d+: services\[0\]\.split: weights sum to 95, must be 100/,
    );
    expect(result.stderr).toContain('services[0].baseline: unknown version "prod"');
  });

  it("with --json, stdout is only JSON even on failure", async () => {
    const result = await run("validate", "-f", file("broken.json", "{"), "--json");
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout).error.exitCode).toBe(3);
  });
});

describe("usage", () => {
  it("unknown commands and bad arguments exit 2; help exits 0", async () => {
    expect((await run("nope")).code).toBe(2);
    expect((await run("weights", "shop", "stable=lots")).code).toBe(2);
    expect((await run("get", "-o", "xml")).code).toBe(2);
    expect((await run("delete", "shop")).code).toBe(2);
    const help = await run("rollout", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("wait");
  });

  it("an argument a command does not take is a usage error, not silently dropped", async () => {
    // `validate -f a.yaml b.yaml` must not say "valid" of b.yaml unread, nor `rollout abort api
    // web` abort api alone: both exit 2, naming the word, before anything is read or sent.
    const path = file("one.yaml", stringify({ services: [shopService()] }));
    for (const argv of [
      ["validate", "-f", path, file("two.yaml", "services: [")],
      ["rollout", "abort", "api", "web"],
      ["get", "shop", "web"],
      ["incident", "show", "shop", "1", "2"],
    ]) {
      const result = await run(...argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^error: unexpected argument "[^"]+" for keystone /);
    }
    const extra = await run("rollout", "abort", "api", "web");
    expect(extra.stderr).toContain(
      'unexpected argument "web" for keystone rollout abort: it takes <service>',
    );
    // A variadic argument still takes every word.
    expect((await run("weights", "shop", "stable=60", "canary=30")).code).toBe(3);
  });

  it("a config file given without -f is told to take -f, with the command to run", async () => {
    // "needs --file <file>" and "it takes no arguments" left the reader to guess what was wrong.
    for (const argv of [
      ["apply", "keystone.yaml"],
      ["validate", "keystone.yaml"],
      ["diff", "keystone.yaml", "--exit-code"],
      ["release", "start", "keystone.yaml"],
    ]) {
      const result = await run(...argv);
      const command = `keystone ${argv.slice(0, argv.indexOf("keystone.yaml")).join(" ")}`;
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(
        `error: ${command} takes the file with -f, not as an argument: ${command} -f keystone.yaml`,
      );
    }
    // The command shown runs as shown: a name with a space is quoted.
    expect((await run("apply", "my config.yaml")).stderr).toContain(
      "keystone apply -f 'my config.yaml' (see",
    );
  });

  it("a command's flag given before the command is told where it belongs, exit 2", async () => {
    // "unknown flag -f for keystone" said nothing of the command named two words later. The line
    // shown keeps what followed the command, so it runs as shown.
    const cases: [string[], string][] = [
      [["-f", "x.yaml", "validate"], "-f belongs after the command: keystone validate -f x.yaml"],
      [
        ["--file=x.yaml", "validate", "--json"],
        "--file belongs after the command: keystone validate --json --file=x.yaml",
      ],
      [
        ["rollout", "--reason", "bad canary", "abort", "shop"],
        "--reason belongs after the command: keystone rollout abort shop --reason 'bad canary'",
      ],
      [
        ["--exit-code", "diff", "-f", "x.yaml"],
        "--exit-code belongs after the command: keystone diff -f x.yaml --exit-code",
      ],
      // Global flags between the flag and its value go with the line; a value starting with
      // "-" (perhaps a token pasted) is not echoed.
      [
        ["-f", "--url", "http://127.0.0.1:1", "x.yaml", "validate"],
        "-f belongs after the command: keystone validate --url http://127.0.0.1:1 -f x.yaml",
      ],
      [
        ["--token-env", "-abc", "context", "add", "prod"],
        "--token-env belongs after the command: keystone context add prod --token-env <VAR>",
      ],
      // What else came before the command goes with the line too: without --context or --url
      // the line shown runs against another Worker, without --full it promotes one step. A
      // --token's value is not echoed.
      [
        ["--context", "prod", "-f", "x.yaml", "apply"],
        "-f belongs after the command: keystone apply --context prod -f x.yaml",
      ],
      // The flag's value is a command's name too: the command named after it is the one meant.
      [
        ["rollout", "--reason", "abort", "abort", "shop"],
        "--reason belongs after the command: keystone rollout abort shop --reason abort",
      ],
      [
        ["rollout", "--reason", "pause", "resume", "shop"],
        "--reason belongs after the command: keystone rollout resume shop --reason pause",
      ],
      [
        ["rollout", "--reason", "x", "--full", "promote", "shop"],
        "--reason belongs after the command: keystone rollout promote shop --full --reason x",
      ],
      [
        ["--token", "s3cr3t", "rollout", "--reason", "x", "abort", "shop", "--token=s3cr3t"],
        "--reason belongs after the command: keystone rollout abort shop --token=<token> --token <token> --reason x",
      ],
      // No command named: the commands that take it.
      [
        ["-f", "x.yaml"],
        "-f belongs after a command that takes it: keystone validate -f x.yaml (also apply, diff, release start)",
      ],
      // The command named does not take it: unknown, for that command.
      [["-f", "x.yaml", "get"], "unknown flag -f for keystone get (see keystone get --help)"],
      [["--bogus"], "unknown flag --bogus for keystone (see keystone --help)"],
    ];
    for (const [argv, message] of cases) {
      const result = await run(...argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stderr, argv.join(" ")).toBe(`error: ${message}\n`);
    }
    // Global flags still work before the command.
    const path = file("globals.yaml", stringify({ services: [shopService()] }));
    const ok = await run("--json", "--no-color", "validate", "-f", path);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).valid).toBe(true);
  });

  it("the help's exit codes are docs/cli.md's, 8 included", async () => {
    const help = await run("--help");
    expect(help.code).toBe(0);
    for (const code of ["0 ok", "2 usage", "7 not allowed", "8 behind what serves", "11 timeout"])
      expect(help.stdout).toContain(code);
  });
});

describe("weights", () => {
  it("a split that does not sum to 100 is refused before anything is sent, naming the weights", async () => {
    const result = await run("weights", "shop", "stable=60", "canary=30");
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("weights sum to 90, must be 100 (stable=60 canary=30)");
  });
});

describe("rollout status view", () => {
  it("shows phase, step, weights, bake left and per-version figures", () => {
    const out = createOutput(
      { stdout: () => {}, stderr: () => {}, env: {}, cwd: dir, isTty: false },
      { json: false, noColor: true },
    );
    const figures = (requests: number) => ({
      requests,
      errors: 0,
      errorRatePercent: 1.5,
      p50: 40,
      p95: 90,
      p99: 120,
      from: iso(0),
      to: iso(60_000),
    });
    const lines = renderStatus(out, "shop", {
      state: {
        id: "r1",
        phase: "progressing",
        strategy: "canary",
        candidate: "canary",
        baseline: "stable",
        stepIndex: 1,
        stepCount: 4,
        weight: 25,
        startedAt: iso(0),
        stepStartedAt: iso(0),
        failures: 0,
        pausedBy: null,
        lastTickAt: iso(0),
        endedAt: null,
        lastVerdict: {
          at: iso(0),
          outcome: "hold",
          reason: "baking",
          candidate: null,
          baseline: null,
        },
      },
      split: { stable: 75, canary: 25 },
      tracks: [
        { track: "stable", origin: "http://a", release: "v1", weight: 75 },
        { track: "canary", origin: "http://b", release: "v2", weight: 25 },
      ],
      promotion: null,
      desired: null,
      serving: null,
      countedRoutes: ["split", "experiment"],
      candidate: figures(120),
      baseline: figures(900),
      stepBakeMs: 300_000,
      halt: null,
      incident: null,
      now: iso(60_000),
    }).join("\n");
    expect(lines).toContain("progressing  step 2 of 4");
    expect(lines).toContain("25%  stable 75%, canary 25%");
    expect(lines).toContain("bake: 4m00s left of 5m00s");
    expect(lines).toMatch(/canary\s+120\s+2\.0\s+1\.50%\s+40ms\s+90ms\s+120ms/);
    expect(lines).toContain("releases: stable v1 (75%), canary v2 (25%)");
    expect(lines).toContain("last verdict: held — baking (1970-01-01 00:00:00Z)");
  });
});
