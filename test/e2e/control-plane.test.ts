// End to end: the real keystone CLI drives the Worker (wrangler dev, workerd, local KV and
// Durable Objects on disk) in front of real local origins, over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ConfigFile } from "../../schemas/config-file.ts";
import type { ServiceInput } from "../../schemas/service.ts";
import {
  type OwnE2eStack,
  startE2eStack,
  versionServed,
  waitForResponse,
  waitForVersion,
} from "../support/e2e-stack.ts";
import { casesService, cookieHeader, routingCases, visitors } from "../support/routing-cases.ts";

// A Worker of its own: the last test restarts it.
let stack: OwnE2eStack;

function appService(split: Record<string, number>): ServiceInput {
  return {
    name: "app",
    hosts: ["127.0.0.1"],
    versions: {
      stable: { origin: stack.origins.stable.url, release: "v1" },
      canary: { origin: stack.origins.canary.url, release: "v2" },
    },
    baseline: "stable",
    split,
    sticky: { by: "none" },
  };
}

function configFile(name: string, ...services: ServiceInput[]): string {
  return stack.writeFile(name, stringify({ services }));
}

async function servedVersions(count: number): Promise<Set<string | null>> {
  const seen = new Set<string | null>();
  for (let i = 0; i < count; i++) seen.add(await versionServed(stack.url));
  return seen;
}

