// Builds ledger states in every phase, by running the ledger itself where it can, for the
// ledger's plain-Node tests.
import type { Command } from "../../schemas/ledger.ts";
import type { RolloutState } from "../../schemas/rollout-state.ts";
import { Service, type ServiceInput } from "../../schemas/service.ts";
import type { WindowStats } from "../../schemas/stats.ts";
import { type CommandContext, decide } from "../../worker/core/ledger/ledger.ts";
import { emptyState, type LedgerState } from "../../worker/core/ledger/state.ts";
import { shopService } from "./fixtures.ts";

export const T0 = 1_800_000_000_000;
export const MINUTE = 60_000;

export function shopWithRollout(overrides: Partial<ServiceInput> = {}): Service {
  return Service.parse(
    shopService({
      split: { stable: 100, canary: 0 },
      rollout: {
        strategy: "canary",
        steps: [{ weight: 10, bake: "1m" }, { pause: true }, { weight: 50, bake: "1m" }],
        analysis: { minRequests: 10, maxErrorRatePercent: 5, failureLimit: 0 },
      },
      notify: [
        { url: "https://hooks.example.com/k", events: ["rollout.rolledBack", "rollout.promoted"] },
      ],
      ...overrides,
    }),
  );
}

/** Runs a command that must succeed; the new state. */
export function run(
  state: LedgerState,
  command: Command,
  now = T0,
  context: CommandContext = { rolloutId: "r-test" },
): LedgerState {
  const result = decide(state, command, now, context);
  if (!result.ok) throw new Error(`${command.kind} failed: ${result.error.message}`);
  return result.value.state;
}

export const live = (): LedgerState =>
  run(emptyState("shop"), { kind: "apply", config: shopWithRollout() });

export const progressing = (): LedgerState => run(live(), { kind: "rollout.start" });

function withRollout(state: LedgerState, change: Partial<RolloutState>): LedgerState {
  return { ...state, rollout: { ...state.rollout!, ...change } };
}

export const PHASES: Record<string, () => LedgerState> = {
  "no service": () => emptyState("shop"),
  "live, no rollout": live,
  progressing,
  "paused at a gate": () =>
    withRollout(progressing(), { phase: "paused", pausedBy: "gate", stepIndex: 1 }),
  "paused by an operator": () => run(progressing(), { kind: "rollout.pause" }),
  "paused by analysis": () => withRollout(progressing(), { phase: "paused", pausedBy: "analysis" }),
  promoted: () => run(progressing(), { kind: "rollout.promote", full: true }),
  "rolled back": () =>
    withRollout(run(progressing(), { kind: "rollout.abort" }), { phase: "rolledBack" }),
  aborted: () => run(progressing(), { kind: "rollout.abort" }),
  deleted: () => run(live(), { kind: "delete" }),
};

/** A step window's figures: `requests` with `errors` among them, every latency 50 ms. */
export function windowStats(requests: number, errors: number): WindowStats {
  return {
    requests,
    errors,
    noAnswer: 0,
    histogram: { "100": requests },
    from: 0,
    to: 0,
    errorRatePercent: requests ? (errors / requests) * 100 : null,
    p50: 50,
    p95: 50,
    p99: 50,
  };
}

/** The same window figures for candidate and baseline: `requests` at 50 ms, `errors` of them failed. */
export function windowsOf(requests: number, errors: number) {
  const w = windowStats(requests, errors);
  return { candidate: w, baseline: w };
}

/** A rollout's state as stored: a canary at step 1 of 2 (10 %), progressing, unless told otherwise. */
export function rolloutStateOf(over: Partial<RolloutState> = {}): RolloutState {
  return {
    id: "r",
    phase: "progressing",
    strategy: "canary",
    candidate: "canary",
    baseline: "stable",
    stepIndex: 0,
    stepCount: 2,
    weight: 10,
    startedAt: 0,
    stepStartedAt: 0,
    failures: 0,
    pausedBy: null,
    lastTickAt: 0,
    endedAt: null,
    lastVerdict: null,
    ...over,
  };
}
