// The rollout option releases use: held at the last step instead of promoting, still analysed
// while held, promoted or aborted only on the release's behalf.
import { describe, expect, it } from "vitest";
import type { Command, RolloutStartCommand } from "../../../schemas/ledger.ts";
import {
  live,
  MINUTE,
  run,
  shopWithRollout,
  T0,
  windowsOf,
} from "../../../test/support/ledger-fixtures.ts";
import { decide } from "./ledger.ts";
import { emptyState, type LedgerState } from "./state.ts";
import { claimTick, tick } from "./tick.ts";

const twoSteps = {
  strategy: "canary" as const,
  steps: [
    { weight: 10, bake: "1m" },
    { weight: 50, bake: "1m" },
  ],
  analysis: { minRequests: 10, maxErrorRatePercent: 5, failureLimit: 0 },
};

function started(
  rollout: object = twoSteps,
  heldBy: { release: string } | null = { release: "r1" },
): LedgerState {
  const live = run(emptyState("shop"), {
    kind: "apply",
    config: shopWithRollout({ rollout: rollout as never }),
  });
  return run(live, { kind: "rollout.start", ...(heldBy ? { heldBy } : {}) });
}

function tickAt(state: LedgerState, at: number, errors = 0) {
  const claimed = claimTick(state, at).state;
  return tick(claimed, windowsOf(100, errors), [], at);
}

/** Ticks through both steps: the decision of the tick that passes the last one. */
function passLastStep(state = started()) {
  const second = tickAt(state, T0 + 2 * MINUTE).state;
  expect(second.rollout?.weight).toBe(50);
  return tickAt(second, T0 + 4 * MINUTE);
}

function refusal(state: LedgerState, command: Command) {
  const result = decide(state, command, T0 + 5 * MINUTE);
  return result.ok ? "ok" : result.error.message;
}

