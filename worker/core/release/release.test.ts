// The release core, transition by transition: start, services starting on their conditions,
// held together, promoted one after another; any failure rolls back every service; abort.
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
  started,
  statuses,
  T0,
} from "../../../test/support/release-fixtures.ts";
import { claimReleaseTick, decideRelease } from "./release.ts";

const observe = (
  state: ReleaseState,
  rollouts: Record<string, ReturnType<typeof rollout> | null>,
) => decided(state, { kind: "observe", rollouts });

/** api held, web and worker started and running. */
function allStarted(): ReleaseState {
  let state = observe(apiRunning(), { api: held("r-api") }).state;
  state = settled(state, { kind: "start", service: "web" }, ok(rollout("r-web"))).state;
  return settled(state, { kind: "start", service: "worker" }, ok(rollout("r-worker"))).state;
}

function promoting(): ReleaseState {
  return observe(allStarted(), { api: held("r-api"), web: held("r-web"), worker: held("r-worker") })
    .state;
}

describe("a release starting", () => {
  it("starts the services without a condition at once, the others wait; the registry indexes it", () => {
    const start = started();
    expect(start.state.phase).toBe("running");
    expect(statuses(start.state)).toEqual({ api: "starting", web: "waiting", worker: "waiting" });
    expect(start.effects).toEqual([
      { kind: "index", active: true },
      {
        kind: "start",
        run: T0,
        service: "api",
        origin: "https://api-v2.internal.example",
        release: "v2",
      },
    ]);
    expect(start.events.map((e) => [e.type, e.author])).toEqual([["release.started", "ana"]]);
  });

  it("a confirmed start is followed by its rollout id; the dependants still wait", () => {
    const state = apiRunning();
    expect(state.services[0]).toMatchObject({ status: "running", rolloutId: "r-api" });
    expect(statuses(state)).toEqual({ api: "running", web: "waiting", worker: "waiting" });
    expect(state.reason).toBe(
      "api at step 1 of 2 (10%); web waits until api reached step 2; worker waits until api has passed its last step",
    );
  });
});

describe("start conditions", () => {
  it("a service waiting for a step starts when that step is reached, not before", () => {
    const atStep1 = observe(apiRunning(), { api: rollout("r-api") });
    expect(kinds(atStep1)).toEqual([]);
    const atStep2 = observe(apiRunning(), { api: rollout("r-api", { stepIndex: 1, weight: 50 }) });
    expect(kinds(atStep2)).toEqual(["start web"]);
    expect(statuses(atStep2.state)).toEqual({ api: "running", web: "starting", worker: "waiting" });
    const web = atStep2.state.services[1]!;
    expect(
      settled(atStep2.state, { kind: "start", service: "web" }, ok(rollout("r-web"))).events[0],
    ).toMatchObject({
      type: "release.serviceStarted",
      service: "web",
      rolloutId: "r-web",
      reason: "started when api reached step 2",
    });
    expect(web.note).toBe("started when api reached step 2");
  });

  it("a service waiting for another to pass starts when that one is held for the release", () => {
    const heldApi = observe(apiRunning(), { api: held("r-api") });
    expect(heldApi.events.map((e) => e.type)).toEqual(["release.serviceHeld"]);
    expect(kinds(heldApi)).toEqual(["start web", "start worker"]);
  });
});

describe("promotion together", () => {
  it("nothing is promoted while one service still runs", () => {
    const state = observe(allStarted(), {
      api: held("r-api"),
      web: held("r-web"),
      worker: rollout("r-worker"),
    });
    expect(state.state.phase).toBe("running");
    expect(kinds(state)).toEqual([]);
  });

  it("once every service passed, they are promoted one after another, then the release ends promoted", () => {
    const all = observe(allStarted(), {
      api: held("r-api"),
      web: held("r-web"),
      worker: held("r-worker"),
    });
    expect(all.state.phase).toBe("promoting");
    expect(kinds(all)).toEqual(["promote api"]);
    let state = all.state;
    for (const [service, next] of [
      ["api", "promote web"],
      ["web", "promote worker"],
    ] as const) {
      const step = settled(state, { kind: "promote", service }, ok());
      expect(kinds(step)).toEqual([next]);
      state = step.state;
    }
    const last = settled(state, { kind: "promote", service: "worker" }, ok());
    expect(last.state).toMatchObject({ phase: "promoted", endedAt: T0 + 1 });
    expect(statuses(last.state)).toEqual({ api: "promoted", web: "promoted", worker: "promoted" });
    expect(kinds(last)).toEqual(["index false"]);
    expect(last.events.map((e) => e.type)).toEqual(["release.servicePromoted", "release.promoted"]);
  });

  it("a promotion refused midway leaves the promoted one, aborts the rest: partially promoted", () => {
    let state = settled(promoting(), { kind: "promote", service: "api" }, ok()).state;
    const refused = settled(
      state,
      { kind: "promote", service: "web" },
      { ok: false, reason: "the rollout is rolled back, not in progress" },
    );
    expect(refused.state.phase).toBe("rollingBack");
    expect(kinds(refused)).toEqual(["abort worker"]);
    state = settled(refused.state, { kind: "abort", service: "worker" }, ok()).state;
    expect(state.phase).toBe("partiallyPromoted");
    expect(state.reason).toMatch(
      /web: promotion refused: .*; already promoted before it failed: api/,
    );
  });
});

