// Any sequence of commands, ticks and acknowledgements keeps the ledger's invariants: published
// weights sum to 100, sequences strictly rise, a rolled-back candidate gets no traffic until an
// operator deliberately gives it some, and history only grows.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Command, Effect, Publication } from "../../../schemas/ledger.ts";
import { endedBadly } from "../../../schemas/rollout-state.ts";
import { BUCKETS, percentToBuckets } from "../../../schemas/split.ts";
import { MINUTE, shopWithRollout, T0 } from "../../../test/support/ledger-fixtures.ts";
import { acknowledge, decide } from "./ledger.ts";
import { emptyState, type LedgerState, type StoredRevision } from "./state.ts";
import { claimTick, tick } from "./tick.ts";

type Step =
  | { do: "command"; command: Command }
  | { do: "tick"; requests: number; errorPercent: number; p95: number; gateFails: boolean }
  | { do: "ack"; back: number }
  | { do: "wait"; ms: number };

const configs = [
  shopWithRollout(),
  shopWithRollout({ split: { stable: 70, canary: 30 } }),
  shopWithRollout({
    rollout: { strategy: "linear", stepPercent: 40, bake: "1m", analysis: { minRequests: 5 } },
  }),
  shopWithRollout({ rollout: undefined }),
];

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant("apply" as const), config: fc.constantFrom(...configs) }),
  fc
    .integer({ min: 0, max: 100 })
    .map((w): Command => ({ kind: "weights", split: { stable: 100 - w, canary: w } })),
  fc.integer({ min: 1, max: 6 }).map((to): Command => ({ kind: "revert", to })),
  fc.constant<Command>({ kind: "delete" }),
  fc.constant<Command>({ kind: "rollout.start" }),
  fc.boolean().map((full): Command => ({ kind: "rollout.promote", full })),
  fc.constant<Command>({ kind: "rollout.pause" }),
  fc.constant<Command>({ kind: "rollout.resume" }),
  fc.constant<Command>({ kind: "rollout.abort" }),
);

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: command.map((c): Step => ({ do: "command", command: c })), weight: 6 },
  {
    arbitrary: fc.record({
      do: fc.constant("tick" as const),
      requests: fc.integer({ min: 0, max: 400 }),
      errorPercent: fc.integer({ min: 0, max: 30 }),
      p95: fc.integer({ min: 5, max: 3000 }),
      gateFails: fc.boolean(),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ do: fc.constant("ack" as const), back: fc.integer({ min: 0, max: 3 }) }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      do: fc.constant("wait" as const),
      ms: fc.integer({ min: 0, max: 3 * MINUTE }),
    }),
    weight: 1,
  },
);

function windowOf(requests: number, errorPercent: number, p95: number) {
  const errors = Math.round((requests * errorPercent) / 100);
  return {
    requests,
    errors,
    noAnswer: 0,
    histogram: {},
    from: 0,
    to: 0,
    errorRatePercent: requests ? (errors / requests) * 100 : null,
    p50: p95,
    p95,
    p99: p95,
  };
}

/** Runs the steps like a service object would, checking the invariants after each decision. */
function replay(steps: Step[]): void {
  let state: LedgerState = emptyState("shop");
  let now = T0;
  const revisions = new Map<number, StoredRevision>();
  const history: unknown[] = [];
  let lastSequence = 0;
  /** The candidate of a rollout that ended badly, until an operator routes traffic deliberately. */
  let haltedCandidate: string | null = null;

  const take = (
    next: LedgerState,
    effects: Effect[],
    events: unknown[],
    made: StoredRevision[],
    deliberate: boolean,
  ) => {
    const before = history.length;
    history.push(...events);
    expect(history.length).toBe(before + events.length);
    for (const revision of made) {
      expect(revision.number).toBe(Math.max(0, ...revisions.keys()) + 1);
      revisions.set(revision.number, revision);
    }
    expect(next.revision).toBeGreaterThanOrEqual(state.revision);
    if (deliberate) haltedCandidate = null;
    if (endedBadly(next.rollout) && !endedBadly(state.rollout))
      haltedCandidate = next.rollout!.candidate;
    for (const effect of effects) {
      if (effect.kind !== "publish") continue;
      checkPublication(effect.publication, lastSequence, haltedCandidate);
      lastSequence = effect.publication.sequence;
    }
    expect(next.sequence).toBe(lastSequence);
    state = next;
  };

  for (const s of steps) {
    now += MINUTE / 4;
    if (s.do === "wait") now += s.ms;
    else if (s.do === "ack") state = acknowledge(state, Math.max(0, state.sequence - s.back), now);
    else if (s.do === "command") {
      const context = {
        target: s.command.kind === "revert" ? revisions.get(s.command.to) : undefined,
        rolloutId: `r${now}`,
      };
      const result = decide(state, s.command, now, context);
      if (!result.ok) continue; // a refusal changes nothing: state is kept as it was
      const deliberate = ["apply", "weights", "revert", "rollout.start"].includes(s.command.kind);
      take(
        result.value.state,
        result.value.effects,
        result.value.events,
        result.value.revisions,
        deliberate,
      );
    } else {
      const claim = claimTick(state, now);
      take(claim.state, claim.effects, claim.events, claim.revisions, false);
      if (!claim.reply.run) continue;
      const w = windowOf(s.requests, s.errorPercent, s.p95);
      const decided = tick(
        claim.state,
        { candidate: w, baseline: windowOf(400, 0, 50) },
        s.gateFails ? ["gate failed"] : [],
        now,
      );
      take(decided.state, decided.effects, decided.events, decided.revisions, false);
    }
  }
}

function checkPublication(
  publication: Publication,
  lastSequence: number,
  halted: string | null,
): void {
  expect(publication.sequence).toBeGreaterThan(lastSequence);
  if (!publication.config) return;
  const total = Object.values(publication.config.split).reduce(
    (sum, p) => sum + percentToBuckets(p),
    0,
  );
  expect(total).toBe(BUCKETS);
  if (halted !== null) expect(publication.config.split[halted] ?? 0).toBe(0);
}

describe("the ledger's invariants", () => {
  it("hold for any sequence of commands, ticks and acknowledgements", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 10, maxLength: 80, size: "max" }), (steps) =>
        replay(steps),
      ),
      { numRuns: 300 },
    );
  });
});