describe("a rollout held by a release", () => {
  it("without heldBy, passing the last step promotes (as always)", () => {
    expect(passLastStep(started(twoSteps, null)).state.rollout?.phase).toBe("promoted");
  });

  it("passing the last step pauses it at that weight for the release, with a verdict saying so", () => {
    const decided = passLastStep();
    const rollout = decided.state.rollout!;
    expect(rollout).toMatchObject({
      phase: "paused",
      pausedBy: "release",
      weight: 50,
      endedAt: null,
    });
    expect(rollout.lastVerdict?.reason).toMatch(
      /last step passed: held at 50% until every service of release "r1" has passed/,
    );
    expect(decided.events.map((e) => e.type)).toEqual(["rollout.paused"]);
    expect(decided.revisions).toEqual([]);
    expect(decided.state.config?.versions.stable?.origin).toBe(
      shopWithRollout().versions.stable?.origin,
    );
  });

  it("is still analysed while held: passing again records nothing new, failing rolls it back", () => {
    const held = passLastStep().state;
    const again = tickAt(held, T0 + 5 * MINUTE);
    expect(again.state.rollout).toMatchObject({ phase: "paused", pausedBy: "release" });
    expect(again.events).toEqual([]);
    expect(again.effects).toEqual([]);
    const failed = tickAt(held, T0 + 5 * MINUTE, 50);
    expect(failed.state.rollout?.phase).toBe("rolledBack");
    expect(failed.events.map((e) => e.type)).toEqual(["rollout.rolledBack"]);
  });

  it("an operator cannot promote or resume it: the release does that, and names how to see it", () => {
    const held = passLastStep().state;
    expect(refusal(held, { kind: "rollout.promote" })).toMatch(
      /part of release "r1": it is promoted with the release's other services .*keystone release status r1/,
    );
    expect(refusal(started(), { kind: "rollout.promote", full: true })).toMatch(
      /part of release "r1"/,
    );
    expect(refusal(held, { kind: "rollout.resume" })).toMatch(/waits for release "r1"/);
  });

  it("an operator passing the final gate of its plan holds it too", () => {
    const gated = started({ ...twoSteps, steps: [{ weight: 10, bake: "1m" }, { pause: true }] });
    const atGate = tickAt(gated, T0 + 2 * MINUTE).state;
    expect(atGate.rollout).toMatchObject({ phase: "paused", pausedBy: "gate" });
    const passed = decide(atGate, { kind: "rollout.promote", author: "ana" }, T0 + 3 * MINUTE);
    expect(passed.ok && passed.value.state.rollout).toMatchObject({
      phase: "paused",
      pausedBy: "release",
    });
    expect(passed.ok && passed.value.events[0]?.type).toBe("rollout.paused");
  });

  it("its release promotes it at once, on its behalf; no other release can, nor before it passed", () => {
    const held = passLastStep().state;
    expect(refusal(held, { kind: "rollout.promote", full: true, onBehalfOf: "r2" })).toMatch(
      /not part of release "r2"/,
    );
    expect(refusal(started(), { kind: "rollout.promote", full: true, onBehalfOf: "r1" })).toMatch(
      /has not passed its last step yet/,
    );
    const promoted = decide(
      held,
      { kind: "rollout.promote", full: true, onBehalfOf: "r1", author: "release:r1" },
      T0 + 5 * MINUTE,
    );
    expect(promoted.ok && promoted.value.state.rollout).toMatchObject({
      phase: "promoted",
      weight: 100,
    });
    expect(promoted.ok && promoted.value.state.rollout?.lastVerdict?.reason).toBe(
      'promoted with release "r1": every service of it passed',
    );
    expect(promoted.ok && promoted.value.events[0]).toMatchObject({
      type: "rollout.promoted",
      author: "release:r1",
    });
    // The concluded config: the baseline track took the candidate's origin.
    expect(promoted.ok && promoted.value.state.config?.versions.stable?.origin).toBe(
      shopWithRollout().versions.canary?.origin,
    );
  });

  it("its release aborts it on its behalf; an operator may abort it too; another release may not", () => {
    const running = started();
    expect(refusal(running, { kind: "rollout.abort", onBehalfOf: "r2" })).toMatch(
      /not part of release "r2"/,
    );
    expect(refusal(running, { kind: "rollout.abort" })).toBe("ok");
    const aborted = decide(running, { kind: "rollout.abort", onBehalfOf: "r1" }, T0 + MINUTE);
    expect(aborted.ok && aborted.value.state.rollout?.lastVerdict?.reason).toBe(
      'aborted by release "r1": all traffic to the baseline',
    );
    expect(aborted.ok && aborted.value.effects.map((e) => e.kind)).toContain("halt");
  });

  it("an ended rollout refuses its release's commands by its own phase", () => {
    const aborted = run(started(), { kind: "rollout.abort" }, T0 + MINUTE);
    expect(refusal(aborted, { kind: "rollout.abort", onBehalfOf: "r1" })).toMatch(
      /aborted, not in progress/,
    );
  });

  it("a release's start never rolls a service back toward a release behind the one serving", () => {
    // v2.0.0 then v3.0.0 promoted by hand: v3.0.0 serves, v2.0.0 served before.
    const promoteTo = (state: LedgerState, release: string, at: number) =>
      run(
        run(state, { kind: "rollout.start", origin: `https://${release}.example`, release }, at),
        { kind: "rollout.promote", full: true },
        at + MINUTE,
      );
    const v3 = promoteTo(promoteTo(live(), "v2.0.0", T0), "v3.0.0", T0 + 2 * MINUTE);
    expect(v3.config?.versions.stable?.release).toBe("v3.0.0");
    const starts = (command: Omit<RolloutStartCommand, "kind">) => {
      const result = decide(v3, { kind: "rollout.start", ...command }, T0 + 9 * MINUTE, {
        rolloutId: "r-next",
      });
      return result.ok ? "ok" : result.error.message;
    };
    const old = { origin: "https://v2.0.0.example", release: "v2.0.0" };
    // A pipeline's old release file run again: refused, nothing started.
    const rerun = decide(
      v3,
      { kind: "rollout.start", ...old, heldBy: { release: "r1" } },
      T0 + 9 * MINUTE,
      { rolloutId: "r-next" },
    );
    expect(rerun.ok).toBe(false);
    expect(!rerun.ok && rerun.error).toMatchObject({
      code: "stale_release",
      message:
        'service "shop": release "r1" would roll out v2.0.0 while v3.0.0 serves since revision 5, when rollout r-test promoted it',
    });
    // The same name at a fresh origin (an old tag deployed to new infrastructure) is behind too;
    // a newer release, or the one serving, starts.
    const moved = { origin: "https://fresh.example", release: "v2.0.0" };
    expect(starts({ ...moved, heldBy: { release: "r1" } })).toMatch(
      /would roll out v2.0.0 while v3.0.0 serves/,
    );
    for (const release of ["v4.0.0", "v3.0.0"])
      expect(
        starts({
          origin: "https://next.example",
          release,
          heldBy: { release: "r2" },
        }),
      ).toBe("ok");
    // A person's rollout start stays theirs to make, and so does a release started with --force.
    expect(starts(old)).toBe("ok");
    expect(starts({ ...old, heldBy: { release: "r1" }, force: true })).toBe("ok");
  });
});
