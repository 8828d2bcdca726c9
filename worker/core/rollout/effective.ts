// What a rollout does to a service's config: the split while it runs, the config of record after
// it is promoted or rolled back, and which version is the baseline and which the candidate.
import type { RolloutState } from "../../../schemas/rollout-state.ts";
import type { Service } from "../../../schemas/service.ts";
import { candidateOf } from "./commands.ts";
import { isRamping } from "./ramp.ts";

function splitWith(config: Service, shares: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(config.versions).map((name) => [name, shares[name] ?? 0]));
}

/** The config the data plane serves while a rollout runs: the candidate at its step's weight. */
export function effectiveConfig(config: Service, state: RolloutState | null): Service {
  // A ramped rollback keeps the candidate at the share its ramp has reached.
  if (!state || (state.phase !== "progressing" && state.phase !== "paused" && !isRamping(state)))
    return config;
  return {
    ...config,
    split: splitWith(config, {
      [state.baseline]: 100 - state.weight,
      [state.candidate]: state.weight,
    }),
  };
}

/**
 * The config of record after a rollout ends. Promoted canary/linear: the baseline track takes the
 * candidate's origin and release at 100%, the candidate drops to 0% for the next rollout.
 * Promoted blue/green: the candidate colour becomes the baseline. Rolled back or aborted: the
 * baseline at 100%.
 */
export function concludedConfig(config: Service, state: RolloutState): Service {
  if (state.phase === "promoted") {
    if (state.strategy === "blueGreen") {
      return {
        ...config,
        baseline: state.candidate,
        split: splitWith(config, { [state.candidate]: 100 }),
      };
    }
    const candidate = config.versions[state.candidate]!;
    const baseline = config.versions[state.baseline]!;
    return {
      ...config,
      versions: {
        ...config.versions,
        [state.baseline]: { ...baseline, origin: candidate.origin, release: candidate.release },
      },
      split: splitWith(config, { [state.baseline]: 100 }),
    };
  }
  return { ...config, split: splitWith(config, { [state.baseline]: 100 }) };
}

/**
 * Which version is the baseline and which the candidate now: the rollout's while it runs (or
 * ramps back), the config of record's once it has ended. After a blue/green promotion the new
 * colour is the baseline and the old one the next candidate, as the config says.
 */
export function rolesOf(
  config: Service,
  state: RolloutState | null,
): { baseline: string; candidate: string | undefined } {
  if (state && (state.phase === "progressing" || state.phase === "paused" || isRamping(state)))
    return { baseline: state.baseline, candidate: state.candidate };
  return { baseline: config.baseline, candidate: candidateOf(config) };
}
