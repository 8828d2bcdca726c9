// Builds releases for the release core's plain-Node tests: a three-service file (api first; web
// when api reaches step 2; worker when api has passed), the services as they stand, and rollouts
// in any phase as a cron tick would read them.
import { ReleaseFile } from "../../schemas/release-file.ts";
import type { ReleaseEffect, ReleaseState } from "../../schemas/release-state.ts";
import type { RolloutState } from "../../schemas/rollout-state.ts";
import type { ServiceInput } from "../../schemas/service.ts";
import {
  decideRelease,
  type EffectOutcome,
  type ReleaseDecision,
  type ReleaseInput,
  type ServiceFacts,
  startRelease,
} from "../../worker/core/release/release.ts";
import { rolloutStateOf, shopWithRollout, T0 } from "./ledger-fixtures.ts";

export { T0 };

export const threeServices = (): ReleaseFile =>
  ReleaseFile.parse({
    name: "checkout",
    services: [
      { service: "api", origin: "https://api-v2.internal.example", release: "v2" },
      { service: "web", release: "v2", after: { service: "api", reached: 2 } },
      { service: "worker", release: "v2", after: { service: "api", passed: true } },
    ],
  });

const twoSteps = {
  strategy: "canary",
  steps: [
    { weight: 10, bake: "1m" },
    { weight: 50, bake: "1m" },
  ],
} as const;

export function factsOf(
  names: string[],
  overrides: Partial<ServiceInput> = {},
): Record<string, ServiceFacts> {
  return Object.fromEntries(
    names.map((name) => [
      name,
      {
        config: shopWithRollout({
          name,
          hosts: [`${name}.example.com`],
          rollout: twoSteps as never,
          ...overrides,
        }),
        rollout: null,
      },
    ]),
  );
}

export function started(file = threeServices(), now = T0): ReleaseDecision {
  const result = startRelease(null, file, factsOf(file.services.map((s) => s.service)), who, now);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

export const who = { author: "ana", reason: null };

export function decided(state: ReleaseState, input: ReleaseInput, now = T0 + 1): ReleaseDecision {
  const result = decideRelease(state, input, now);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

export function rollout(id: string, change: Partial<RolloutState> = {}): RolloutState {
  return rolloutStateOf({
    id,
    startedAt: T0,
    stepStartedAt: T0,
    heldBy: { release: "checkout" },
    ...change,
  });
}

export const held = (id: string) =>
  rollout(id, { phase: "paused", pausedBy: "release", stepIndex: 1, weight: 50 });

export function ok(rolloutState: RolloutState | null = null): EffectOutcome {
  return { ok: true, rollout: rolloutState };
}

/** Settles an effect of the state's run. */
export function settled(
  state: ReleaseState,
  effect: Omit<Extract<ReleaseEffect, { run: number }>, "run">,
  outcome: EffectOutcome,
): ReleaseDecision {
  return decided(state, {
    kind: "settled",
    effect: { ...effect, run: state.startedAt } as ReleaseEffect,
    outcome,
  });
}

/** The release with api started (rollout "r-api"). */
export function apiRunning(): ReleaseState {
  return settled(started().state, { kind: "start", service: "api" }, ok(rollout("r-api"))).state;
}

export const statuses = (state: ReleaseState) =>
  Object.fromEntries(state.services.map((s) => [s.service, s.status]));

export const kinds = (decision: ReleaseDecision) =>
  decision.effects.map((e) =>
    "service" in e ? `${e.kind} ${e.service}` : `${e.kind} ${e.active}`,
  );
