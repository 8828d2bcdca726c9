// The GitHub Action executed: its run steps, with bash, against wrangler dev, real origins and the
// real CLI (test/support/github-runner.ts; the setup-node step is not run, this Node stands in).
// A healthy canary passes and writes the summary; a faulty one fails the step with the reason.
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { ServiceInput } from "../../schemas/service.ts";
import { useStackWithFaultyOrigin } from "../support/e2e-stack.ts";
import { runAction } from "../support/github-runner.ts";
import { ACTION } from "../support/pipeline-files.ts";
import { driveUntil } from "../support/rollout-driver.ts";

const setup = useStackWithFaultyOrigin();

function shop(steps: unknown[], split = { stable: 100, canary: 0 }): ServiceInput {
  return {
    name: "shop",
    hosts: ["127.0.0.1"],
    versions: {
      stable: { origin: setup.stack.origins.stable.url, release: "v1" },
      canary: { origin: setup.stack.origins.canary.url, release: "v1" },
    },
    baseline: "stable",
    split,
    rollout: {
      strategy: "canary",
      steps: steps as never,
      analysis: { minRequests: 20, maxErrorRatePercent: 5, failureLimit: 0 },
    },
  };
}

function inputs(extra: Record<string, string>) {
  return {
    url: setup.stack.url,
    token: setup.stack.secrets.ADMIN_TOKEN,
    service: "shop",
    wait: "2m",
    ...extra,
  };
}

// Each case waits on real rollouts (a canary, a gate, a rollback): longer than e2e's default.
describe("the GitHub Action against a local stack", { timeout: 150_000 }, () => {
  it("a healthy canary: validates, applies, starts, passes the pause gate, promotes and writes the summary", async () => {
    const config = setup.stack.writeFile(
      "keystone.yaml",
      stringify({ services: [shop([{ weight: 50, bake: "1s" }, { pause: true }])] }),
    );
    const run = await driveUntil(
      setup.stack.url,
      runAction(
        ACTION,
        inputs({ config, origin: setup.stack.origins.canary.url, release: "v2", promote: "true" }),
        setup.stack.dir,
      ),
    );
    expect(run.success, `${JSON.stringify(run.steps)}\n${run.log.slice(-3000)}`).toBe(true);
    expect(run.steps[0]).toEqual({ name: "Set up Node 22", outcome: "not run (uses:)" });
    expect(run.outputs.phase).toBe("promoted");
    // `keystone incident list` may not exist in this CLI yet: no incident, and no failure.
    expect(run.outputs.incident).toBe("");
    expect(run.summary).toContain("## Keystone Edge: shop");
    expect(run.summary).toMatch(/\| validate \| ✅ .*keystone\.yaml/);
    expect(run.summary).toContain("| start | ✅ shop release v2 |");
    expect(run.summary).toContain("| wait | ✅ promoted |");
    expect(run.summary).toContain("### Keystone: shop — ✅ promoted");
    // The step that advanced, with the candidate's figures from its window.
    expect(run.summary).toMatch(/\| paused \| 2 \| 50% \| \d{2,} \| 0\.00% \| \d+ ms \|/);
    expect(run.summary).toContain(`[Status page](${setup.stack.url}/_keystone/ui)`);
    expect(run.masks).toEqual([setup.stack.secrets.ADMIN_TOKEN]);
    expect(run.log).not.toContain(setup.stack.secrets.ADMIN_TOKEN);
    const history = (await setup.stack.cli(["history", "shop"])).stdout;
    expect(history).toContain("pause gate passed by rollout wait --promote-gates");
  });

  it("a faulty canary: the wait step fails with the reason as an error annotation", async () => {
    const config = setup.stack.writeFile(
      "keystone.yaml",
      stringify({ services: [shop([{ weight: 50, bake: "10m" }])] }),
    );
    const run = await driveUntil(
      setup.stack.url,
      runAction(
        ACTION,
        inputs({ config, origin: setup.faulty.url, release: "v3-broken" }),
        setup.stack.dir,
      ),
    );
    expect(run.success).toBe(false);
    expect(run.steps.map((s) => s.outcome)).toEqual([
      "not run (uses:)",
      "success",
      "success",
      "success",
      "failure",
      "success",
    ]);
    expect(run.outputs.phase).toBe("rolledBack");
    expect(run.annotations).toContainEqual({
      level: "error",
      title: "Keystone rollout rolledBack",
      message: expect.stringMatching(/shop: rollout rolled back — error rate \d+\.\d+% > 5\.00%/),
    });
    expect(run.summary).toMatch(/\| wait \| ❌ rolledBack: error rate/);
    expect(run.summary).toContain("### Keystone: shop — ❌ rolled back");
  });

  it("dry-run (the pull-request check): validates, posts the diff, applies nothing", async () => {
    const config = setup.stack.writeFile(
      "keystone.yaml",
      stringify({ services: [shop([{ weight: 50, bake: "10m" }], { stable: 90, canary: 10 })] }),
    );
    const run = await runAction(ACTION, inputs({ config, "dry-run": "true" }), setup.stack.dir);
    expect(run.success, run.log).toBe(true);
    expect(run.outputs.changes).toBe("true");
    expect(run.summary).toContain("| diff | changes pending |");
    expect(run.summary).toMatch(/```diff\n[\s\S]*\+ {3}canary: 10[\s\S]*```/);
    const live = JSON.parse((await setup.stack.cli(["get", "shop", "--json"])).stdout);
    expect(live.config.split).toEqual({ stable: 100, canary: 0 });
  });
});