beforeAll(async () => {
  stack = await startE2eStack();
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe("keystone drives routing", () => {
  it("apply, then the next requests follow the new config", async () => {
    const first = await stack.cli([
      "apply",
      "-f",
      configFile("v1.yaml", appService({ stable: 100, canary: 0 })),
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("app: revision 1 stored");
    await waitForVersion(stack.url, "stable");
    expect(await servedVersions(20)).toEqual(new Set(["stable"]));

    const second = await stack.cli([
      "apply",
      "-f",
      configFile("v2.yaml", appService({ stable: 0, canary: 100 })),
    ]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/-\s+stable: 100/);
    expect(second.stdout).toMatch(/\+\s+stable: 0/);
    await waitForVersion(stack.url, "canary");
    expect(await servedVersions(20)).toEqual(new Set(["canary"]));
  });

  it("apply --dry-run shows the diff and stores nothing", async () => {
    const dry = await stack.cli([
      "apply",
      "--dry-run",
      "-f",
      configFile("dry.yaml", appService({ stable: 10, canary: 90 })),
    ]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("dry run: nothing stored");
    const record = JSON.parse((await stack.cli(["get", "app", "--json"])).stdout) as {
      revision: number;
    };
    expect(record.revision).toBe(2);
  });

  it("weights moves traffic", async () => {
    const moved = await stack.cli([
      "weights",
      "app",
      "stable=100",
      "canary=0",
      "--reason",
      "back off",
    ]);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toContain("stable 100%, canary 0% (revision 3)");
    await waitForVersion(stack.url, "stable");
    expect(await servedVersions(20)).toEqual(new Set(["stable"]));
  });

  it("revert restores an earlier revision's routing exactly", async () => {
    const reverted = await stack.cli(["revert", "app", "--to", "2"]);
    expect(reverted.code, reverted.stderr).toBe(0);
    await waitForVersion(stack.url, "canary");
    expect(await servedVersions(20)).toEqual(new Set(["canary"]));
    const now = JSON.parse((await stack.cli(["get", "app", "--json"])).stdout) as {
      revision: number;
      config: unknown;
    };
    expect(now.revision).toBe(4);
    // Revision 2 was applied from v2.yaml: the restored config is exactly that file's service.
    expect(now.config).toEqual(
      ConfigFile.parse({ services: [appService({ stable: 0, canary: 100 })] }).services[0],
    );
    const history = JSON.parse((await stack.cli(["history", "app", "--json"])).stdout) as {
      history: { type: string; revision: number; reason: string | null }[];
    };
    expect(history.history.map((h) => [h.type, h.revision])).toEqual([
      ["config.applied", 1],
      ["config.applied", 2],
      ["weights.changed", 3],
      ["config.reverted", 4],
    ]);
    expect(history.history[2]?.reason).toBe("back off");
  });

  it("two applies racing from the same revision: one applied, the other exit 4, nothing lost", async () => {
    const a = configFile("race-a.yaml", appService({ stable: 30, canary: 70 }));
    const b = configFile("race-b.yaml", appService({ stable: 70, canary: 30 }));
    const [ra, rb] = await Promise.all([
      stack.cli(["apply", "-f", a, "--if-revision", "4"]),
      stack.cli(["apply", "-f", b, "--if-revision", "4"]),
    ]);
    expect([ra.code, rb.code].sort()).toEqual([0, 4]);
    const loser = ra.code === 4 ? ra : rb;
    expect(loser.stderr).toMatch(/is at revision 5, but the change was based on revision 4/);
    const winnerSplit = ra.code === 0 ? { stable: 30, canary: 70 } : { stable: 70, canary: 30 };
    const stored = JSON.parse((await stack.cli(["get", "app", "--json"])).stdout) as {
      revision: number;
      config: { split: unknown };
    };
    expect(stored.revision).toBe(5);
    expect(stored.config.split).toEqual(winnerSplit);
  });
});

describe("explain agrees with the data plane", () => {
  // One CLI process per case: on a loaded 2-core machine 13 of them alone take about a minute.
  it("for every shared routing case", { timeout: 180_000 }, async () => {
    const applied = await stack.cli([
      "apply",
      "-f",
      configFile(
        "cases.yaml",
        { ...appService({ stable: 100, canary: 0 }), hosts: ["localhost"] },
        casesService({ stable: stack.origins.stable.url, canary: stack.origins.canary.url }),
      ),
    ]);
    expect(applied.code, applied.stderr).toBe(0);
    // Only the new service sets its sticky cookie: a signal the old config cannot give by chance.
    await waitForResponse(stack.url, "the cases service", (r) =>
      (r.headers.get("set-cookie") ?? "").startsWith("ks_cases="),
    );
    const seen = new Set<string>();
    for (const c of routingCases) {
      const args = ["explain", "cases", "--json", ...(c.path ? ["--path", c.path] : [])];
      for (const [k, v] of Object.entries(c.headers ?? {})) args.push("-H", `${k}: ${v}`);
      for (const [k, v] of Object.entries(c.cookies ?? {})) args.push("--cookie", `${k}=${v}`);
      const explained = await stack.cli(args);
      expect(explained.code, explained.stderr).toBe(0);
      const { version } = JSON.parse(explained.stdout) as { version: string };
      const served = await versionServed(stack.url, {
        path: c.path,
        headers: { ...c.headers, cookie: cookieHeader(c.cookies) },
      });
      expect(served, c.name).toBe(version);
      seen.add(version);
    }
    expect(seen).toEqual(new Set(["stable", "canary"]));
    // The regex rule (RE2, loaded by this fresh isolate's table load) sends every visitor to the
    // canary on a versioned path, where the split alone sends some of them to stable.
    const onPath = (path: string) =>
      Promise.all(
        visitors.map((v) =>
          versionServed(stack.url, { path, headers: { cookie: `ks_cases=${v}` } }),
        ),
      );
    expect(new Set(await onPath("/v2/beta/x"))).toEqual(new Set(["canary"]));
    expect(await onPath("/vx/beta/x")).toContain("stable");
  });
});

describe("bad input", () => {
  const invalid: [string, Record<string, unknown>, string[]][] = [
    [
      "weights off and unknown baseline",
      { split: { stable: 90, canary: 5 }, baseline: "prod" },
      ["services[0].split", "services[0].baseline"],
    ],
    [
      "unknown field and bad regex",
      {
        colour: 1,
        rules: [{ name: "r", when: { header: { name: "x", regex: "(" } }, route: "canary" }],
      },
      ["services[0].colour: unknown field", "services[0].rules[0].when.header.regex"],
    ],
    [
      "rule to unknown version",
      { rules: [{ name: "r", when: { method: ["GET"] }, route: "ghost" }] },
      ["services[0].rules[0].route"],
    ],
  ];

  for (const [what, overrides, paths] of invalid) {
    it(`${what}: exit 3, every path listed, nothing stored`, async () => {
      const before = (await stack.cli(["get", "app", "--json"])).stdout;
      const file = configFile("bad.yaml", {
        ...appService({ stable: 100, canary: 0 }),
        ...overrides,
      } as ServiceInput);
      for (const command of ["validate", "apply"]) {
        const run = await stack.cli([command, "-f", file]);
        expect(run.code).toBe(3);
        for (const path of paths) expect(run.stderr).toContain(path);
        expect(run.stderr).not.toMatch(/\n\s+at /);
      }
      expect((await stack.cli(["get", "app", "--json"])).stdout).toBe(before);
    });
  }

  it("broken YAML: exit 3 with line and column, no stack trace", async () => {
    const file = stack.writeFile(
      "broken.yaml",
      "services:\n  - name: app\n    hosts: [a.example.com\n    split: {\n",
    );
    const run = await stack.cli(["apply", "-f", file]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/broken\.yaml:\d+:\d+: /);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("a missing or wrong token: exit 5", async () => {
    expect((await stack.cli(["get"], { KEYSTONE_TOKEN: undefined })).code).toBe(5);
    const wrong = await stack.cli(["get"], { KEYSTONE_TOKEN: "not-the-token" });
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).toContain("not valid");
  });

  it("a read token cannot change anything: exit 5", async () => {
    const before = (await stack.cli(["get", "app", "--json"])).stdout;
    const run = await stack.cli(["weights", "app", "stable=0", "canary=100"], {
      KEYSTONE_TOKEN: stack.secrets.READ_TOKEN,
    });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain("may only read");
    expect(
      (await stack.cli(["get", "app", "--json"], { KEYSTONE_TOKEN: stack.secrets.READ_TOKEN }))
        .stdout,
    ).toBe(before);
  });

  it("an unreachable URL: exit 1 naming it", async () => {
    const run = await stack.cli(["get"], { KEYSTONE_URL: "http://127.0.0.1:9" });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("http://127.0.0.1:9");
  });

  it("a usage mistake: exit 2", async () => {
    expect((await stack.cli(["weights", "app", "stable"])).code).toBe(2);
    expect((await stack.cli(["frobnicate"])).code).toBe(2);
  });
});

describe("restart", () => {
  it("state, routing and history survive a restart of the Worker", async () => {
    const before = JSON.parse((await stack.cli(["get", "app", "--json"])).stdout) as {
      revision: number;
    };
    const historyBefore = (await stack.cli(["history", "app", "--json"])).stdout;
    await stack.restart();
    const after = JSON.parse((await stack.cli(["get", "app", "--json"])).stdout) as {
      revision: number;
    };
    expect(after.revision).toBe(before.revision);
    expect((await stack.cli(["history", "app", "--json"])).stdout).toBe(historyBefore);
    await waitForVersion(stack.url, "canary", { headers: { "x-canary": "always" } });
  });
});
