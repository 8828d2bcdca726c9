// What an apply of a config file's service does, decided from the service's state alone (pure):
// the file names the release it wants served (or, as before releases could be named, what each
// track serves), and the ledger takes the service there under its policy. The release already
// serving or being rolled out changes nothing; a new one starts the policy's first step (or
// switches at once without a policy, or with --now); one behind what serves is refused.
import type { ReleaseRef } from "../../../schemas/apply-plan.ts";
import type { ApplyCommand } from "../../../schemas/ledger.ts";
import { problemsOf } from "../../../schemas/problems.ts";
import { fail, ok, type Result } from "../../../schemas/result.ts";
import { endedBadly, isActive, type RolloutState } from "../../../schemas/rollout-state.ts";
import { Service } from "../../../schemas/service.ts";
import {
  keptTracksOf,
  resolveSpec,
  type ServiceSpec,
  servingOfRelease,
  type TrackServing,
} from "../../../schemas/service-spec.ts";
import { isRamping } from "../rollout/ramp.ts";
import { rampRefusal } from "./config-changes.ts";
import { prepareRollout } from "./rollout-changes.ts";
import {
  behind,
  labelOf,
  leftBehind,
  overtakenOf,
  refOf,
  rollingRef,
  sameRef,
  sameRelease,
  servedSince,
  servingRef,
} from "./serving.ts";
import type { LedgerState } from "./state.ts";

export type Outcome =
  | "create"
  | "pending"
  | "keep"
  | "rollout"
  | "switch"
  | "supersede"
  | "release"
  | "held";

/** What the apply will do: the config of record to store, and what happens to rollouts. */
export interface Planned {
  outcome: Outcome;
  /** The config of record after the apply (the candidate already on the new release); null: none yet. */
  resolved: Service | null;
  desired: ReleaseRef | null;
  serving: ReleaseRef | null;
  rolling: ReleaseRef | null;
  /** The running rollout ends first, for this reason (a newer release supersedes it). */
  end?: string;
  /** Whether a rollout under the policy starts (toward `desired`). */
  start?: boolean;
  /**
   * The release this apply goes past before it served (the superseded rollout's, or the last
   * rolled-back one's): remembered, so that its pipeline run again is refused.
   */
  overtakes?: ReleaseRef;
  /** Why a switch is instant: "no rollout policy" or "--now". */
  instantBecause?: string;
  /** The rolled-back rollout a held release came from. */
  heldAfter?: RolloutState;
}

/** The release a spec serves after the apply when it gives its tracks origins: its baseline's. */
function explicitServing(config: Service): ReleaseRef {
  return refOf(config.versions[config.baseline]!);
}

/** A refusal of a file behind what serves: names both releases and the ways out. */
function behindRefusal(state: LedgerState, what: string, fixes: string[]): Result<never> {
  return fail("stale_release", `service "${state.name}": ${what}`, [
    ...fixes.map((fix) => ({ path: "fix", message: fix })),
    {
      path: "fix",
      message: "apply --force to serve what the file says anyway (recorded in history)",
    },
  ]);
}

/** Where the running rollout stands, for a refusal's words. */
const rolloutPlace = (rollout: RolloutState) =>
  `step ${rollout.stepIndex + 1} of ${rollout.stepCount}`;

/** Today's rule, kept: a rollout needs its two tracks and its strategy while it runs. */
function keepsRollout(state: LedgerState, config: Service): Result<void> {
  const rollout = state.rollout;
  if (
    isRamping(rollout) &&
    (!config.versions[rollout.candidate] || !config.versions[rollout.baseline])
  )
    return rampRefusal(state.name);
  if (
    isActive(rollout) &&
    (!config.versions[rollout.candidate] ||
      !config.versions[rollout.baseline] ||
      config.rollout?.strategy !== rollout.strategy)
  )
    return fail(
      "wrong_phase",
      `a ${rollout.strategy} rollout of "${rollout.candidate}" is in progress: keep versions ${rollout.baseline} and ${rollout.candidate} and its rollout policy, or abort it first`,
    );
  return ok(undefined);
}

/**
 * A spec that gives its release tracks origins says what each serves: stored as it is, unless
 * that would take the baseline back to a release behind the one serving (undoing a promotion or
 * a blue/green switch) or change a running rollout's tracks.
 */
