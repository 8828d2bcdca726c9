// Ramped rollbacks and the routing hints publications carry (pin scope, regional wave), through
// the ledger's own decisions.
import { describe, expect, it } from "vitest";
import type { Publication } from "../../../schemas/ledger.ts";
import { MINUTE, run, shopWithRollout, T0 } from "../../../test/support/ledger-fixtures.ts";
import { nextRampAt, planRamp, rampWeightAt } from "../rollout/ramp.ts";
import { decide } from "./ledger.ts";
import { liveRoutingOf } from "./live-routing.ts";
import { stepRamp } from "./ramp-step.ts";
import { emptyState, type LedgerState } from "./state.ts";
import { claimTick, tick } from "./tick.ts";

const failing = () => {
  const w = {
    requests: 100,
    errors: 50,
    noAnswer: 0,
    histogram: { "100": 100 },
    from: 0,
    to: 0,
    errorRatePercent: 50,
    p50: 50,
    p95: 50,
    p99: 50,
  };
  return { candidate: w, baseline: w };
};

const ramped = shopWithRollout({
  rollout: {
    strategy: "canary",
    steps: [{ weight: 40, bake: "10m" }],
    analysis: { minRequests: 10, maxErrorRatePercent: 5, failureLimit: 0 },
    onFailure: { action: "rollback", ramp: "2m" },
  },
});

function rolledBack(): LedgerState {
  const started = run(run(emptyState("shop"), { kind: "apply", config: ramped }), {
    kind: "rollout.start",
  });
  const claimed = claimTick(started, T0 + MINUTE).state;
  return tick(claimed, failing(), [], T0 + MINUTE).state;
}

const published = (effects: { kind: string }[]) =>
  (effects.find((e) => e.kind === "publish") as { publication: Publication } | undefined)
    ?.publication;

describe("the ramp plan", () => {
  it("cuts in equal steps, the first at once and the last at the end of the ramp", () => {
    const plan = planRamp(40, 2 * MINUTE);
    expect(plan).toEqual({ from: 40, steps: 8, stepMs: 15_000 });
    const shares = Array.from({ length: 10 }, (_, i) => rampWeightAt(plan, 0, i * 15_000));
    expect(shares[0]).toBeLessThan(40);
    expect(shares.slice(0, 9).every((w, i) => i === 0 || w < shares[i - 1]!)).toBe(true);
    expect(shares[8]).toBe(0);
    expect(rampWeightAt(plan, 0, 2 * MINUTE - 1)).toBeGreaterThan(0);
    // A short ramp still cuts twice: at once, and at its end.
    expect(planRamp(40, 5_000)).toEqual({ from: 40, steps: 1, stepMs: 5_000 });
  });
});

