import { describe, expect, it } from "vitest";
import type { RolloutState } from "../../../schemas/rollout-state.ts";
import { Service } from "../../../schemas/service.ts";
import { blueGreenShop, shopService } from "../../../test/support/fixtures.ts";
import { addLatency } from "../metrics/histogram.ts";
import { summarize, type WindowStats } from "../metrics/window-stats.ts";
import { abortRollout, promoteRollout, resumeRollout, startRollout } from "./commands.ts";
import { concludedConfig, effectiveConfig } from "./effective.ts";
import { applyTick, decideTick, holdForGates } from "./evaluate.ts";
import { stepsOf } from "./steps.ts";

const T0 = 1_800_000_000_000;
const MIN = 60_000;

function stats(requests: number, errorPercent: number, latencyMs: number): WindowStats {
  const histogram = {};
  addLatency(histogram, latencyMs, requests);
  return summarize(
    { requests, errors: Math.round((requests * errorPercent) / 100), noAnswer: 0, histogram },
    0,
    0,
  );
}

const canary = Service.parse(
  shopService({
    split: { stable: 100, canary: 0 },
    rollout: {
      strategy: "canary",
      steps: [
        { weight: 5, bake: "5m" },
        { weight: 25, bake: "5m" },
        { pause: true },
        { weight: 50, bake: "5m" },
      ],
      analysis: {
        minRequests: 100,
        maxErrorRatePercent: 5,
        maxP95Ms: 2000,
        maxLatencyRatio: 3,
        failureLimit: 0,
      },
    },
  }),
);