function planExplicit(state: LedgerState, spec: ServiceSpec, force: boolean): Result<Planned> {
  const parsed = Service.safeParse(spec);
  if (!parsed.success)
    return fail("invalid", `service "${spec.name}" does not fit`, problemsOf(parsed.error));
  const resolved = parsed.data;
  const current = state.config;
  const serving = servingRef(current);
  const rolling = rollingRef(current, state.rollout);
  const desired = explicitServing(resolved);
  const planned = { resolved, desired, serving, rolling };
  if (!current || !serving) return ok({ outcome: "create", ...planned });
  const kept = keepsRollout(state, resolved);
  if (!kept.ok) return kept;
  const rollout = state.rollout;
  if (isActive(rollout) && !force) {
    for (const track of [rollout.baseline, rollout.candidate]) {
      const was = refOf(current.versions[track]!);
      const is = refOf(resolved.versions[track]!);
      if (!sameRef(was, is))
        return behindRefusal(
          state,
          `would change what ${track} serves from ${labelOf(was)} to ${labelOf(is)} while a rollout toward ${labelOf(rolling!)} runs (${rolloutPlace(rollout)})`,
          [
            `keep versions.${track} as it serves now (origin ${was.origin}${was.name ? `, release ${was.name}` : ""})`,
            `or name the release instead of the track origins: release: { name, origin }`,
          ],
        );
    }
  }
  if (sameRef(desired, serving)) return ok({ outcome: "keep", ...planned });
  if (!force && behind(desired, serving, leftBehind(state)))
    return behindRefusal(
      state,
      `would serve ${labelOf(desired)} (on ${resolved.baseline}) while ${labelOf(serving)} serves${servedSince(state)}`,
      [
        `set versions.${current.baseline} to what serves now (origin ${serving.origin}${serving.name ? `, release ${serving.name}` : ""}${resolved.baseline !== current.baseline ? `, baseline: ${current.baseline}` : ""})`,
        "or name the release instead of the track origins: release: { name, origin }",
      ],
    );
  return ok({ outcome: "switch", ...planned, instantBecause: "the file sets the track's origin" });
}

/**
 * The plan of an apply. A refusal is `stale_release` (the file is behind what serves; `force`
 * overrides), `wrong_phase` (a ramp or a release owns the service now) or `invalid`.
 */
export function planApply(
  state: LedgerState,
  command: ApplyCommand,
  /**
   * The file names no release: the one the last deploy named is carried over (specToStore).
   * Nothing the file says is then behind what serves: what serves keeps serving, whatever a
   * rollback on purpose (rollout start with an older origin) or a running rollout made of it.
   */
  carried = false,
): Result<Planned> {
  const spec = command.config;
  const force = command.force === true;
  if (keptTracksOf(spec).length === 0) return planExplicit(state, spec, force);
  const current = state.config;
  const rollout = state.rollout;
  const serving = servingRef(current);
  const rolling = rollingRef(current, rollout);
  const desired = spec.release ? refOf(servingOfRelease(spec.release)) : null;
  const wanted: TrackServing | null = spec.release ? servingOfRelease(spec.release) : null;
  const resolve = (toward: TrackServing | null, on: readonly string[]) =>
    resolveAgainst(spec, current, toward, on);
  const base = { desired, serving, rolling };
  if (!current || !serving) {
    // A new service of a file that leaves releases to deploys waits for its first deploy: the
    // file's other services are applied meanwhile.
    if (!wanted) return ok({ outcome: "pending", resolved: null, ...base });
    const created = resolve(wanted, []);
    return created.ok ? ok({ outcome: "create", resolved: created.value, ...base }) : created;
  }
  const kept = resolve(null, []);
  if (!kept.ok) return kept;
  const keepsIt = keepsRollout(state, kept.value);
  if (!keepsIt.ok) return keepsIt;
  const keep = ok<Planned>({ outcome: "keep", resolved: kept.value, ...base });
  const past = leftBehind(state);
  if (!desired || !wanted) return keep;
  if (isRamping(rollout)) {
    const failed = refOf(current.versions[rollout.candidate]!);
    return sameRef(desired, serving) || sameRelease(desired, failed)
      ? keep
      : rampRefusal(state.name);
  }
  if (isActive(rollout)) {
    if (sameRef(desired, rolling)) return keep;
    const release = rollout.heldBy?.release;
    if (release)
      return fail(
        "wrong_phase",
        `service "${state.name}": release "${release}" is rolling it out to ${labelOf(rolling!)}: let it end, or keystone release abort ${release}`,
      );
    if (
      !force &&
      (sameRef(desired, serving) ||
        behind(desired, rolling!, past) ||
        behind(desired, serving, past))
    ) {
      if (carried) return keep;
      return behindRefusal(
        state,
        `would end the rollout toward ${labelOf(rolling!)} (${rolloutPlace(rollout)}) to serve ${labelOf(desired)}, which is behind it (${labelOf(serving)} serves the rest)`,
        [
          `name ${labelOf(rolling!)} in the file (release: { name: ${rolling!.name ?? "…"}, origin: ${rolling!.origin} })`,
          `or end the rollout: keystone rollout abort ${state.name}`,
        ],
      );
    }
    if (sameRef(desired, serving))
      return ok({
        ...base,
        outcome: "supersede",
        resolved: kept.value,
        end: `ended by apply --force: the file names ${labelOf(desired)}`,
      });
    // The same release at another origin (rebuilt, moved) ends the rollout without leaving its
    // name behind: that name is what goes on.
    const superseded = sameRelease(desired, rolling!)
      ? { ...base, end: `superseded by ${labelOf(desired)} at ${desired.origin}` }
      : { ...base, end: `superseded by ${labelOf(desired)}`, overtakes: rolling! };
    return toward(command, current, superseded, wanted);
  }
  if (sameRef(desired, serving)) return keep;
  const failed = endedBadly(rollout) ? refOf(current.versions[rollout!.candidate]!) : null;
  // A rolled-back release is its name too: rebuilt at another origin it is still the one that failed.
  if (failed && sameRelease(desired, failed) && !force)
    return ok({ ...base, outcome: "held", resolved: kept.value, heldAfter: rollout! });
  if (carried && !force && behind(desired, serving, past)) return keep;
  const overtaken =
    force || sameRelease(desired, serving)
      ? undefined
      : overtakenOf(state).find((o) => sameRelease(desired, o));
  if (overtaken)
    return behindRefusal(
      state,
      `would go back to ${labelOf(desired)}, which ${labelOf(overtaken.by)} replaced before it served (revision ${overtaken.revision}); ${labelOf(serving)} serves${servedSince(state)}`,
      [
        `name ${labelOf(serving)} in the file (release: { name: ${serving.name ?? "…"}, origin: ${serving.origin} }), or a newer release`,
        "or roll back on purpose: keystone rollout start with the older origin",
      ],
    );
  if (!force && behind(desired, serving, past))
    return behindRefusal(
      state,
      `would serve ${labelOf(desired)} while ${labelOf(serving)} serves${servedSince(state)}`,
      [
        `name ${labelOf(serving)} in the file (release: { name: ${serving.name ?? "…"}, origin: ${serving.origin} })`,
        "or roll back on purpose: keystone revert, or keystone rollout start with the older origin",
      ],
    );
  // A rolled-back release the service now goes past is one its pipeline may not bring back.
  const left =
    failed && !sameRelease(failed, desired) && !sameRelease(failed, serving) ? failed : null;
  return toward(command, current, left ? { ...base, overtakes: left } : base, wanted);
}

