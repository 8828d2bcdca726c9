// keystone release start|status|wait|abort in process, against a stand-in admin API: the file is
// checked offline with lines, the exit codes are rollout wait's, JSON output is one document.
import { describe, expect, it } from "vitest";
import { releaseStatus, textFile } from "../test/support/cli-fixtures.ts";
import { apiError, useFakeAdminApi } from "../test/support/fake-admin-api.ts";
import { runCli } from "../test/support/run-cli.ts";

const fake = useFakeAdminApi();
const cli = (...argv: string[]) => runCli([...argv, "--url", fake.api.url]);

const GOOD = `name: checkout
services:
  - service: api
    release: v2
  - service: web
    after: { service: api, passed: true }
`;

describe("keystone release start", () => {
  it("checks the file offline: every problem with its line, exit 3, nothing sent", async () => {
    const path = textFile(
      "bad-release.yaml",
      `name: checkout
services:
  - service: api
    orgin: https://api-v2.example.com
  - service: web
    after: { service: api, promoted: true }
  - service: jobs
    after: { service: apx, reached: 1 }
`,
    );
    const result = await cli("release", "start", "-f", path);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      `${path}:4:5: services[0].orgin: unknown field "orgin": did you mean "origin"?`,
    );
    expect(result.stderr).toContain(
      `${path}:6:28: services[1].after.promoted: unknown field "promoted" (fields here: service, reached, passed)`,
    );
    expect(result.stderr).toContain(
      `${path}:6:5: services[1].after: give exactly one of reached: <step number> and passed: true`,
    );
    expect(result.stderr).toMatch(
      /:8:\d+: services\[2\]\.after\.service: unknown service "apx": did you mean "api"\?/,
    );
    expect(fake.api.seen).toEqual([]);
  });

  it("sends the parsed file with the author, and shows where the release stands", async () => {
    fake.api.answers.set("POST /releases", { body: releaseStatus("running") });
    const result = await runCli(
      ["release", "start", "-f", textFile("good.yaml", GOOD), "--url", fake.api.url],
      {
        env: { KEYSTONE_AUTHOR: "ci-bot" },
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(fake.api.seen[0]!.body)).toEqual({
      file: {
        name: "checkout",
        services: [
          { service: "api", release: "v2" },
          { service: "web", after: { service: "api", passed: true } },
        ],
      },
      author: "ci-bot",
    });
    expect(result.stdout).toContain("✓ release checkout started");
    expect(result.stdout).toMatch(/api\s+held\s+2\/2\s+50%\s+-\s+held at 50%/);
    expect(result.stdout).toMatch(/web\s+waiting\s+-\s+-\s+api passed/);

    // --force asks for a rollback on purpose; without it the body says nothing of force.
    fake.api.seen.length = 0;
    const forced = await runCli([
      "release",
      "start",
      "-f",
      textFile("good.yaml", GOOD),
      "--force",
      "--url",
      fake.api.url,
    ]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(fake.api.seen[0]!.body)).toMatchObject({ force: true });
  });

  it("a release that ended as it started (a start refused) is its verdict: exit 10, not started", async () => {
    const why =
      'api: start refused: service "api": release "checkout" would roll out v1 while v2 serves';
    fake.api.answers.set("POST /releases", { body: releaseStatus("rolledBack", why) });
    const result = await cli("release", "start", "-f", textFile("good.yaml", GOOD));
    expect(result.code).toBe(10);
    expect(result.stdout).not.toContain("✓ release checkout started");
    expect(result.stderr).toContain(`checkout: release rolled back — ${why}`);
  });
});

