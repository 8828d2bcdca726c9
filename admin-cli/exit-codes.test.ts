// The CLI's exit codes, each as documented (docs/cli.md), and its JSON output, in process against
// a stand-in admin API that answers as the Worker does.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closedPort } from "../scripts/origin-server.ts";
import { PROJECT_ROOT } from "../scripts/stack.ts";
import {
  AT,
  configFile,
  preview,
  record,
  rolloutState,
  rolloutStatus,
  textFile,
} from "../test/support/cli-fixtures.ts";
import { apiError, type FakeAdminApi, startFakeAdminApi } from "../test/support/fake-admin-api.ts";
import { shopService } from "../test/support/fixtures.ts";
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
    api.answers.set("POST /services/shop/weights", apiError(409, "conflict", "stale revision"));
    expect((await cli("weights", "shop", "stable=50", "canary=50")).code).toBe(4);
    api.answers.set("POST /plan", { body: preview(null, "create", "would create shop") });
    api.answers.set("POST /apply", apiError(409, "host_claimed", "held by web"));
    expect((await cli("apply", "-f", configFile("claim.yaml"))).code).toBe(4);
  });

  it("5: a missing or wrong token", async () => {
    api.answers.set("GET /services", apiError(401, "unauthorized", "bad token"));
    const result = await cli("get");
    expect(result.code).toBe(5);
    expect(result.stderr).toContain("pass --token or set KEYSTONE_TOKEN");
    // No token given to a local Worker: where npm start keeps its own.
    expect(result.stderr).toContain("npm start's token is in its .dev.vars");
  });

  it("5: a wrong token given explicitly is named, without the hint about npm start's token", async () => {
    api.answers.set("GET /services", apiError(401, "unauthorized", "bad token"));
    const byEnv = await runCli(["get", "--url", api.url], { env: { KEYSTONE_TOKEN: "wrong" } });
    expect(byEnv.code).toBe(5);
    expect(byEnv.stderr).toContain("the token from KEYSTONE_TOKEN was refused");
    const byFlag = await cli("get", "--token", "wrong");
    expect(byFlag.code).toBe(5);
    expect(byFlag.stderr).toContain("the token from --token was refused");
    for (const { stderr } of [byEnv, byFlag]) {
      expect(stderr).not.toContain(".dev.vars");
      expect(stderr).not.toContain("KEYSTONE_LOCAL_DIR");
    }
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
    const status = (phase: "aborted" | "progressing") => ({ body: rolloutStatus(phase) });
    api.answers.set("GET /services/shop/rollout", status("aborted"));
    expect((await cli("rollout", "wait", "shop")).code).toBe(10);
    api.answers.set("GET /services/shop/rollout", status("progressing"));
    expect(
      (await cli("rollout", "wait", "shop", "--timeout", "1ms", "--interval", "1ms")).code,
    ).toBe(11);
  });

  it("rollout wait polls through a Worker restarting (a 503, a 500) to the verdict; a lasting outage ends it with 1 at --timeout", async () => {
    // Found at night: one proxy 503 mid-redeploy ended a CI gate with exit 1 while the rollout went on.
    const answers = [
      { status: 503, body: "<html>503 Service Unavailable</html>" },
      apiError(500, "internal", "the service object restarted"),
      { body: rolloutStatus("aborted") },
    ];
    let served = 0;
    api.answers.set("GET /services/shop/rollout", () => answers[Math.min(served++, 2)]!);
    const waited = await cli("rollout", "wait", "shop", "--interval", "10ms");
    expect(waited.code).toBe(10);
    expect(waited.stderr).toContain("failed with HTTP 503");
    expect(waited.stderr).toContain("the service object restarted (retrying until --timeout)");
    expect(served).toBe(3);

    api.answers.set("GET /services/shop/rollout", answers[0]!);
    const down = await cli("rollout", "wait", "shop", "--timeout", "50ms", "--interval", "10ms");
    expect(down.code).toBe(1);
    // Not transient: a refused token still ends the wait at once.
    api.answers.set("GET /services/shop/rollout", apiError(401, "unauthorized", "bad token"));
    expect((await cli("rollout", "wait", "shop", "--interval", "10ms")).code).toBe(5);
  });

  it("a wait or a watch whose first read reaches nothing (a wrong --url) ends at once with 1, not at --timeout", async () => {
    const nowhere = `http://127.0.0.1:${await closedPort()}`;
    for (const argv of [
      ["rollout", "wait", "shop", "--timeout", "10m", "--interval", "10ms"],
      ["release", "wait", "checkout", "--timeout", "10m", "--interval", "10ms"],
      ["rollout", "status", "shop", "--watch", "--interval", "10ms"],
      ["release", "status", "checkout", "--watch", "--interval", "0.2"],
    ]) {
      const result = await runCli([...argv, "--url", nowhere]);
      expect(result.code, argv.join(" ")).toBe(1);
      expect(result.stderr, argv.join(" ")).toContain("cannot reach the Keystone admin API");
      expect(result.stderr, argv.join(" ")).not.toContain("retrying");
    }
  });
});