/**
 * The spec against what serves now: its kept tracks serve what they serve (`toward` instead on
 * the tracks `on`, for a switch); a track the service did not have serves what the baseline does.
 */
function resolveAgainst(
  spec: ServiceSpec,
  current: Service | null,
  toward: TrackServing | null,
  on: readonly string[],
): Result<Service> {
  if (!current) return resolveSpec(spec, null, toward);
  const versions = { ...current.versions };
  for (const name of on) if (toward) versions[name] = { ...versions[name]!, ...toward };
  const baseline = current.versions[current.baseline];
  return resolveSpec(spec, { versions, baseline: current.baseline }, toward ?? baseline ?? null);
}

/** Toward a new release: a rollout under the policy, the file's release, or a switch at once. */
function toward(
  command: ApplyCommand,
  current: Service,
  base: Pick<Planned, "desired" | "serving" | "rolling" | "end" | "overtakes">,
  wanted: TrackServing,
): Result<Planned> {
  const spec = command.config;
  const resolve = (to: TrackServing | null, on: readonly string[]) =>
    resolveAgainst(spec, current, to, on);
  const policy = spec.rollout;
  const instantBecause = !policy ? "no rollout policy" : command.instant ? "--now" : undefined;
  if (instantBecause) {
    const switched = resolve(wanted, keptTracksOf(spec));
    if (!switched.ok) return switched;
    return ok({
      ...base,
      outcome: base.end ? "supersede" : "switch",
      resolved: switched.value,
      instantBecause,
    });
  }
  const kept = resolve(null, []);
  if (!kept.ok) return kept;
  // Together, a running rollout the file's release supersedes ends, and the service joins the
  // release with the others: never a rollout of its own that promotes without them.
  if (command.together) return ok({ ...base, outcome: "release", resolved: kept.value });
  const prepared = prepareRollout(kept.value, {
    kind: "rollout.start",
    origin: wanted.origin,
    release: wanted.release,
    strategy: command.strategy,
  });
  if (!prepared.ok) return prepared;
  return ok({
    ...base,
    outcome: base.end ? "supersede" : "rollout",
    resolved: prepared.value,
    start: true,
  });
}
