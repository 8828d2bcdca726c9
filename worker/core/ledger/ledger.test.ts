// Every command from every phase: what the ledger accepts, and the tagged reason of each refusal.
import { describe, expect, it } from "vitest";
import type { Command } from "../../../schemas/ledger.ts";
import {
  MINUTE,
  PHASES,
  progressing,
  run,
  shopWithRollout,
  T0,
  windowsOf,
} from "../../../test/support/ledger-fixtures.ts";
import { acknowledge, decide } from "./ledger.ts";
import { emptyState } from "./state.ts";
import { claimTick, tick } from "./tick.ts";

const COMMANDS: Record<string, Command> = {
  apply: { kind: "apply", config: shopWithRollout({ split: { stable: 90, canary: 10 } }) },
  weights: { kind: "weights", split: { stable: 50, canary: 50 } },
  revert: { kind: "revert", to: 1 },
  delete: { kind: "delete" },
  start: { kind: "rollout.start" },
  promote: { kind: "rollout.promote" },
  "promote --full": { kind: "rollout.promote", full: true },
  pause: { kind: "rollout.pause" },
  resume: { kind: "rollout.resume" },
  abort: { kind: "rollout.abort" },
};

type Outcome = "ok" | "not_found" | "wrong_phase" | "invalid" | "stale_release";
const ENDED: Outcome[] = ["ok", "ok", "ok", "ok", "ok", ...Array<Outcome>(5).fill("wrong_phase")];
const ACTIVE_PAUSED: Outcome[] = [
  "ok",
  ...Array<Outcome>(4).fill("wrong_phase"),
  "wrong_phase",
  "ok",
  "wrong_phase",
  "ok",
  "ok",
];

// Columns in the order of COMMANDS.
const EXPECTED: Record<string, Outcome[]> = {
  "no service": ["ok", ...Array<Outcome>(9).fill("not_found")],
  "live, no rollout": ENDED,
  progressing: [
    "ok",
    ...Array<Outcome>(4).fill("wrong_phase"),
    "ok",
    "ok",
    "ok",
    "wrong_phase",
    "ok",
  ],
  "paused at a gate": [
    "ok",
    ...Array<Outcome>(4).fill("wrong_phase"),
    "ok",
    "ok",
    "wrong_phase",
    "wrong_phase",
    "ok",
  ],
  "paused by an operator": ACTIVE_PAUSED,
  "paused by analysis": ACTIVE_PAUSED,
  // The file names stable's old origin (v1): after the promotion moved v2 there, applying it
  // again would undo the promotion, so it is refused (apply --force overrides).
  promoted: ["stale_release", ...ENDED.slice(1)],
  "rolled back": ENDED,
  aborted: ENDED,
  deleted: ["ok", "not_found", "ok", ...Array<Outcome>(7).fill("not_found")],
};

describe("every command from every phase", () => {
  for (const [phase, build] of Object.entries(PHASES)) {
    it(`from "${phase}"`, () => {
      const state = build();
      const target =
        state.revision > 0 ? { number: 1, kind: "apply", config: shopWithRollout() } : undefined;
      const outcomes = Object.values(COMMANDS).map((command) => {
        const result = decide(state, command, T0 + MINUTE, { target, rolloutId: "r2" });
        return result.ok ? "ok" : result.error.code;
      });
      expect(Object.fromEntries(Object.keys(COMMANDS).map((k, i) => [k, outcomes[i]]))).toEqual(
        Object.fromEntries(Object.keys(COMMANDS).map((k, i) => [k, EXPECTED[phase]![i]])),
      );
    });
  }

  it("a cron tick runs only for a progressing rollout; in every other phase it is a no-op", () => {
    const ran = Object.entries(PHASES).flatMap(([phase, build]) => {
      const claim = claimTick(build(), T0 + MINUTE);
      expect(claim.effects).toEqual([]);
      return claim.reply.run ? [phase] : [];
    });
    expect(ran).toEqual(["progressing"]);
  });

  it("a refused command changes nothing and says why", () => {
    const state = progressing();
    const result = decide(state, COMMANDS.weights!, T0);
    expect(result).toEqual({
      ok: false,
      error: {
        code: "wrong_phase",
        message:
          'a rollout of "shop" is progressing: it controls the weights until it ends (a full promotion ends it now), or abort it first',
      },
    });
    // Pausing, which the words once suggested, does not free the weights.
    const paused = run(state, { kind: "rollout.pause" });
    const again = decide(paused, COMMANDS.weights!, T0);
    expect(!again.ok && again.error.message).toBe(
      'a rollout of "shop" is paused: it controls the weights until it ends (a full promotion ends it now), or abort it first',
    );
  });
});