describe("apply --wait waits for the rollout its apply set going, not a newer one", () => {
  const cli = (...argv: string[]) => runCli([...argv, "--url", api.url]);
  const started = (rolloutId: string | null, outcome: "rollout" | "unchanged") => {
    const desired = { name: "v2", origin: "http://127.0.0.1:9002" };
    const { plan } = preview(shopService(), outcome, "started a canary toward v2").services[0]!;
    return {
      ...plan!,
      desired,
      rolling: outcome === "rollout" ? null : desired,
      rolloutId,
    };
  };

  it("10 when a newer build's apply superseded it, whatever that rollout's verdict: its gates are not passed either", async () => {
    const plan = started("rollout-of-v2", "rollout");
    api.answers.set("POST /plan", { body: preview(shopService(), "rollout", plan.words) });
    api.answers.set("POST /apply", {
      body: { services: [{ name: "shop", revision: 4, changed: true, plan }] },
    });
    // The service's rollout now is another one (the newer build's), paused at a gate.
    const newer = rolloutStatus("paused");
    api.answers.set("GET /services/shop/rollout", {
      body: { ...newer, state: { ...newer.state!, pausedBy: "gate" } },
    });
    const file = configFile("superseded.yaml");
    const result = await cli("apply", "-f", file, "--wait", "--promote-gates", "--interval", "1ms");
    expect(result.code, result.stderr).toBe(10);
    expect(result.stderr).toContain("superseded by a newer one (rollout shop-rol");
    expect(api.seen.map((r) => r.path)).not.toContain("/services/shop/rollout/promote");
  });

  it("a re-run finding its rollout running waits for that one: 10 when another replaces it", async () => {
    const plan = started(null, "unchanged");
    api.answers.set("POST /plan", { body: preview(shopService(), "unchanged", "", { plan }) });
    let reads = 0;
    api.answers.set("GET /services/shop/rollout", () => {
      const status = rolloutStatus(reads < 2 ? "progressing" : "promoted");
      return { body: { ...status, state: { ...status.state!, id: `rollout-${reads++ < 2}` } } };
    });
    const result = await cli(
      "apply",
      "-f",
      configFile("rerun.yaml"),
      "--wait",
      "--interval",
      "1ms",
    );
    expect(result.code, result.stderr).toBe(10);
    expect(reads).toBe(3);
  });

  it("its first status read cut off (the Worker restarting just after the apply) is polled through", async () => {
    const plan = started("rollout-of-v2", "rollout");
    api.answers.set("POST /plan", { body: preview(shopService(), "rollout", plan.words) });
    api.answers.set("POST /apply", {
      body: { services: [{ name: "shop", revision: 4, changed: true, plan }] },
    });
    let reads = 0;
    api.answers.set("GET /services/shop/rollout", () => {
      if (reads++ === 0) return { body: null, reset: true };
      const status = rolloutStatus("promoted");
      return { body: { ...status, state: { ...status.state!, id: "rollout-of-v2" } } };
    });
    const file = configFile("blink.yaml");
    const result = await cli("apply", "-f", file, "--wait", "--interval", "1ms");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("lost its connection before an answer came (retrying");
    expect(reads).toBe(2);
  });
});

