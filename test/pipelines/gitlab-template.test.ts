// The GitLab template executed through the example pipeline (test/support/gitlab-runner.ts: the
// jobs' scripts with bash, stage by stage) against wrangler dev, real origins and the real CLI.
// The blue/green pipeline holds at the manual traffic switch until the test plays it; a faulty
// canary fails its job with the CLI's exit code 10; a pending config change only warns.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { PROJECT_ROOT } from "../../scripts/stack.ts";
import { fireCron, useStackWithFaultyOrigin, versionServed } from "../support/e2e-stack.ts";
import { GitlabPipeline } from "../support/gitlab-runner.ts";
import { gitlabProject } from "../support/pipeline-files.ts";
import { driveUntil } from "../support/rollout-driver.ts";

const setup = useStackWithFaultyOrigin();

/** What GitLab and the project's CI/CD settings would set; the CLI from this checkout. */
function variables(extra: Record<string, string>): Record<string, string> {
  return {
    KEYSTONE_URL: setup.stack.url,
    KEYSTONE_TOKEN: setup.stack.secrets.ADMIN_TOKEN,
    KEYSTONE_CLI_DIR: PROJECT_ROOT,
    KEYSTONE_WAIT: "90s",
    CI_DEFAULT_BRANCH: "main",
    CI_COMMIT_SHORT_SHA: "abc1234",
    CI_PIPELINE_URL: "https://gitlab.example.com/shop/-/pipelines/7",
    GITLAB_USER_LOGIN: "ops",
    ...extra,
  };
}

async function apply(service: unknown): Promise<void> {
  const result = await setup.stack.cli([
    "apply",
    "-f",
    setup.stack.writeFile("live.yaml", stringify({ services: [service] })),
  ]);
  expect(result.code, result.stderr).toBe(0);
}

// Each case waits on real rollouts (a switch, a rollback): longer than e2e's default.
describe("the GitLab template against a local stack", { timeout: 150_000 }, () => {
  it("blue/green: deploy-green and health-check run, the pipeline waits at the manual switch until it is played", async () => {
    await apply({
      name: "shop",
      hosts: ["127.0.0.1"],
      versions: {
        blue: { origin: setup.stack.origins.stable.url, release: "v1" },
        green: { origin: setup.faulty.url, release: "old" },
      },
      baseline: "blue",
      split: { blue: 100, green: 0 },
      rules: [
        {
          name: "preview",
          when: { header: { name: "x-keystone-preview", equals: "green" } },
          route: "green",
        },
      ],
      rollout: {
        strategy: "blueGreen",
        bake: "1s",
        analysis: { minRequests: 20, failureLimit: 0 },
      },
    });
    const pipeline = new GitlabPipeline(
      gitlabProject(),
      variables({
        CI_COMMIT_TAG: "v2.0.0",
        KEYSTONE_ORIGIN: setup.stack.origins.canary.url,
        KEYSTONE_PREVIEW_URL: `${setup.stack.url}/health`,
        KEYSTONE_HEALTH_TIMEOUT: "15",
      }),
    );
    await pipeline.run();
    const statuses = () => Object.fromEntries([...pipeline.results].map(([n, r]) => [n, r.status]));
    expect(statuses(), pipeline.results.get("health-check")?.log).toEqual({
      "deploy-green": "success",
      "health-check": "success",
      "traffic-switch": "manual",
      cleanup: "created",
    });
    expect(pipeline.results.get("deploy-green")!.log).toContain("deploy abc1234 to");
    // At the gate: the cron runs, nothing moves; the public still gets blue.
    await fireCron(setup.stack.url, Date.now() + 5_000);
    await pipeline.run();
    expect(pipeline.status("traffic-switch")).toBe("manual");
    expect(await versionServed(setup.stack.url)).toBe("blue");
    const status = JSON.parse(
      (await setup.stack.cli(["rollout", "status", "shop", "--json"])).stdout,
    );
    expect(status.state).toMatchObject({ phase: "paused", pausedBy: "operator", weight: 0 });

    await driveUntil(setup.stack.url, pipeline.play("traffic-switch"));
    const switched = pipeline.results.get("traffic-switch")!;
    expect(switched.status, switched.log).toBe("success");
    expect(switched.dotenv).toEqual({ KEYSTONE_PHASE: "promoted" });
    expect(pipeline.results.get("cleanup")!.status, pipeline.results.get("cleanup")!.log).toBe(
      "success",
    );
    expect(pipeline.results.get("cleanup")!.log).toContain("tear down the blue deployment");
    expect(await versionServed(setup.stack.url)).toBe("green");
  });

  it("a faulty canary: canary-wait fails with exit 10 and leaves the phase in its dotenv report", async () => {
    await apply({
      name: "shop",
      hosts: ["127.0.0.1"],
      versions: {
        stable: { origin: setup.stack.origins.stable.url, release: "v1" },
        canary: { origin: setup.stack.origins.canary.url, release: "v1" },
      },
      baseline: "stable",
      split: { stable: 100, canary: 0 },
      rollout: {
        strategy: "canary",
        steps: [{ weight: 50, bake: "10m" }],
        analysis: { minRequests: 20, maxErrorRatePercent: 5, failureLimit: 0 },
      },
    });
    const pipeline = new GitlabPipeline(
      gitlabProject(),
      variables({ CI_COMMIT_BRANCH: "main", KEYSTONE_ORIGIN: setup.faulty.url }),
    );
    await driveUntil(setup.stack.url, pipeline.run());
    expect(pipeline.status("canary-start")).toBe("success");
    const waited = pipeline.results.get("canary-wait")!;
    expect(waited).toMatchObject({
      status: "failed",
      code: 10,
      dotenv: { KEYSTONE_PHASE: "rolledBack" },
    });
    expect(waited.log).toMatch(/rolled back — error rate \d+\.\d+% > 5\.00%/);
  });

  it("a merge request's config diff: pending changes (exit 6) only warn", async () => {
    const dir = gitlabProject();
    writeFileSync(
      join(dir, "keystone.yaml"),
      stringify({
        services: [
          {
            name: "shop",
            hosts: ["127.0.0.1"],
            versions: {
              stable: { origin: setup.stack.origins.stable.url },
              canary: { origin: setup.stack.origins.canary.url },
            },
            baseline: "stable",
            split: { stable: 90, canary: 10 },
          },
        ],
      }),
    );
    const pipeline = new GitlabPipeline(
      dir,
      variables({ CI_PIPELINE_SOURCE: "merge_request_event" }),
    );
    await pipeline.run();
    const diff = pipeline.results.get("config-diff")!;
    expect(diff, diff.log).toMatchObject({ status: "warning", code: 6 });
    expect(diff.log).toContain("+   canary: 10");
  });
});
