// Incidents as the ledger builds them: a rollback names the failed check with its numbers and
// keeps a timeline of the rollout's steps; an abort names who aborted; the notification carries
// the incident and a trace of the candidate's last request follows.
import { describe, expect, it } from "vitest";
import type { Incident } from "../../../schemas/incident.ts";
import { live, MINUTE, T0, windowStats } from "../../../test/support/ledger-fixtures.ts";
import type { WindowStats } from "../metrics/window-stats.ts";
import { decide } from "./ledger.ts";
import type { Decision, LedgerState } from "./state.ts";
import { claimTick, tick } from "./tick.ts";

const window = windowStats;

/** What the service object does between decisions: keep the running rollout's events. */
function stored(decision: Decision<unknown>, at: number): LedgerState {
  const events = decision.events.map((event) => ({ ...event, at }));
  const state = decision.state;
  return { ...state, rolloutEvents: [...(state.rolloutEvents ?? []), ...events] };
}

function command(
  state: LedgerState,
  kind: "rollout.start" | "rollout.promote" | "rollout.abort",
  at: number,
  author = "ana",
  rolloutId = "r-1",
) {
  const result = decide(state, { kind, author }, at, { rolloutId });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function tickAt(state: LedgerState, at: number, candidate: WindowStats) {
  const claimed = claimTick(state, at).state;
  return tick(claimed, { candidate, baseline: window(500, 0) }, [], at);
}

/** Started, passed step 1 to the gate, promoted past it by ana: running step 3 at 50%. */
function atStepThree(): LedgerState {
  let state = stored(command(live(), "rollout.start", T0), T0);
  state = stored(tickAt(state, T0 + 2 * MINUTE, window(40, 0)), T0 + 2 * MINUTE);
  return stored(command(state, "rollout.promote", T0 + 3 * MINUTE), T0 + 3 * MINUTE);
}

describe("the incident of a rolled-back rollout", () => {
  const decision = tickAt(atStepThree(), T0 + 4 * MINUTE, window(200, 50));
  const incident = decision.incident as Incident;

  it("names the failed check with its measured value and threshold", () => {
    expect(decision.state.rollout?.phase).toBe("rolledBack");
    expect(incident).toMatchObject({
      id: "1",
      service: "shop",
      rolloutId: "r-1",
      outcome: "rolledBack",
      release: "v2",
      step: 3,
      stepCount: 3,
      weight: 50,
      at: T0 + 4 * MINUTE,
      actor: { kind: "analysis", name: "cron" },
    });
    expect(incident.failedChecks).toEqual([
      {
        check: "errorRate",
        measured: 25,
        threshold: 5,
        passed: false,
        baseline: expect.any(Number),
      },
    ]);
    expect(incident.summary).toBe(
      "shop: rollout of canary v2 rolled back at step 3 of 3 (50%): error rate 25.00% > 5.00%",
    );
    expect(decision.state.incidentCount).toBe(1);
  });

  it("names the release the rollout started with, whatever the candidate's track holds at the end", () => {
    const running = atStepThree();
    const config = running.config!;
    const moved = {
      ...running,
      config: {
        ...config,
        versions: { ...config.versions, canary: { ...config.versions.canary!, release: "v3" } },
      },
    };
    const ended = tickAt(moved, T0 + 4 * MINUTE, window(200, 50)).incident as Incident;
    expect(running.rollout?.release).toBe("v2");
    expect(ended.release).toBe("v2");
  });

  it("keeps a timeline: start, each step with its window figures, who passed the gate, the decision", () => {
    // Each moment with the weight after it and, once the rollout runs, the weight it was decided at.
    expect(incident.timeline.map((m) => [m.event, m.step, m.fromWeight, m.weight, m.by])).toEqual([
      ["rollout.started", 1, undefined, 10, "ana"],
      ["rollout.paused", 2, 10, 10, "cron"],
      ["rollout.advanced", 3, 10, 50, "ana"],
      ["rollout.rolledBack", 3, 50, 0, "cron"],
    ]);
    const [, gate, , end] = incident.timeline;
    expect(gate?.candidate).toMatchObject({ requests: 40, errorRatePercent: 0 });
    expect(end?.candidate).toMatchObject({ requests: 200, errorRatePercent: 25 });
    expect(end?.failedChecks).toEqual(incident.failedChecks);
    expect(end?.what).toBe("rolled back");
    expect(end?.reason).toMatch(/^error rate 25\.00% > 5\.00%/);
  });

  it("goes with the rollout.rolledBack notification, and a trace of the candidate's last request follows", () => {
    const kinds = decision.effects.map((e) => e.kind);
    expect(kinds).toEqual(["publish", "halt", "notify", "traceCandidate"]);
    const notify = decision.effects.find((e) => e.kind === "notify");
    expect(notify).toMatchObject({ event: "rollout.rolledBack", incident: { id: "1" } });
    expect(decision.effects.at(-1)).toEqual({
      kind: "traceCandidate",
      service: "shop",
      version: "canary",
      rolloutId: "r-1",
      incidentId: "1",
      from: T0,
    });
  });
});

describe("the incident of an aborted rollout", () => {
  it("names who aborted and why; the next one gets the next number", () => {
    const first = tickAt(atStepThree(), T0 + 4 * MINUTE, window(200, 50));
    const again = stored(
      command(first.state, "rollout.start", T0 + 5 * MINUTE, "ana", "r-2"),
      T0 + 5 * MINUTE,
    );
    const result = decide(
      again,
      { kind: "rollout.abort", author: "bo", reason: "wrong build" },
      T0 + 6 * MINUTE,
    );
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.incident).toMatchObject({
      id: "2",
      outcome: "aborted",
      actor: { kind: "operator", name: "bo" },
      reason: "wrong build",
      failedChecks: [],
      summary: "shop: rollout of canary v2 aborted by bo at step 1 of 3 (10%): wrong build",
    });
    expect(result.value.incident?.timeline.map((m) => m.event)).toEqual([
      "rollout.started",
      "rollout.aborted",
    ]);
  });

  it("a promotion or a pause records no incident", () => {
    const promoted = decide(
      atStepThree(),
      { kind: "rollout.promote", full: true },
      T0 + 4 * MINUTE,
    );
    expect(promoted.ok && promoted.value.incident).toBeUndefined();
    const paused = decide(atStepThree(), { kind: "rollout.pause" }, T0 + 4 * MINUTE);
    expect(paused.ok && paused.value.incident).toBeUndefined();
  });
});