describe("diff and apply --dry-run with --exit-code", () => {
  const cli = (...argv: string[]) => runCli([...argv, "--url", api.url]);

  it("exit 6 when something would change, 0 when nothing would, and - before +", async () => {
    api.answers.set("POST /plan", { body: preview(shopService(), "unchanged", "no change") });
    const same = configFile("same.yaml");
    const changed = configFile("changed.yaml", shopService({ split: { stable: 90, canary: 10 } }));
    expect((await cli("diff", "-f", same, "--exit-code")).code).toBe(0);
    expect((await cli("apply", "--dry-run", "--exit-code", "-f", same)).code).toBe(0);
    api.answers.set("POST /plan", { body: preview(shopService(), "update", "would store") });
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
    // Diff and dry run only ask what apply would do (the read scope's POST /plan), never apply.
    expect(api.seen.map((r) => `${r.method} ${r.path}`)).not.toContain("POST /apply");
    expect(new Set(api.seen.map((r) => r.path))).toEqual(new Set(["/plan"]));
  });

  it("8: apply would serve a release behind the one serving: refused before anything is sent", async () => {
    const refused = {
      code: "stale_release" as const,
      message: 'service "shop": would serve v1 while v2 serves since revision 7',
      problems: [{ path: "fix", message: "name v2 in the file" }],
    };
    api.answers.set("POST /plan", {
      body: preview(shopService(), "update", "", { plan: null, refused }),
    });
    const path = configFile("behind.yaml");
    const diff = await cli("diff", "-f", path);
    expect(diff.code).toBe(8);
    expect(diff.stdout).toContain("✗ shop (revision 3): refused: would serve v1 while v2 serves");
    expect(diff.stderr).toContain("apply would be refused, nothing stored");
    const apply = await cli("apply", "-f", path);
    expect(apply.code).toBe(8);
    expect(api.seen.map((r) => r.path)).not.toContain("/apply");
  });

  it("read with the read token (notify URL masked), the file's own notify URL is shown masked too: never a false change, never the secret", async () => {
    const hook = "https://hooks.slack.com/services/T000/B000/XXXXSECRET";
    const notify = (url: string) => [{ url, events: ["rollout.rolledBack" as const] }];
    const masked = shopService({ notify: notify("https://hooks.slack.com/…") });
    // The Worker plans against what it stores (unmasked): the same hook is no change.
    api.answers.set("POST /plan", { body: preview(masked, "unchanged", "no change") });
    const file = configFile("hook.yaml", shopService({ notify: notify(hook) }));
    expect((await cli("diff", "-f", file, "--exit-code")).code).toBe(0);
    // Another change beside it: the lines shown compare the file masked as the spec came back.
    api.answers.set("POST /plan", { body: preview(masked, "update", "would store revision 4") });
    const split = { stable: 90, canary: 10 };
    const moved = configFile("split.yaml", shopService({ notify: notify(hook), split }));
    const diff = await cli("diff", "-f", moved, "--exit-code");
    expect(diff.code).toBe(6);
    expect(diff.stdout).toMatch(/^\+ +stable: 90$/m);
    expect(diff.stdout).not.toMatch(/^[-+] .*hooks\.slack\.com/m);
    expect(diff.stdout).not.toContain("XXXXSECRET");
  });

  it("--exit-code on a real apply is a usage error, and nothing is stored", async () => {
    const result = await cli("apply", "-f", configFile("x.yaml"), "--exit-code");
    expect(result.code).toBe(2);
    expect(api.seen).toEqual([]);
  });
});

