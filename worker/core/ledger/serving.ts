// Which release serves a service, kept by the ledger beside its config: the baseline track's
// release, since which revision and how it got there, the releases that served before it, and
// those a newer release overtook before they served. A config file naming one of those (or a
// lower semver) is behind what serves.
import semver from "semver";
import type {
  OvertakenRelease,
  ReleaseRef,
  ServedHow,
  ServingState,
} from "../../../schemas/apply-plan.ts";
import { isActive, type RolloutState } from "../../../schemas/rollout-state.ts";
import type { Service } from "../../../schemas/service.ts";
import type { TrackServing } from "../../../schemas/service-spec.ts";
import type { LedgerState } from "./state.ts";

/** How many releases that served before (and how many overtaken) are remembered. */
const PAST_KEPT = 20;

export const refOf = (track: TrackServing): ReleaseRef => ({
  name: track.release ?? null,
  origin: track.origin,
});

/** The same release: same name (or both unnamed) and same origin. */
export function sameRef(a: ReleaseRef | null, b: ReleaseRef | null): boolean {
  return a !== null && b !== null && a.name === b.name && a.origin === b.origin;
}

/**
 * Whether `a` is the release `b`, wherever it runs: a named release by its name (the same name at
 * another origin is that release moved or rebuilt, and a name that served before or was overtaken
 * stays behind at a new origin: a pipeline re-running an old tag's deploy to fresh infrastructure
 * goes back all the same); an unnamed one by its origin.
 */
export function sameRelease(a: ReleaseRef, b: ReleaseRef): boolean {
  return a.name !== null ? a.name === b.name : sameRef(a, b);
}

/** How a release is named to people: its name, else its origin. */
export const labelOf = (ref: ReleaseRef) => ref.name ?? ref.origin;

/** What the baseline track serves. */
export function servingRef(config: Service | null): ReleaseRef | null {
  const track = config?.versions[config.baseline];
  return track ? refOf(track) : null;
}

/** What a running rollout is taking the service to: its candidate track's release. */
export function rollingRef(
  config: Service | null,
  rollout: RolloutState | null,
): ReleaseRef | null {
  const track = isActive(rollout) ? config?.versions[rollout.candidate] : undefined;
  return track ? refOf(track) : null;
}

/** The serving state; for a service stored before it was kept, read from its config. */
export function servingStateOf(state: LedgerState): ServingState | null {
  if (state.serving) return state.serving;
  const ref = servingRef(state.config);
  if (!ref) return null;
  const current = { ...ref, revision: state.revision, how: "applied" as const, rolloutId: null };
  return { current: { ...current, at: 0 }, past: [] };
}

/** The releases a newer one overtook before they served, newest first. */
export function overtakenOf(state: LedgerState): readonly OvertakenRelease[] {
  return servingStateOf(state)?.overtaken ?? [];
}

/** Every release a file may not go back to without --force: served before, or overtaken. */
export function leftBehind(state: LedgerState): readonly ReleaseRef[] {
  return [...(servingStateOf(state)?.past ?? []), ...overtakenOf(state)];
}

/**
 * The state with `left` remembered as overtaken by `by` at `revision`: the pipeline of an older
 * build run again (a re-run job, a late one) is refused instead of rolling the service toward it.
 * `by` itself is forgotten as overtaken: going to it is what this apply does.
 */
export function recordOvertaken(
  state: LedgerState,
  left: ReleaseRef,
  by: ReleaseRef,
  revision: number,
): LedgerState {
  const serving = servingStateOf(state);
  if (!serving) return state;
  const kept = overtakenOf(state).filter((o) => !sameRef(o, left) && !sameRef(o, by));
  const entry = { name: left.name, origin: left.origin, by, revision };
  return {
    ...state,
    serving: { ...serving, overtaken: [entry, ...kept].slice(0, PAST_KEPT) },
  };
}

/**
 * Whether `ref` is behind `than`: it served before or was overtaken (in `past`; a named release by
 * its name, at any origin), or both names are semantic versions (a leading "v" allowed) and it is
 * the lower one.
 */
export function behind(ref: ReleaseRef, than: ReleaseRef, past: readonly ReleaseRef[]): boolean {
  if (sameRelease(ref, than)) return false;
  if (past.some((p) => sameRelease(ref, p))) return true;
  const mine = ref.name === null ? null : semver.valid(ref.name);
  const theirs = than.name === null ? null : semver.valid(than.name);
  return mine !== null && theirs !== null && semver.lt(mine, theirs);
}

/**
 * The state after a decision, its serving state brought up to date: when the baseline now serves
 * another release, that one serves since this revision and the one before joins the past.
 */
export function recordServing(
  before: LedgerState,
  after: LedgerState,
  how: ServedHow,
  rolloutId: string | null,
  now: number,
): LedgerState {
  const is = servingRef(after.config);
  if (!is) return { ...after, serving: null };
  const previous = servingStateOf(before);
  if (previous && sameRef(previous.current, is)) return { ...after, serving: previous };
  const was: ReleaseRef[] = previous
    ? [{ name: previous.current.name, origin: previous.current.origin }, ...previous.past]
    : [];
  const past = was.filter(
    (ref, i) => !sameRef(ref, is) && was.findIndex((r) => sameRef(r, ref)) === i,
  );
  // A release forced back into service is no longer one that never served.
  const overtaken = previous?.overtaken?.filter((o) => !sameRelease(o, is));
  return {
    ...after,
    serving: {
      current: {
        ...is,
        revision: after.revision,
        how: before.config ? how : "created",
        rolloutId,
        at: now,
      },
      past: past.slice(0, PAST_KEPT),
      ...(overtaken?.length ? { overtaken } : {}),
    },
  };
}

/** " since revision 7, when rollout 3f2c1a0b promoted it" */
export function servedSince(state: LedgerState): string {
  const current = servingStateOf(state)?.current;
  if (!current || current.revision === 0) return "";
  const how =
    current.how === "promoted" && current.rolloutId
      ? `rollout ${current.rolloutId.slice(0, 8)} promoted it`
      : `it was ${current.how}`;
  return ` since revision ${current.revision}, when ${how}`;
}
