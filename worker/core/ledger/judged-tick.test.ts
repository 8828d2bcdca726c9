import { describe, expect, it } from "vitest";
import { EventDetail } from "../../../schemas/history.ts";
import type { WindowStats } from "../../../schemas/stats.ts";
import { MINUTE, run, shopWithRollout, T0 } from "../../../test/support/ledger-fixtures.ts";
import { addLatency } from "../metrics/histogram.ts";
import { summarize } from "../metrics/window-stats.ts";
import { emptyState } from "./state.ts";
import { claimTick, tick } from "./tick.ts";

function window(requests: number, errors: number): WindowStats {
  const histogram = {};
  for (let i = 0; i < requests; i++) addLatency(histogram, 80 + (i % 40));
  return summarize({ requests, errors, noAnswer: 0, histogram }, 0, 0);
}

function startedWith(analysis: Record<string, unknown>) {
  const config = shopWithRollout({
    rollout: { strategy: "canary", steps: [{ weight: 10, bake: "5m" }], analysis },
    mirror: { version: "canary", percent: 10 },
  } as never);
  const live = run(emptyState("shop"), { kind: "apply", config });
  return run(live, { kind: "rollout.start" });
}

describe("a tick keeps how it judged the window", () => {
  it("a rollback's history event and notification carry the statistical judge's verdict whole", () => {
    const claimed = claimTick(
      startedWith({ judge: "statistical", failureLimit: 0 }),
      T0 + MINUTE,
    ).state;
    const decided = tick(
      claimed,
      { candidate: window(2000, 80), baseline: window(18_000, 180) },
      [],
      T0 + MINUTE,
    );
    expect(decided.reply).toMatchObject({ phase: "rolledBack" });
    const detail = EventDetail.parse(decided.events[0]?.detail);
    const judgement = detail.kind === "rollout" ? detail.verdict?.judgement : undefined;
    expect(judgement?.judge).toBe("statistical");
    expect(judgement?.statistical?.checks[0]).toMatchObject({
      check: "errorRate",
      outcome: "fail",
      candidateRatePercent: 4,
      baselineRatePercent: 1,
    });
    expect(decided.events[0]?.reason).toMatch(/^error rate 4\.0 % vs 1\.0 % baseline/);
    const notify = decided.effects.find((e) => e.kind === "notify");
    expect(notify?.kind === "notify" && notify.detail).toEqual(detail);
  });

  it("a hold keeps the threshold judge's checks in the rollout's last verdict", () => {
    const claimed = claimTick(startedWith({ minRequests: 100 }), T0 + MINUTE).state;
    const decided = tick(
      claimed,
      { candidate: window(40, 0), baseline: window(400, 0) },
      [],
      T0 + MINUTE,
    );
    expect(decided.events).toEqual([]);
    expect(decided.state.rollout?.lastVerdict?.judgement?.thresholds[0]).toMatchObject({
      check: "minRequests",
      outcome: "inconclusive",
      value: 40,
      limit: 100,
    });
  });

  it("reads the candidate's mirrored comparisons only when the analysis limits them", () => {
    const plain = claimTick(startedWith({}), T0 + MINUTE).reply;
    expect(plain.run && plain.queries.mirror).toBeUndefined();
    const limited = claimTick(startedWith({ maxMirrorMismatchPercent: 1 }), T0 + MINUTE).reply;
    expect(limited.run && limited.queries.mirror).toEqual({ from: T0, to: T0 + MINUTE });
  });
});
