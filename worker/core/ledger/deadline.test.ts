import { describe, expect, it } from "vitest";
import type { WindowStats } from "../../../schemas/stats.ts";
import { MINUTE, run, shopWithRollout, T0 } from "../../../test/support/ledger-fixtures.ts";
import { summarize } from "../metrics/window-stats.ts";
import { deadlineTick } from "./deadline.ts";
import { emptyState, type LedgerState } from "./state.ts";
import { claimTick, tick } from "./tick.ts";

const thin: WindowStats = summarize(
  { requests: 3, errors: 0, noAnswer: 0, histogram: { "100": 3 } },
  0,
  0,
);

function rolloutWith(extra: Record<string, unknown>, steps?: unknown[]): LedgerState {
  const config = shopWithRollout({
    rollout: {
      strategy: "canary",
      steps: steps ?? [{ weight: 10, bake: "1m" }, { pause: true }, { weight: 50, bake: "1m" }],
      analysis: { minRequests: 100 },
      progressDeadline: "30m",
      ...extra,
    },
    notify: [
      {
        url: "https://hooks.example.com/k",
        events: ["rollout.deadlineExceeded", "rollout.aborted"],
      },
    ],
  } as never);
  return run(run(emptyState("shop"), { kind: "apply", config }), { kind: "rollout.start" });
}

/** A cron tick at `at` with too few requests to judge: the step holds. */
function heldTick(state: LedgerState, at: number): LedgerState {
  const claimed = claimTick(state, at).state;
  return tick(claimed, { candidate: thin, baseline: thin }, [], at).state;
}

describe("the progress deadline", () => {
  it("aborts a rollout held inconclusive past it, with the reason in history and a notification", () => {
    const held = heldTick(rolloutWith({}), T0 + 29 * MINUTE);
    expect(deadlineTick(held, T0 + 29 * MINUTE)).toBeUndefined();
    const later = heldTick(held, T0 + 30 * MINUTE);
    const decided = deadlineTick(later, T0 + 30 * MINUTE);
    expect(decided?.reply).toEqual({ ticked: true, phase: "aborted", outcome: "deadline" });
    expect(decided?.state.rollout).toMatchObject({ phase: "aborted", weight: 0 });
    expect(decided?.events.map((e) => e.type)).toEqual([
      "rollout.deadlineExceeded",
      "rollout.aborted",
    ]);
    expect(decided?.events[0]?.reason).toBe(
      "progress deadline 30m passed: 30m in step 1 of 3 at 10%, held: only 3 of 100 requests needed to judge in this step's window: holding",
    );
    expect(decided?.events[0]?.detail).toMatchObject({
      kind: "rollout",
      phase: "aborted",
      deadline: { progressDeadline: "30m", waitedMs: 30 * MINUTE, action: "abort" },
    });
    expect(decided?.effects.map((e) => e.kind)).toEqual([
      "publish",
      "halt",
      "notify",
      "traceCandidate",
      "notify",
    ]);
    expect(deadlineTick(decided!.state, T0 + 31 * MINUTE)).toBeUndefined();
    // A verdict that says it held (a metric's) is quoted as it reads, not "held: held by".
    const byMetric = {
      ...later,
      rollout: {
        ...later.rollout!,
        lastVerdict: { ...later.rollout!.lastVerdict!, reason: "held by metric queue: no data" },
      },
    };
    expect(deadlineTick(byMetric, T0 + 30 * MINUTE)?.events[0]?.reason).toBe(
      "progress deadline 30m passed: 30m in step 1 of 3 at 10%, held by metric queue: no data",
    );
  });

  it("with onDeadline: notify, tells once per step and keeps the rollout waiting", () => {
    const held = heldTick(rolloutWith({ onDeadline: "notify" }), T0 + 30 * MINUTE);
    const told = deadlineTick(held, T0 + 30 * MINUTE)!;
    expect(told.state.rollout).toMatchObject({
      phase: "progressing",
      deadlineNotifiedAt: T0 + 30 * MINUTE,
    });
    expect(told.events.map((e) => e.type)).toEqual(["rollout.deadlineExceeded"]);
    const notify = told.effects.filter((e) => e.kind === "notify");
    expect(notify).toHaveLength(1);
    expect(notify[0]?.kind === "notify" && notify[0].text).toMatch(
      /^shop: rollout\.deadlineExceeded — progress deadline 30m passed: 30m in step 1/,
    );
    expect(told.effects.some((e) => e.kind === "publish")).toBe(false);
    const again = heldTick(told.state, T0 + 45 * MINUTE);
    expect(deadlineTick(again, T0 + 45 * MINUTE)).toBeUndefined();
  });

  it("a deadline given in seconds reads in seconds: the time waited is never rounded to 0m", () => {
    const held = heldTick(rolloutWith({ progressDeadline: "20s" }), T0 + 45_513);
    const decided = deadlineTick(held, T0 + 45_513);
    expect(decided?.events[0]?.reason).toMatch(/^progress deadline 20s passed: 45s in step 1 of 3/);
    expect(decided?.events[0]?.detail).toMatchObject({
      deadline: { progressDeadline: "20s", waitedMs: 45_513 },
    });
  });

  it("counts a pause gate from when the rollout reached it", () => {
    const started = rolloutWith({}, [{ weight: 10, bake: "1m" }, { pause: true }]);
    const at = T0 + 20 * MINUTE;
    const claimed = claimTick(started, at).state;
    const full = summarize(
      { requests: 500, errors: 0, noAnswer: 0, histogram: { "100": 500 } },
      0,
      0,
    );
    const gated = tick(claimed, { candidate: full, baseline: full }, [], at).state;
    expect(gated.rollout).toMatchObject({ phase: "paused", pausedBy: "gate" });
    expect(deadlineTick(gated, T0 + 40 * MINUTE)).toBeUndefined();
    const decided = deadlineTick(gated, at + 30 * MINUTE);
    expect(decided?.events[0]?.reason).toBe(
      "progress deadline 30m passed: 30m in step 2 of 2 at 10%, waiting at a pause gate for keystone rollout promote",
    );
    expect(decided?.state.rollout?.phase).toBe("aborted");
  });

  it("an operator's pause holds the step too; a rollout without a deadline is never touched", () => {
    const paused = run(rolloutWith({}), { kind: "rollout.pause" });
    expect(deadlineTick(paused, T0 + 30 * MINUTE)?.events[0]?.detail).toMatchObject({
      deadline: { stuck: "paused by an operator" },
    });
    const plain = run(run(emptyState("shop"), { kind: "apply", config: shopWithRollout() }), {
      kind: "rollout.start",
    });
    expect(deadlineTick(plain, T0 + 24 * 60 * MINUTE)).toBeUndefined();
  });
});
