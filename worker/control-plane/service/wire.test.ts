// The stored shapes as the API sends them, built on the time codec: every time field of the shape
// becomes ISO-8601 (none left behind as a number), a tick time of 0 is null, and a stored state
// that no longer fits its shape is refused on the way out instead of sent half-converted.
import { describe, expect, it } from "vitest";
import { RolloutStateWire } from "../../../schemas/api-responses.ts";
import type { RolloutState } from "../../../schemas/rollout-state.ts";
import { rolloutWire, verdictsWire } from "./wire.ts";

const T0 = Date.UTC(2026, 11, 6, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

function stored(overrides: Partial<RolloutState> = {}): RolloutState {
  return {
    id: "r1",
    phase: "progressing",
    strategy: "canary",
    candidate: "canary",
    baseline: "stable",
    stepIndex: 1,
    stepCount: 3,
    weight: 30,
    startedAt: T0,
    stepStartedAt: T0 + 60_000,
    failures: 0,
    pausedBy: null,
    lastTickAt: 0,
    endedAt: null,
    lastVerdict: {
      outcome: "advance",
      reason: "healthy",
      candidate: null,
      baseline: null,
      at: T0 + 60_000,
    },
    ...overrides,
  } as RolloutState;
}

describe("rolloutWire", () => {
  it("sends every time as ISO-8601, the verdict's too; a tick time of 0 (never ticked) as null", () => {
    const wire = rolloutWire(stored({ deadlineNotifiedAt: T0 + 120_000 }));
    expect(wire).toMatchObject({
      startedAt: iso(T0),
      stepStartedAt: iso(T0 + 60_000),
      lastTickAt: null,
      endedAt: null,
      deadlineNotifiedAt: iso(T0 + 120_000),
      lastVerdict: { at: iso(T0 + 60_000) },
    });
    expect(wire).not.toHaveProperty("noTrafficNotifiedAt");
    // What the CLI checks every answer against.
    expect(RolloutStateWire.parse(wire)).toEqual(wire);
  });

  it("sends a tick time and an end as ISO-8601", () => {
    const wire = rolloutWire(stored({ lastTickAt: T0 + 90_000, endedAt: T0 + 95_000 }));
    expect(wire.lastTickAt).toBe(iso(T0 + 90_000));
    expect(wire.endedAt).toBe(iso(T0 + 95_000));
  });

  it("refuses a stored state whose time is not a number, naming the field", () => {
    const broken = stored({ stepStartedAt: "yesterday" as unknown as number });
    expect(() => rolloutWire(broken)).toThrow(/stepStartedAt/);
  });
});

describe("verdictsWire", () => {
  it("sends each verdict's time as ISO-8601", () => {
    const entry = {
      rolloutId: "r1",
      candidate: "canary",
      baseline: "stable",
      phase: "progressing" as const,
      step: 2,
      weight: 30,
      verdict: stored().lastVerdict!,
    };
    const wire = verdictsWire("shop", "threshold", [entry]);
    expect(wire.verdicts[0]!.verdict.at).toBe(iso(T0 + 60_000));
  });
});