describe("any failure rolls back every service", () => {
  it("the last service rolled back: the others are aborted, and the release ends rolled back", () => {
    const failed = observe(allStarted(), {
      api: held("r-api"),
      web: held("r-web"),
      worker: rollout("r-worker", {
        phase: "rolledBack",
        lastVerdict: {
          at: T0,
          outcome: "rollback",
          reason: "error rate 20.00% > 5.00%",
          candidate: null,
          baseline: null,
        },
      }),
    });
    expect(failed.state.phase).toBe("rollingBack");
    expect(kinds(failed)).toEqual(["abort api", "abort web"]);
    expect(failed.events.map((e) => e.type)).toEqual([
      "release.serviceHeld",
      "release.serviceFailed",
      "release.rollingBack",
    ]);
    let state = failed.state;
    state = settled(state, { kind: "abort", service: "api" }, ok()).state;
    expect(state.phase).toBe("rollingBack");
    const done = settled(
      state,
      { kind: "abort", service: "web" },
      { ok: false, reason: "the rollout is aborted, not in progress" },
    );
    expect(done.state.phase).toBe("rolledBack");
    expect(done.state.reason).toBe("worker rolled back: error rate 20.00% > 5.00%");
    expect(kinds(done)).toEqual(["index false"]);
  });

  it("a service still waiting never starts; an aborted or replaced rollout fails the release too", () => {
    const aborted = observe(apiRunning(), { api: rollout("r-api", { phase: "aborted" }) });
    expect(statuses(aborted.state)).toEqual({
      api: "stopped",
      web: "notStarted",
      worker: "notStarted",
    });
    expect(aborted.state.phase).toBe("rolledBack");
    const replaced = observe(apiRunning(), { api: rollout("r-other") });
    expect(replaced.state.reason).toMatch(/api: the rollout the release started is gone/);
  });

  it("a refused start rolls back the services already started", () => {
    const atStep2 = observe(apiRunning(), { api: rollout("r-api", { stepIndex: 1 }) }).state;
    const refused = settled(
      atStep2,
      { kind: "start", service: "web" },
      { ok: false, reason: "the rollout does not fit the service" },
    );
    expect(refused.state.phase).toBe("rollingBack");
    expect(kinds(refused)).toEqual(["abort api"]);
    expect(refused.state.reason).toBe("web: start refused: the rollout does not fit the service");
  });

  it("a start confirmed after the release began to stop is aborted too", () => {
    const atStep2 = observe(apiRunning(), { api: rollout("r-api", { stepIndex: 1 }) }).state;
    const stopping = decided(atStep2, { kind: "abort", author: "ana", reason: null }).state;
    expect(statuses(stopping).web).toBe("stopping");
    const late = settled(stopping, { kind: "start", service: "web" }, ok(rollout("r-web")));
    expect(kinds(late)).toEqual(["abort web"]);
  });
});

describe("abort by an operator", () => {
  it("aborts every started service, says who, and ends aborted", () => {
    const aborting = decided(apiRunning(), { kind: "abort", author: "ana", reason: "bad deploy" });
    expect(aborting.state).toMatchObject({
      phase: "aborting",
      reason: "aborted by ana: bad deploy",
    });
    expect(kinds(aborting)).toEqual(["abort api"]);
    const done = settled(aborting.state, { kind: "abort", service: "api" }, ok());
    expect(done.state.phase).toBe("aborted");
    expect(done.events.at(-1)).toMatchObject({
      type: "release.aborted",
      author: "release:checkout",
    });
  });

  it("is refused once the release is stopping or ended", () => {
    const aborting = decided(apiRunning(), { kind: "abort", author: "ana", reason: null }).state;
    const again = decideRelease(aborting, { kind: "abort", author: "ana", reason: null }, T0);
    expect(!again.ok && again.error).toMatchObject({
      code: "wrong_phase",
      message: 'release "checkout" is already aborting',
    });
    const ended = settled(aborting, { kind: "abort", service: "api" }, ok()).state;
    const late = decideRelease(ended, { kind: "abort", author: "ana", reason: null }, T0);
    expect(!late.ok && late.error.message).toBe('release "checkout" already ended: aborted');
  });
});

describe("ticks and settlements", () => {
  it("a tick is claimed once, reads the started services, and does nothing for an ended release", () => {
    const state = apiRunning();
    const plan = claimReleaseTick(state, T0 + 60_000);
    expect(plan).toMatchObject({ run: true, services: ["api"] });
    expect(plan.run && claimReleaseTick(plan.state, T0 + 60_000)).toEqual({
      run: false,
      why: "this tick was already applied",
    });
    const ended = decided(state, { kind: "observe", rollouts: { api: null } }).state;
    expect(claimReleaseTick(ended, T0 + 120_000)).toEqual({
      run: false,
      why: "the release rolledBack",
    });
  });

  it("a settlement from an earlier run of the same name changes nothing", () => {
    const state = started().state;
    const stale = decided(state, {
      kind: "settled",
      effect: { kind: "start", run: T0 - 1, service: "api" },
      outcome: ok(rollout("old")),
    });
    expect(stale.state).toEqual(state);
    expect(stale.events).toEqual([]);
  });
});