describe("revisions and concurrency", () => {
  it("a stale base revision is a conflict; 0 is the base of a service that does not exist", () => {
    const state = run(emptyState("shop"), {
      kind: "apply",
      config: shopWithRollout(),
      baseRevision: 0,
    });
    const stale = decide(state, { ...COMMANDS.weights!, baseRevision: 0 } as Command, T0);
    expect(!stale.ok && stale.error).toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/is at revision 1, but the change was based on revision 0/),
    });
  });

  it("delete then apply of the same config creates the service again, after the tombstone", () => {
    const created = run(emptyState("shop"), { kind: "apply", config: shopWithRollout() });
    const deleted = decide(created, { kind: "delete", baseRevision: 1 }, T0);
    expect(deleted.ok && deleted.value.effects[0]).toEqual({
      kind: "publish",
      publication: { service: "shop", sequence: 2, config: null, rolloutActive: false },
    });
    const again = decide(
      deleted.ok ? deleted.value.state : created,
      { kind: "apply", config: shopWithRollout(), baseRevision: 0 },
      T0,
    );
    expect(again.ok && again.value.reply).toMatchObject({
      name: "shop",
      revision: 3,
      changed: true,
      plan: { outcome: "create", words: "would create shop serving v1" },
    });
    expect(again.ok && again.value.state.sequence).toBe(3);
  });

  it("applying the same config again stores nothing and publishes nothing", () => {
    const state = run(emptyState("shop"), { kind: "apply", config: shopWithRollout() });
    const again = decide(state, { kind: "apply", config: shopWithRollout() }, T0);
    expect(again.ok && again.value).toMatchObject({
      revisions: [],
      events: [],
      effects: [],
      reply: { changed: false },
    });
  });
});

describe("rollout effects", () => {
  it("start mints nothing itself: the id comes with the command", () => {
    const state = run(emptyState("shop"), { kind: "apply", config: shopWithRollout() });
    const started = decide(state, { kind: "rollout.start" }, T0, { rolloutId: "abc" });
    expect(started.ok && started.value.effects.map((e) => e.kind)).toEqual(["publish"]);
    expect(started.ok && started.value.state.rollout?.id).toBe("abc");
  });

  it("a start with a new origin and release records both in history", () => {
    const state = run(emptyState("shop"), { kind: "apply", config: shopWithRollout() });
    const started = decide(
      state,
      { kind: "rollout.start", release: "v3", origin: "http://canary-v3.internal" },
      T0,
      { rolloutId: "abc" },
    );
    expect(started.ok && started.value.events[0]).toMatchObject({
      type: "config.applied",
      reason: "rollout start: canary v3 → http://canary-v3.internal",
    });
  });

  it("a start with a new origin and no release drops the old release label: it is another build", () => {
    const state = run(emptyState("shop"), {
      kind: "apply",
      config: shopWithRollout({
        versions: {
          stable: { origin: "http://stable.internal", release: "v1" },
          canary: { origin: "http://canary.internal", release: "v2" },
        },
      }),
    });
    const moved = run(state, { kind: "rollout.start", origin: "http://canary-next.internal" });
    expect(moved.config!.versions.canary).toMatchObject({ origin: "http://canary-next.internal" });
    expect(moved.config!.versions.canary!.release).toBeUndefined();
    // The same origin again, or only a release: nothing else changes.
    const same = run(state, { kind: "rollout.start", origin: "http://canary.internal" });
    expect(same.config!.versions.canary).toMatchObject({ release: "v2" });
    const relabelled = run(state, { kind: "rollout.start", release: "v3" });
    expect(relabelled.config!.versions.canary).toMatchObject({
      origin: "http://canary.internal",
      release: "v3",
    });
  });

  it("the next start lifts the halt of the rollout that ended badly, by that rollout's id", () => {
    const aborted = run(progressing(), { kind: "rollout.abort" });
    const started = decide(aborted, { kind: "rollout.start" }, T0, { rolloutId: "next" });
    expect(started.ok && started.value.effects[0]).toEqual({
      kind: "resume",
      service: "shop",
      version: "canary",
      rolloutId: "r-test",
    });
    expect(started.ok && started.value.state.halt).toBeNull();
  });

  it("an abort publishes the baseline at 100% and halts the candidate at that publication's sequence", () => {
    const state = progressing();
    const aborted = decide(state, { kind: "rollout.abort", author: "ana" }, T0 + MINUTE);
    if (!aborted.ok) throw new Error(aborted.error.message);
    const [publish, halt, trace] = aborted.value.effects;
    expect(publish).toMatchObject({
      kind: "publish",
      publication: { sequence: state.sequence + 1, config: { split: { stable: 100, canary: 0 } } },
    });
    expect(halt).toEqual({
      kind: "halt",
      service: "shop",
      version: "canary",
      signal: { rolloutId: "r-test", sequence: state.sequence + 1 },
    });
    expect(trace).toMatchObject({ kind: "traceCandidate", version: "canary", incidentId: "1" });
    // nobody subscribed to rollout.aborted
    expect(aborted.value.effects.some((e) => e.kind === "notify")).toBe(false);
    expect(aborted.value.events[0]).toMatchObject({
      type: "rollout.aborted",
      author: "ana",
      detail: { kind: "rollout", phase: "aborted", rolloutId: "r-test" },
    });
    expect(aborted.value.state.halt).toMatchObject({
      sequence: state.sequence + 1,
      acknowledgedAt: null,
    });
    const acked = acknowledge(aborted.value.state, state.sequence + 1, T0 + 2 * MINUTE);
    expect(acked.halt?.acknowledgedAt).toBe(T0 + 2 * MINUTE);
  });

  it("an operator's final promotion is rollout.promoted with who, and says which release stable serves", () => {
    const promoted = decide(
      progressing(),
      { kind: "rollout.promote", full: true, author: "ana" },
      T0,
    );
    if (!promoted.ok) throw new Error(promoted.error.message);
    expect(promoted.value.events[0]).toMatchObject({
      type: "rollout.promoted",
      author: "ana",
      detail: {
        promotion: {
          track: "stable",
          release: "v2",
          origin: "http://canary.internal",
          from: "canary",
        },
      },
    });
    expect(promoted.value.effects.find((e) => e.kind === "notify")).toMatchObject({
      event: "rollout.promoted",
      targets: [{ url: "https://hooks.example.com/k", format: "json" }],
    });
  });

  it("an operator passing a gate is recorded as an advance by that operator", () => {
    const atGate = PHASES["paused at a gate"]!();
    const passed = decide(atGate, { kind: "rollout.promote", author: "ana" }, T0);
    expect(passed.ok && passed.value.events[0]).toMatchObject({
      type: "rollout.advanced",
      author: "ana",
    });
  });
});