describe("keystone release wait: the exit codes of rollout wait", () => {
  it("0 promoted; 10 rolled back, aborted or partly promoted; 11 timeout", async () => {
    const cases = [
      ["promoted", 0, "promoted"],
      ["rolledBack", 10, "rolled back"],
      ["aborted", 10, "aborted"],
      ["partiallyPromoted", 10, "partially promoted"],
    ] as const;
    for (const [phase, code, words] of cases) {
      fake.api.answers.set("GET /releases/checkout", {
        body: releaseStatus(phase, `why ${phase}`),
      });
      const result = await cli("release", "wait", "checkout", "--interval", "10ms");
      expect(result.code, phase).toBe(code);
      if (code === 10) expect(result.stderr).toContain(`checkout: release ${words} — why ${phase}`);
    }
    fake.api.answers.set("GET /releases/checkout", { body: releaseStatus("running") });
    const timeout = await cli(
      "release",
      "wait",
      "checkout",
      "--timeout",
      "50ms",
      "--interval",
      "10ms",
    );
    expect(timeout.code).toBe(11);
    expect(timeout.stderr).toContain("checkout: still running after 50ms");
  });

  it("waits through the phases until the end; --json prints one result document", async () => {
    const phases = ["running", "promoting", "promoted"] as const;
    let asked = 0;
    fake.api.answers.set("GET /releases/checkout", () => ({
      body: releaseStatus(phases[Math.min(asked++, 2)]!),
    }));
    const result = await cli("release", "wait", "checkout", "--interval", "10ms", "--json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ release: "checkout", outcome: "promoted" });
    expect(asked).toBe(3);
  });
});

describe("keystone release status and abort", () => {
  it("status --watch redraws until the release ends, exiting as release wait does", async () => {
    let asked = 0;
    fake.api.answers.set("GET /releases/checkout", () => ({
      body: releaseStatus(asked++ < 1 ? "running" : "rolledBack", "web rolled back"),
    }));
    const result = await cli("release", "status", "checkout", "--watch", "--interval", "0.2");
    // As rollout status --watch: a release that rolled back ends the watch with 10, not 0.
    expect(result.code).toBe(10);
    expect(result.stderr).toContain("checkout: release rolled back — web rolled back");
    expect(result.stdout.match(/^checkout {2}/gm)).toHaveLength(2);
    // Phases and events in words, as every view tells them; --json keeps the names.
    expect(result.stdout).toContain("release started — 2 services (ana)");
    expect(result.stdout).toContain("api started — first to start");
    expect(result.stdout).toMatch(/^checkout {2}rolled back {2}/m);
    expect(result.stdout).not.toMatch(/rolledBack|release\.\w/);
    fake.api.answers.set("GET /releases/checkout", { body: releaseStatus("promoted") });
    expect((await cli("release", "status", "checkout", "--watch")).code).toBe(0);
    // Without --watch a status is a read: 0 whatever the phase.
    fake.api.answers.set("GET /releases/checkout", { body: releaseStatus("rolledBack") });
    expect((await cli("release", "status", "checkout")).code).toBe(0);
  });

  it("status --watch polls through a Worker restarting (a 503, a 500) to the release's end, as rollout status --watch", async () => {
    const answers = [
      { body: releaseStatus("running") },
      { status: 503, body: "<html>503 Service Unavailable</html>" },
      apiError(500, "internal", "the release object restarted"),
      { body: releaseStatus("promoted") },
    ];
    let served = 0;
    fake.api.answers.set("GET /releases/checkout", () => answers[Math.min(served++, 3)]!);
    const result = await cli("release", "status", "checkout", "--watch", "--interval", "0.2");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("failed with HTTP 503");
    expect(result.stderr).toContain("the release object restarted (retrying every");
    expect(served).toBe(4);
    // Not transient: a refused token still ends the watch at once.
    fake.api.answers.set("GET /releases/checkout", apiError(401, "unauthorized", "bad token"));
    expect((await cli("release", "status", "checkout", "--watch")).code).toBe(5);
  });

  it("status shows the newest history entries and says how many earlier ones it left out", async () => {
    const status = releaseStatus("running");
    const event = status.events[1]!;
    status.events = [
      ...status.events,
      ...Array.from({ length: 9 }, (_, i) => ({ ...event, reason: `entry ${i}` })),
    ];
    fake.api.answers.set("GET /releases/checkout", { body: status });
    const result = await cli("release", "status", "checkout");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("… 3 earlier entries (release status --json has them all)");
    expect(result.stdout).not.toContain("release started — 2 services");
    expect(result.stdout).toContain("api started — entry 8");
  });

  it("abort posts who and why, and a missing release is exit 1", async () => {
    fake.api.answers.set("POST /releases/checkout/abort", { body: releaseStatus("aborting") });
    const result = await cli("release", "abort", "checkout", "--reason", "bad deploy");
    expect(result.code).toBe(0);
    expect(JSON.parse(fake.api.seen[0]!.body)).toMatchObject({ reason: "bad deploy" });
    expect(result.stdout).toContain("✓ release checkout: aborting");
    expect((await cli("release", "status", "nope")).code).toBe(1);
  });
});
