// Starting a release is checked against the services as they stand, every problem at once.
import { describe, expect, it } from "vitest";
import { ReleaseFile } from "../../../schemas/release-file.ts";
import {
  factsOf,
  rollout,
  started,
  T0,
  threeServices,
  who,
} from "../../../test/support/release-fixtures.ts";
import { decideRelease, startRelease } from "./release.ts";

describe("starting a release", () => {
  it("names every service that cannot roll out as asked, with its path", () => {
    const file = ReleaseFile.parse({
      name: "checkout",
      services: [
        { service: "api" },
        { service: "web", strategy: "blueGreen", after: { service: "api", reached: 3 } },
        { service: "ghost", after: { service: "api", passed: true } },
      ],
    });
    const result = startRelease(null, file, factsOf(["api", "web"]), who, T0);
    expect(!result.ok && result.error.code).toBe("invalid");
    expect(!result.ok && result.error.problems).toEqual([
      { path: "services[1]", message: "rollout.steps: steps are for canary rollouts" },
      {
        path: "services[1]",
        message: 'versions: a blueGreen rollout needs a version named "blue"',
      },
      {
        path: "services[1]",
        message: 'versions: a blueGreen rollout needs a version named "green"',
      },
      { path: "services[2].service", message: 'service "ghost" does not exist' },
      {
        path: "services[1].after.reached",
        message: '"api" has 2 steps: use a step from 1 to 2, or passed: true',
      },
    ]);
  });

  it("a service with a rollout in progress must end it first", () => {
    const facts = factsOf(["api", "web", "worker"]);
    facts.web = { ...facts.web!, rollout: rollout("r-web", { heldBy: null }) };
    const result = startRelease(null, threeServices(), facts, who, T0);
    expect(!result.ok && result.error).toEqual({
      code: "wrong_phase",
      message:
        'release "checkout" cannot start: web has a rollout progressing (step 1 of 2): let it end or abort it first',
    });
  });

  it("a service another release holds names that release, not an abort that would fail it", () => {
    const facts = factsOf(["api", "web", "worker"]);
    facts.api = {
      ...facts.api!,
      rollout: rollout("r-api", {
        phase: "paused",
        pausedBy: "release",
        heldBy: { release: "payments" },
      }),
    };
    const result = startRelease(null, threeServices(), facts, who, T0);
    expect(!result.ok && result.error).toEqual({
      code: "wrong_phase",
      message:
        'release "checkout" cannot start: api is rolled out by release "payments" (held at step 1 of 2): let it end, or keystone release abort payments',
    });
  });

  it("a release runs once at a time; its name may start again once it ended", () => {
    const running = started().state;
    const again = startRelease(
      running,
      threeServices(),
      factsOf(["api", "web", "worker"]),
      who,
      T0,
    );
    expect(!again.ok && again.error.message).toBe(
      'release "checkout" is already running: wait for it to end, or keystone release abort checkout',
    );
    const aborting = decideRelease(running, { kind: "abort", author: "ana", reason: null }, T0);
    const ended = aborting.ok ? aborting.value.state : running;
    // api's start was never confirmed: the abort waits for it; settle it to end the release.
    const settledAbort = decideRelease(
      ended,
      {
        kind: "settled",
        effect: { kind: "abort", run: T0, service: "api" },
        outcome: { ok: true, rollout: null },
      },
      T0,
    );
    const over = settledAbort.ok ? settledAbort.value.state : ended;
    expect(over.phase).toBe("aborted");
    const rerun = startRelease(
      over,
      threeServices(),
      factsOf(["api", "web", "worker"]),
      who,
      T0 + 5,
    );
    expect(rerun.ok && rerun.value.state).toMatchObject({ phase: "running", startedAt: T0 + 5 });
  });
});