function started(): RolloutState {
  const result = startRollout(canary, "r1", T0);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function tick(
  state: RolloutState,
  now: number,
  candidate: WindowStats,
  baseline = stats(1000, 0, 50),
) {
  const input = {
    policy: canary.rollout!,
    steps: stepsOf(canary.rollout!),
    state,
    candidate,
    baseline,
    now,
  };
  const decision = decideTick(input);
  return { decision, state: applyTick(input, decision) };
}

describe("a canary rollout", () => {
  it("starts at the first step's weight, and the data plane sees that split", () => {
    const state = started();
    expect(state).toMatchObject({
      phase: "progressing",
      stepIndex: 0,
      weight: 5,
      candidate: "canary",
      baseline: "stable",
    });
    expect(effectiveConfig(canary, state).split).toEqual({ stable: 95, canary: 5 });
  });

  it("holds while baking, then advances when healthy", () => {
    const early = tick(started(), T0 + 2 * MIN, stats(500, 1, 80));
    expect(early.decision).toMatchObject({ kind: "hold", outcome: "hold" });
    expect(early.decision.kind === "hold" && early.decision.reason).toMatch(/3m00s left/);
    const later = tick(early.state, T0 + 5 * MIN, stats(800, 1, 80));
    expect(later.decision).toMatchObject({ kind: "advance", toStep: 1, weight: 25 });
    expect(later.state).toMatchObject({ weight: 25, stepStartedAt: T0 + 5 * MIN });
  });

  it("too little traffic holds the step and never promotes", () => {
    let state = started();
    for (let minute = 1; minute <= 60; minute++) {
      const result = tick(state, T0 + minute * MIN, stats(99, 0, 50));
      expect(result.decision).toMatchObject({ kind: "hold", outcome: "inconclusive" });
      state = result.state;
    }
    expect(state.phase).toBe("progressing");
    expect(state.lastVerdict?.reason).toBe(
      "only 99 of 100 requests needed to judge in this step's window: holding",
    );
  });

  it("10% errors roll back at the first tick whose window holds minRequests", () => {
    const thin = tick(started(), T0 + MIN, stats(60, 10, 50));
    expect(thin.decision.kind).toBe("hold");
    const full = tick(thin.state, T0 + 2 * MIN, stats(120, 10, 50));
    expect(full.decision.kind).toBe("rollback");
    expect(full.state.phase).toBe("rolledBack");
    expect(full.state.lastVerdict?.candidate?.errorRatePercent).toBeCloseTo(10, 0);
    const failed = full.state.lastVerdict?.thresholdChecks?.filter((c) => !c.passed);
    expect(failed).toEqual([
      {
        check: "errorRate",
        measured: expect.closeTo(10, 0),
        threshold: 5,
        passed: false,
        baseline: expect.any(Number),
      },
    ]);
    expect(thin.state.lastVerdict?.thresholdChecks).toBeUndefined();
    expect(effectiveConfig(canary, full.state).split).toEqual({ stable: 100, canary: 0 });
    expect(concludedConfig(canary, full.state).split).toEqual({ stable: 100, canary: 0 });
  });

  it("a window too short to judge says how many requests it needs, and a limit it already exceeds", () => {
    // "only 60 of 100 … holding" beside a 10% error rate read as merely waiting: the step fails
    // once 100 requests are in unless they bring the rate under the limit.
    const thin = tick(started(), T0 + MIN, stats(60, 10, 50));
    expect(thin.decision).toMatchObject({ kind: "hold", outcome: "inconclusive" });
    expect(thin.state.lastVerdict?.reason).toBe(
      "only 60 of 100 requests needed to judge in this step's window: holding; error rate 10.00% > 5.00% so far",
    );
    // Within every limit so far: the hold alone.
    const clean = tick(started(), T0 + MIN, stats(60, 0, 50));
    expect(clean.state.lastVerdict?.reason).toBe(
      "only 60 of 100 requests needed to judge in this step's window: holding",
    );
    // The hint on how to send the step traffic stays with the hold; the limit comes after.
    const hinted = decideTick({
      policy: canary.rollout!,
      steps: stepsOf(canary.rollout!),
      state: started(),
      candidate: stats(60, 10, 50),
      baseline: stats(1000, 0, 50),
      now: T0 + MIN,
      holdHint: "send preview requests",
    });
    expect(hinted.kind === "hold" && hinted.reason).toBe(
      "only 60 of 100 requests needed to judge in this step's window: holding: send preview requests; error rate 10.00% > 5.00% so far",
    );
  });

  it("with the statistical judge, a window it has too few requests of keeps no failed limit", () => {
    const policy = {
      ...canary.rollout!,
      analysis: { ...canary.rollout!.analysis, judge: "statistical" as const },
    };
    const input = {
      policy,
      steps: stepsOf(policy),
      state: started(),
      // Enough candidate requests for the threshold judge, too few baseline ones for this judge.
      candidate: stats(150, 50, 50),
      baseline: stats(40, 0, 50),
      now: T0 + MIN,
    };
    const decision = decideTick(input);
    expect(decision).toMatchObject({ kind: "hold", outcome: "inconclusive" });
    const state = applyTick(input, decision);
    expect(state.failures).toBe(0);
    // An incident opened later must not list limits this window was never judged by.
    expect(state.lastVerdict?.thresholdChecks).toBeUndefined();
    expect(state.lastVerdict?.judgement?.outcome).toBe("inconclusive");
  });

  it("a 3 s p95 against a 50 ms baseline rolls back on latency", () => {
    const result = tick(started(), T0 + MIN, stats(200, 0, 3000), stats(2000, 0, 50));
    expect(result.decision.kind).toBe("rollback");
    expect(result.state.lastVerdict?.reason).toMatch(/p95 \d+ ms > 2000 ms/);
    expect(result.state.lastVerdict?.reason).toMatch(/× the baseline's/);
  });

  it("failureLimit tolerates that many failed checks before acting", () => {
    const tolerant = {
      ...canary.rollout!,
      analysis: { ...canary.rollout!.analysis, failureLimit: 1 },
    };
    const input = (state: RolloutState, now: number) => ({
      policy: tolerant,
      steps: stepsOf(tolerant),
      state,
      candidate: stats(200, 20, 50),
      baseline: stats(200, 0, 50),
      now,
    });
    const first = decideTick(input(started(), T0 + MIN));
    expect(first).toMatchObject({ kind: "hold", outcome: "failed", failures: 1 });
    const after = applyTick(input(started(), T0 + MIN), first);
    expect(decideTick(input(after, T0 + 2 * MIN)).kind).toBe("rollback");
  });

  it("counts failed analyses, not checks, and says so in the verdict's words", () => {
    // A window failing two checks (error rate and p95) is one failed analysis: with
    // failureLimit 1 it holds; the next failed window acts. "2 failed check(s), limit 1" read
    // like the two checks of one window.
    const tolerant = {
      ...canary.rollout!,
      analysis: { ...canary.rollout!.analysis, failureLimit: 1, maxP95Ms: 100 },
    };
    const input = (state: RolloutState, now: number) => ({
      policy: tolerant,
      steps: stepsOf(tolerant),
      state,
      candidate: stats(200, 20, 500),
      baseline: stats(200, 0, 50),
      now,
    });
    const first = decideTick(input(started(), T0 + MIN));
    expect(first.kind).toBe("hold");
    expect(first.reason).toMatch(
      /error rate .*; p95 .*\(1 failed analysis in this step, 1 tolerated\)$/,
    );
    const after = applyTick(input(started(), T0 + MIN), first);
    const second = decideTick(input(after, T0 + 2 * MIN));
    expect(second.kind).toBe("rollback");
    expect(second.reason).toMatch(/\(2 failed analyses in this step, limit 1\)$/);
  });

  it("stops at a pause gate until promote, then carries on to promotion", () => {
    let state = started();
    state = tick(state, T0 + 5 * MIN, stats(500, 0, 50)).state;
    const atGate = tick(state, T0 + 10 * MIN, stats(500, 0, 50));
    expect(atGate.decision.kind).toBe("gate");
    expect(atGate.state).toMatchObject({ phase: "paused", pausedBy: "gate", weight: 25 });
    const promoted = promoteRollout(canary, atGate.state, T0 + 11 * MIN, false);
    expect(promoted.ok && promoted.value).toMatchObject({
      phase: "progressing",
      weight: 50,
      stepIndex: 3,
    });
    const done = tick(
      (promoted as { value: RolloutState }).value,
      T0 + 16 * MIN,
      stats(500, 0, 50),
    );
    expect(done.decision.kind).toBe("promote");
    const after = concludedConfig(canary, done.state);
    expect(after.split).toEqual({ stable: 100, canary: 0 });
    expect(after.versions.stable?.origin).toBe(canary.versions.canary?.origin);
    expect(after.versions.stable?.release).toBe("v2");
  });

  it("a failed gate or health check holds an advance", () => {
    const decision = decideTick({
      policy: canary.rollout!,
      steps: stepsOf(canary.rollout!),
      state: started(),
      candidate: stats(500, 0, 50),
      baseline: stats(500, 0, 50),
      now: T0 + 6 * MIN,
    });
    expect(decision.kind).toBe("advance");
    expect(holdForGates(decision, ["gate https://ci/gate answered 503"], 0)).toMatchObject({
      kind: "hold",
      reason: "held by gate https://ci/gate answered 503",
    });
  });

  it("abort sends all traffic to the baseline at once; resume needs a pause", () => {
    const aborted = abortRollout(started(), T0 + MIN);
    expect(aborted.ok && effectiveConfig(canary, aborted.value).split).toEqual({
      stable: 100,
      canary: 0,
    });
    expect(resumeRollout(started(), T0).ok).toBe(false);
  });
});

describe("linear and blue/green plans", () => {
  it("linear steps by stepPercent up to 100", () => {
    const linear = Service.parse(
      shopService({ rollout: { strategy: "linear", stepPercent: 30, bake: "1m" } }),
    );
    expect(stepsOf(linear.rollout!).map((s) => (s.kind === "weight" ? s.weight : "pause"))).toEqual(
      [30, 60, 90, 100],
    );
  });

  it("blue/green switches all traffic at once, and promotion makes the new colour the baseline", () => {
    const blueGreen = Service.parse(
      blueGreenShop({
        rollout: { strategy: "blueGreen", bake: "1m", analysis: { minRequests: 0 } },
      }),
    );
    const result = startRollout(blueGreen, "r1", T0);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value).toMatchObject({ candidate: "green", weight: 0 });
    const steps = stepsOf(blueGreen.rollout!);
    const input = {
      policy: blueGreen.rollout!,
      steps,
      state: result.value,
      candidate: stats(10, 0, 50),
      baseline: stats(10, 0, 50),
      now: T0 + MIN,
    };
    const switched = applyTick(input, decideTick(input));
    expect(effectiveConfig(blueGreen, switched).split).toEqual({ blue: 0, green: 100 });
    const back = abortRollout(switched, T0 + 2 * MIN);
    expect(back.ok && effectiveConfig(blueGreen, back.value).split).toEqual({
      blue: 100,
      green: 0,
    });
    const promoted = { ...switched, phase: "promoted" as const };
    expect(concludedConfig(blueGreen, promoted)).toMatchObject({
      baseline: "green",
      split: { blue: 0, green: 100 },
    });
  });
});
