// The GitHub Action executed: its run steps, with bash, against wrangler dev, real origins and the
// real CLI (test/support/github-runner.ts; the setup-node step is not run, this Node stands in).
// Deploys run one after another as a team's pipeline would, the config file unchanged in Git: a
// healthy release promotes, the same deploy again changes nothing, a faulty one fails the job with
// the reason and traffic stays on the release that served.
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { useStackWithFaultyOrigin } from "../support/e2e-stack.ts";
import { runAction } from "../support/github-runner.ts";
import { ACTION } from "../support/pipeline-files.ts";
import { driveUntil } from "../support/rollout-driver.ts";

const setup = useStackWithFaultyOrigin("github-action");

/**
 * The team's keystone.yaml: the service and its policy, no release (nor track origins): each
 * deploy names its build's release, and the file never has to follow what serves.
 */
function configFile(steps: unknown[]): string {
  const service = {
    name: "catalog",
    hosts: [setup.stack.host],
    rollout: {
      strategy: "canary",
      steps,
      analysis: { minRequests: 20, maxErrorRatePercent: 5, failureLimit: 0 },
    },
  };
  return setup.stack.writeFile("keystone.yaml", stringify({ services: [service] }));
}

/** A canary at 50 %, then a pause gate (passed by the action's `promote`). */
const STEPS = [{ weight: 50, bake: "1s" }, { pause: true }];

function inputs(extra: Record<string, string>) {
  return {
    url: setup.stack.adminUrl,
    token: setup.stack.secrets.ADMIN_TOKEN,
    wait: "2m",
    ...extra,
  };
}

async function record() {
  return JSON.parse((await setup.stack.cli(["get", "catalog", "--json"])).stdout) as {
    revision: number;
    config: { versions: Record<string, { origin: string; release?: string }> };
  };
}

// Each case waits on real rollouts (a canary, a gate, a rollback): longer than e2e's default.
describe("the GitHub Action against a local stack, deploy after deploy", {
  timeout: 240_000,
}, () => {
  it("a healthy release promotes; the same deploy again changes nothing; a faulty one fails and leaves traffic where it was", async () => {
    const { stable, canary } = setup.stack.origins;
    const config = configFile(STEPS);
    const deploy = (release: string, origin: string) =>
      runAction(ACTION, inputs({ config, release, origin, promote: "true" }), setup.stack.dir);
    const first = await deploy("v1", stable.url);
    expect(first.success, first.log).toBe(true);
    expect(first.outputs.phase).toBe("");
    expect(first.summary).toContain("| apply | catalog: created catalog, serving v1 |");
    expect(first.summary).toContain("| wait | nothing to wait for |");

    const second = await driveUntil(setup.stack.url, deploy("v2", canary.url), "/", "ks_catalog");
    expect(second.success, `${JSON.stringify(second.steps)}\n${second.log.slice(-3000)}`).toBe(
      true,
    );
    expect(second.steps[0]).toEqual({ name: "Set up Node 22", outcome: "not run (uses:)" });
    expect(second.outputs.phase).toBe("promoted");
    expect(second.summary).toContain("## Keystone Edge: catalog");
    expect(second.summary).toMatch(/\| validate \| ✅ .*keystone\.yaml/);
    expect(second.summary).toContain(
      "| apply | catalog: started a canary toward v2 (2 steps, threshold judge) |",
    );
    expect(second.summary).toContain("| wait | ✅ promoted |");
    expect(second.summary).toContain("### Keystone: catalog — ✅ promoted");
    expect(second.summary).toMatch(/\| paused \| 2 \| 50% \| \d{2,} \| 0\.00% \| \d+ ms \|/);
    expect(second.masks).toEqual([setup.stack.secrets.ADMIN_TOKEN]);
    expect(second.log).not.toContain(setup.stack.secrets.ADMIN_TOKEN);
    const promoted = await record();
    expect(promoted.config.versions.stable).toMatchObject({ origin: canary.url, release: "v2" });
    const history = (await setup.stack.cli(["history", "catalog"])).stdout;
    expect(history).toContain("pause gate passed by rollout wait --promote-gates");

    // The pipeline re-run for the same build (a retry, or a config-only commit).
    const rerun = await deploy("v2", canary.url);
    expect(rerun.success, rerun.log).toBe(true);
    expect(rerun.summary).toMatch(
      /\| apply \| catalog: no change \(v2 serving since revision \d+, when rollout \w{8} promoted it\) \|/,
    );
    expect((await record()).revision).toBe(promoted.revision);

    const faulty = await driveUntil(
      setup.stack.url,
      deploy("v3-broken", setup.faulty.url),
      "/",
      "ks_catalog",
    );
    expect(faulty.success).toBe(false);
    expect(faulty.steps.map((s) => s.outcome)).toEqual([
      "not run (uses:)",
      "success",
      "failure",
      "success",
    ]);
    expect(faulty.outputs.phase).toBe("rolledBack");
    expect(faulty.annotations).toContainEqual({
      level: "error",
      title: "Keystone rollout rolledBack",
      message: expect.stringMatching(
        /catalog: rollout rolled back — error rate \d+\.\d+% > 5\.00%/,
      ),
    });
    expect(faulty.summary).toMatch(/\| wait \| ❌ rolledBack: error rate/);
    expect(faulty.summary).toContain("### Keystone: catalog — ❌ rolled back");
    expect(faulty.outputs.incident).toMatch(/^\d+$/);
    expect((await record()).config.versions.stable).toMatchObject({ release: "v2" });

    // "Re-run failed jobs" on the faulty deploy: nothing is retried, and the job stays red with
    // the reason (its verdict is "held", which has no rollout state), not a script's TypeError.
    const again = await deploy("v3-broken", setup.faulty.url);
    expect(again.success).toBe(false);
    expect(again.log).not.toContain("TypeError");
    expect(again.outputs.phase).toBe("held");
    expect(again.annotations).toContainEqual({
      level: "error",
      title: "Keystone rollout held",
      message: expect.stringMatching(/catalog: no change: v3-broken was rolled back/),
    });
    expect(again.summary).toMatch(/\| wait \| ❌ held: /);
    expect((await record()).config.versions.stable).toMatchObject({ release: "v2" });
  });

  it("dry-run (the pull-request check): says what apply would do, changes nothing", async () => {
    const config = configFile(STEPS);
    const before = await record();
    const check = (extra: Record<string, string>) =>
      runAction(
        ACTION,
        inputs({ config, "dry-run": "true", token: setup.stack.secrets.READ_TOKEN, ...extra }),
        setup.stack.dir,
      );
    const same = await check({});
    expect(same.success, same.log).toBe(true);
    expect(same.outputs.changes).toBe("false");
    // The file names no release: the last deploy's (v3-broken, rolled back) stays, not retried.
    expect(same.summary).toMatch(
      /= catalog \(revision \d+\): no change: v3-broken was rolled back \(rollout \w{8}: error rate .*\); v2 serves/,
    );
    const run = await check({ release: "v9", origin: setup.stack.origins.stable.url });
    expect(run.success, run.log).toBe(true);
    expect(run.outputs.changes).toBe("true");
    expect(run.summary).toContain("| diff | changes pending |");
    expect(run.summary).toMatch(
      /```diff\n~ catalog \(revision \d+\): would start a canary toward v9/,
    );
    expect(await record()).toEqual(before);
  });
});
