// The release core at its edges: an abort while promotions are in flight, answers that arrive after
// the release began to stop, and services that leave their hold.
import { describe, expect, it } from "vitest";
import type { ReleaseState } from "../../../schemas/release-state.ts";
import {
  apiRunning,
  decided,
  held,
  kinds,
  ok,
  rollout,
  settled,
  statuses,
} from "../../../test/support/release-fixtures.ts";

const observe = (state: ReleaseState, rollouts: Record<string, ReturnType<typeof rollout>>) =>
  decided(state, { kind: "observe", rollouts });

function promoting(): ReleaseState {
  let state = observe(apiRunning(), { api: held("r-api") }).state;
  state = settled(state, { kind: "start", service: "web" }, ok(rollout("r-web"))).state;
  state = settled(state, { kind: "start", service: "worker" }, ok(rollout("r-worker"))).state;
  return observe(state, { api: held("r-api"), web: held("r-web"), worker: held("r-worker") }).state;
}

const abort = (state: ReleaseState) =>
  decided(state, { kind: "abort", author: "ana", reason: null });

describe("an abort while the release promotes", () => {
  it("lets the promotion in flight settle, aborts the held ones: partially promoted when it went through", () => {
    const aborting = abort(promoting());
    expect(statuses(aborting.state)).toEqual({
      api: "promoting",
      web: "stopping",
      worker: "stopping",
    });
    expect(kinds(aborting)).toEqual(["abort web", "abort worker"]);
    let state = settled(aborting.state, { kind: "abort", service: "web" }, ok()).state;
    state = settled(state, { kind: "abort", service: "worker" }, ok()).state;
    expect(state.phase).toBe("aborting");
    const done = settled(state, { kind: "promote", service: "api" }, ok());
    expect(done.state.phase).toBe("partiallyPromoted");
    expect(done.state.reason).toBe("aborted by ana; already promoted before it failed: api");
  });

  it("ends aborted when the promotion in flight was refused", () => {
    let state = abort(promoting()).state;
    state = settled(state, { kind: "abort", service: "web" }, ok()).state;
    state = settled(state, { kind: "abort", service: "worker" }, ok()).state;
    const refused = settled(
      state,
      { kind: "promote", service: "api" },
      { ok: false, reason: "gone" },
    );
    expect(refused.state.phase).toBe("aborted");
    expect(refused.events.map((e) => e.type)).toEqual(["release.aborted"]);
  });
});

describe("answers after the release began to stop", () => {
  it("a start refused while stopping: the service never started, and the release ends", () => {
    const atStep2 = observe(apiRunning(), { api: rollout("r-api", { stepIndex: 1 }) }).state;
    let state = abort(atStep2).state;
    state = settled(state, { kind: "abort", service: "api" }, ok()).state;
    expect(state.phase).toBe("aborting");
    const refused = settled(state, { kind: "start", service: "web" }, { ok: false, reason: "no" });
    expect(statuses(refused.state).web).toBe("stopping");
    const done = settled(
      refused.state,
      { kind: "abort", service: "web" },
      { ok: false, reason: "no rollout" },
    );
    expect(done.state.phase).toBe("aborted");
  });
});

describe("services leaving their hold", () => {
  it("a held service paused by its analysis is running again: nothing is promoted", () => {
    const heldApi = observe(apiRunning(), { api: held("r-api") }).state;
    const paused = observe(heldApi, {
      api: rollout("r-api", { phase: "paused", pausedBy: "analysis", stepIndex: 1 }),
    });
    expect(statuses(paused.state).api).toBe("running");
    expect(paused.state.phase).toBe("running");
  });

  it("a service found promoted counts as passed", () => {
    const state = observe(apiRunning(), { api: rollout("r-api", { phase: "promoted" }) }).state;
    expect(statuses(state)).toEqual({ api: "promoted", web: "starting", worker: "starting" });
  });
});