describe("a ramped rollback", () => {
  it("keeps part of the candidate's share, publishes it, and sends no halt yet", () => {
    const claimed = claimTick(
      run(run(emptyState("shop"), { kind: "apply", config: ramped }), { kind: "rollout.start" }),
      T0 + MINUTE,
    ).state;
    const decided = tick(claimed, failing(), [], T0 + MINUTE);
    const rollout = decided.state.rollout!;
    expect(rollout.phase).toBe("rolledBack");
    expect(rollout.weight).toBeGreaterThan(0);
    expect(rollout.weight).toBeLessThan(40);
    expect(rollout.lastVerdict?.reason).toContain("returns to the baseline over 2m");
    expect(decided.effects.map((e) => e.kind)).toEqual(["publish", "notify", "traceCandidate"]);
    const publication = published(decided.effects)!;
    expect(publication.config?.split).toEqual({
      stable: 100 - rollout.weight,
      canary: rollout.weight,
    });
    expect(publication.rolloutActive).toBe(true);
    // While it ramps, the split gives the candidate no pins (its visitors follow each cut).
    expect(publication.live).toEqual({
      scope: "r-test",
      voided: "canary",
      wave: null,
      ramping: true,
    });
    // The config of record is already the baseline at 100%.
    expect(decided.state.config?.split).toEqual({ stable: 100, canary: 0 });
  });

  it("steps down on schedule, a repeated or early call is a no-op, and the last cut halts the candidate", () => {
    let state = rolledBack();
    const start = state.rollout!.endedAt!;
    expect(nextRampAt(state.rollout)).toBe(start + 15_000);
    expect(stepRamp(state, start + 14_999)).toBeUndefined();
    const shares = [state.rollout!.weight];
    for (let at = start + 15_000; at <= start + 2 * MINUTE; at += 15_000) {
      const step = stepRamp(state, at)!;
      expect(step.effects[0]?.kind).toBe("publish");
      // Pins for the candidate are given again (as after any bad end) only once it is at 0.
      expect(published(step.effects)!.live?.ramping).toBe(
        step.state.rollout!.weight > 0 || undefined,
      );
      expect(stepRamp(step.state, at)).toBeUndefined();
      state = step.state;
      shares.push(state.rollout!.weight);
    }
    expect(shares.every((w, i) => i === 0 || w < shares[i - 1]!)).toBe(true);
    expect(shares.at(-1)).toBe(0);
    expect(nextRampAt(state.rollout)).toBeNull();
    expect(state.halt).toMatchObject({ version: "canary", rolloutId: "r-test" });
  });

  it("while it ramps, weights, delete and a new rollout wait; an operator's abort ends it at once with a halt", () => {
    const state = rolledBack();
    for (const command of [
      { kind: "weights", split: { stable: 50, canary: 50 } },
      { kind: "delete" },
      { kind: "rollout.start" },
    ] as const) {
      const refused = decide(state, command, T0 + 2 * MINUTE, { rolloutId: "r2" });
      expect(refused.ok ? "ok" : refused.error.code).toBe("wrong_phase");
    }
    const aborted = decide(state, { kind: "rollout.abort" }, T0 + 90_000);
    if (!aborted.ok) throw new Error(aborted.error.message);
    expect(aborted.value.state.rollout).toMatchObject({ phase: "aborted", weight: 0 });
    expect(aborted.value.effects.map((e) => e.kind)).toEqual(["publish", "halt"]);
    expect(published(aborted.value.effects)!.config?.split).toEqual({ stable: 100, canary: 0 });
    expect(published(aborted.value.effects)!.rolloutActive).toBe(false);
  });

  it("the default stays instant: no ramp, the baseline at 100% and a halt", () => {
    const instant = shopWithRollout();
    const claimed = claimTick(
      run(run(emptyState("shop"), { kind: "apply", config: instant }), { kind: "rollout.start" }),
      T0 + MINUTE,
    ).state;
    const decided = tick(claimed, failing(), [], T0 + MINUTE);
    expect(decided.state.rollout).toMatchObject({ phase: "rolledBack", weight: 0 });
    expect(decided.state.rollout?.ramp).toBeUndefined();
    expect(decided.effects.map((e) => e.kind)).toEqual([
      "publish",
      "halt",
      "notify",
      "traceCandidate",
    ]);
  });
});

describe("routing hints in publications", () => {
  it("keep a regional wave's place while a ramped rollback returns its candidate's share", () => {
    const wave = { country: ["NZ"] };
    const regional = shopWithRollout({
      rollout: {
        ...ramped.rollout!,
        steps: [{ weight: 40, bake: "10m", where: wave }],
      },
    });
    const started = run(run(emptyState("shop"), { kind: "apply", config: regional }), {
      kind: "rollout.start",
    });
    const decided = tick(claimTick(started, T0 + MINUTE).state, failing(), [], T0 + MINUTE);
    expect(decided.state.rollout).toMatchObject({ phase: "rolledBack" });
    expect(decided.state.rollout!.weight).toBeGreaterThan(0);
    // The candidate had 40 % of NZ only: its ramp must not give it a share of everyone.
    expect(published(decided.effects)!.live?.wave).toEqual(wave);
  });

  it("carry the rollout's id as pin scope and the current step's place, widened by a step without one", () => {
    const waves = shopWithRollout({
      rollout: {
        strategy: "canary",
        steps: [
          { weight: 20, bake: "1m", where: { country: ["nz", "AU"] } },
          { pause: true },
          { weight: 50, bake: "1m" },
        ],
      },
    });
    const applied = decide(emptyState("shop"), { kind: "apply", config: waves }, T0);
    if (!applied.ok) throw new Error(applied.error.message);
    expect(published(applied.value.effects)!.live).toBeUndefined();
    const started = decide(applied.value.state, { kind: "rollout.start" }, T0, { rolloutId: "w1" });
    if (!started.ok) throw new Error(started.error.message);
    const wave = { country: ["NZ", "AU"] };
    expect(published(started.value.effects)!.live).toEqual({ scope: "w1", voided: null, wave });
    // At the pause gate the weight of step 1 holds, and so does its place.
    const atGate = {
      ...started.value.state,
      rollout: { ...started.value.state.rollout!, stepIndex: 1 },
    };
    expect(liveRoutingOf(waves, { ...atGate.rollout, phase: "paused" })?.wave).toEqual(wave);
    const promoted = decide(atGate, { kind: "rollout.promote" }, T0 + MINUTE);
    if (!promoted.ok) throw new Error(promoted.error.message);
    expect(published(promoted.value.effects)!.live).toEqual({
      scope: "w1",
      voided: null,
      wave: null,
    });
  });
});