describe("JSON output", () => {
  const cli = (...argv: string[]) => runCli([...argv, "--url", api.url, "--json"]);

  it("rollout status, wait, start and actions print the API's ISO-8601 times", async () => {
    api.answers.set("GET /services/shop/rollout", { body: rolloutStatus("aborted") });
    api.answers.set("POST /services/shop/rollout/start", { body: rolloutState("progressing") });
    api.answers.set("POST /services/shop/rollout/abort", { body: rolloutState("aborted") });
    const status = JSON.parse((await cli("rollout", "status", "shop")).stdout);
    expect(status.now).toBe(AT);
    expect(status.state).toMatchObject({ startedAt: AT, stepStartedAt: AT, endedAt: AT });
    expect(status.state.lastVerdict.at).toBe(AT);
    expect(status.candidate).toMatchObject({ from: AT, to: "2026-01-02T03:05:05.000Z" });
    const waited = JSON.parse((await cli("rollout", "wait", "shop")).stdout);
    expect(waited.state.startedAt).toBe(AT);
    expect(JSON.parse((await cli("rollout", "start", "shop")).stdout).startedAt).toBe(AT);
    expect(JSON.parse((await cli("rollout", "abort", "shop")).stdout).endedAt).toBe(AT);
  });

  it("rollout status of a paused rollout is the API's answer alone: its ways out are for people", async () => {
    const paused = rolloutStatus("paused");
    const body = { ...paused, state: { ...paused.state!, pausedBy: "operator" as const } };
    api.answers.set("GET /services/shop/rollout", { body });
    const result = await cli("rollout", "status", "shop");
    expect(JSON.parse(result.stdout)).toEqual(body);
    expect(result.stdout + result.stderr).not.toContain("to go on");
    const human = await runCli(["rollout", "status", "shop", "--url", api.url]);
    expect(human.stdout).toContain("paused: keystone rollout resume shop to go on");
  });

  it("an answer with epoch milliseconds where the schema wants ISO is refused (exit 1)", async () => {
    api.answers.set("POST /services/shop/rollout/start", {
      body: { ...rolloutState("progressing"), startedAt: Date.parse(AT) },
    });
    const result = await runCli(["rollout", "start", "shop", "--url", api.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("startedAt");
  });
});

describe("flag values are checked before anything is sent, naming the flag", () => {
  const cli = (...argv: string[]) => runCli([...argv, "--url", api.url]);

  it("exit 2 for a malformed --ip, --country, --path, --continent, --ttl, or a version given twice", async () => {
    for (const [argv, message] of [
      [["explain", "shop", "--ip", "notanip"], '--ip "notanip": not an IPv4 or IPv6 address'],
      [["explain", "shop", "--country", "germany"], '--country "germany": a two-letter'],
      [["explain", "shop", "--path", "cart"], '--path "cart": must start with "/"'],
      [["explain", "shop", "--continent", "XX"], '--continent "XX": a two-letter continent code'],
      [["override-token", "shop", "canary", "--ttl", "abc"], '--ttl "abc": not a duration'],
      [["override-token", "shop", "canary", "--ttl", "8d"], '--ttl "8d": at most 7 days (7d)'],
      [["override-token", "shop", "canary", "--ttl", "10s"], '--ttl "10s": at least 1 minute (1m)'],
      [
        ["weights", "shop", "stable=90", "canary=10", "stable=0"],
        'version "stable" is given twice',
      ],
    ] as const) {
      const result = await cli(...argv);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(message);
    }
    expect(api.seen).toEqual([]);
  });

  it("exit 2 for apply --wait with a bad --timeout or --interval, before anything is applied", async () => {
    // Told after the apply, the typo would have started a rollout nobody waits for.
    api.answers.set("POST /plan", { body: preview(null, "create", "would create shop") });
    for (const [flag, value] of [
      ["--timeout", "45mins"],
      ["--interval", "0"],
    ] as const) {
      const result = await cli("apply", "-f", configFile("wait.yaml"), "--wait", flag, value);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`${flag} takes a duration like 30s or 5m, not "${value}"`);
    }
    expect(api.seen).toEqual([]);
  });

  it("exit 3 for an origin or release that could not be stored, naming the flag", async () => {
    const release = await cli("rollout", "start", "shop", "--release", "v3\nx-evil: 1");
    expect(release.code).toBe(3);
    expect(release.stderr).toContain("--release");
    const origin = await cli("rollout", "start", "shop", "--origin", "ftp://x");
    expect(origin.code).toBe(3);
    expect(origin.stderr).toContain('--origin "ftp://x"');
    expect(api.seen).toEqual([]);
  });
});

/** docs/cli.md's exit-code table: each code with the text of its row. */
function documentedExitCodes(): Map<number, string> {
  const doc = readFileSync(`${PROJECT_ROOT}/docs/cli.md`, "utf8");
  const table = doc.slice(doc.indexOf("## Exit codes"));
  const rows = [...table.matchAll(/^\| (\d+) \| (.+) \|$/gm)];
  return new Map(rows.map((row) => [Number(row[1]), row[2]!]));
}

describe("docs/cli.md's exit-code table covers every case, each under the code the CLI exits with", () => {
  const cli = (...argv: string[]) => runCli([...argv, "--url", api.url]);
  const cases: {
    name: string;
    says: string;
    code: number;
    run: () => Promise<{ code: number }>;
  }[] = [
    {
      name: "a missing -f file",
      says: "a missing `-f` file",
      code: 1,
      run: () => runCli(["validate", "-f", "/nonexistent/keystone.yaml"]),
    },
    {
      name: "weights that do not sum to 100",
      says: "not summing to 100",
      code: 3,
      run: () => cli("weights", "shop", "stable=90", "canary=5"),
    },
    {
      name: "a revert to the revision that deleted the service (the Worker answers 422 invalid)",
      says: "a revert to the revision that deleted the service",
      code: 3,
      run: () => {
        api.answers.set(
          "POST /services/shop/revert",
          apiError(422, "invalid", 'revision 4 of "shop" deleted the service; pick another'),
        );
        return cli("revert", "shop", "--to", "4");
      },
    },
    {
      name: "a YAML alias bomb",
      says: "a YAML alias bomb",
      code: 3,
      run: () => {
        const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
        for (const [name, from] of ["ba", "cb", "dc", "ed", "fe"].map((p) => [...p]))
          bomb.push(`${name}: &${name} [${Array(10).fill(`*${from}`).join(", ")}]`);
        return runCli([
          "validate",
          "-f",
          textFile("bomb.yaml", `${bomb.join("\n")}\nservices: *e\n`),
        ]);
      },
    },
    {
      name: "a body over the API's size limit",
      says: "a body over its size limit",
      code: 1,
      run: () => {
        api.answers.set("POST /services/shop/weights", apiError(413, "too_large", "over 1 MiB"));
        return cli("weights", "shop", "stable=50", "canary=50");
      },
    },
    {
      name: "an unknown --context",
      says: "an unknown `--context`",
      code: 2,
      run: () => runCli(["get", "--context", "nope"]),
    },
    {
      name: "a token pasted into --token-env",
      says: "a `--token-env` that is not a variable name",
      code: 2,
      run: () => cli("context", "add", "x", "--token-env", "aB3dE9fGh1jK2lMn0pQrS2tU"),
    },
    {
      name: "Cloudflare Access sends the CLI to its sign-in page",
      says: "Cloudflare Access sent the CLI to its sign-in page",
      code: 5,
      run: () => {
        const signIn = "https://team.cloudflareaccess.com/cdn-cgi/access/login/keystone";
        api.answers.set("GET /services", { status: 302, body: {}, headers: { location: signIn } });
        return cli("get");
      },
    },
    {
      name: "any other redirect",
      says: "a redirect (never followed)",
      code: 1,
      run: () => {
        const moved = "https://keystone.example.com/_keystone/v1/services";
        api.answers.set("GET /services", { status: 301, body: {}, headers: { location: moved } });
        return cli("get");
      },
    },
  ];

  for (const { name, says, code, run } of cases)
    it(`${name}: exit ${code}, and the table says so under ${code}`, async () => {
      const result = await run();
      expect(result.code).toBe(code);
      expect(documentedExitCodes().get(code)).toContain(says);
    });
});