describe("ticks", () => {
  const windows = windowsOf;

  it("a tick is claimed once: the same scheduled time again, or one before the step began, is a no-op", () => {
    const state = progressing();
    const claim = claimTick(state, T0 + MINUTE);
    expect(claim.reply).toMatchObject({
      run: true,
      queries: { candidate: { from: T0, to: T0 + MINUTE, routes: ["split", "experiment"] } },
    });
    expect(claimTick(claim.state, T0 + MINUTE).reply).toEqual({
      run: false,
      why: "this tick was already applied",
    });
    expect(claimTick(state, T0 - 1).reply).toEqual({
      run: false,
      why: "this tick was scheduled before the current step began",
    });
  });

  it("a failing window rolls back, publishes the baseline and halts the candidate", () => {
    const claimed = claimTick(progressing(), T0 + MINUTE).state;
    const decided = tick(claimed, windows(100, 50), [], T0 + MINUTE);
    expect(decided.reply).toMatchObject({ ticked: true, phase: "rolledBack" });
    expect(decided.effects.map((e) => e.kind)).toEqual([
      "publish",
      "halt",
      "notify",
      "traceCandidate",
    ]);
    expect(decided.events[0]).toMatchObject({ type: "rollout.rolledBack", author: "cron" });
  });

  it("a tick whose rollout changed while it read stats is dropped", () => {
    const claimed = claimTick(progressing(), T0 + MINUTE).state;
    const paused = run(claimed, { kind: "rollout.pause" });
    expect(tick(paused, windows(100, 0), [], T0 + MINUTE).reply).toEqual({
      ticked: false,
      why: "the rollout changed during the tick",
    });
  });
});

describe("the hint an operator gets", () => {
  it("with no rollout policy, says to add one rather than to start a rollout that cannot start", () => {
    const { rollout: _, ...noPolicy } = shopWithRollout();
    const live = run(emptyState("shop"), { kind: "apply", config: { ...noPolicy } });
    const refused = decide(live, { kind: "rollout.abort" }, T0);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.message).toContain("add rollout: to its config");
    const withPolicy = run(emptyState("shop"), { kind: "apply", config: shopWithRollout() });
    const told = decide(withPolicy, { kind: "rollout.abort" }, T0);
    expect(told.ok).toBe(false);
    if (!told.ok) expect(told.error.message).toContain("keystone rollout start shop");
  });
});
