// A service as the config file writes it (its spec): the service's fields, and optionally the
// release it wants served. Its release tracks (the baseline and the rollout's candidate) may
// leave their origin out: they serve the release Keystone keeps, which the ledger merges in
// (resolveSpec) to make the service the data plane serves. docs/config.md says why.
import * as z from "zod";
import { specCrossIssues } from "./cross-checks.ts";
import { problemsOf } from "./problems.ts";
import { releaseTracksOf, withTrackDefaults } from "./release-tracks.ts";
import { fail, ok, type Result } from "./result.ts";
import { Service, ServiceFields, TrackName, Version } from "./service.ts";
import { Split } from "./split.ts";
import { HeaderValue, OriginUrl } from "./wire-values.ts";

/** The release a service wants served: its name (sent as x-keystone-release) and its origin. */
export const DesiredRelease = z.strictObject({ name: HeaderValue, origin: OriginUrl });

/** A track of a spec: a release track may leave its origin out. */
const SpecVersion = Version.extend({ origin: OriginUrl.optional() });

const SpecFields = ServiceFields.extend({
  release: DesiredRelease.optional(),
  versions: z.record(TrackName, SpecVersion).optional(),
  baseline: z.string().optional(),
  split: Split.optional(),
});

type SpecFields = z.output<typeof SpecFields>;
export type DesiredRelease = z.infer<typeof DesiredRelease>;
export type SpecVersion = z.infer<typeof SpecVersion>;

/** A spec with what it may leave out filled in (tracks, baseline, split). */
export type ServiceSpec = Omit<SpecFields, "versions" | "baseline" | "split"> & {
  versions: Record<string, SpecVersion>;
  baseline: string;
  split: Split;
};

export const ServiceSpec = SpecFields.superRefine((spec, ctx) => {
  for (const issue of specCrossIssues(spec))
    ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
}).transform((spec) => withTrackDefaults(spec, () => SpecVersion.parse({})) as ServiceSpec);

/** What a track serves: an origin and the release label sent with it. */
export interface TrackServing {
  origin: string;
  release?: string | undefined;
}

/** The release a desired release names, as a track serves it. */
export const servingOfRelease = (release: DesiredRelease): TrackServing => ({
  origin: release.origin,
  release: release.name,
});

/**
 * The tracks of a spec that take the release Keystone keeps: its release tracks, when the spec
 * names a release or leaves their origins out. Empty for a spec that gives them origins (the
 * file then says what each track serves, as before releases could be named).
 */
export function keptTracksOf(spec: ServiceSpec): string[] {
  const tracks = releaseTracksOf(spec);
  if (spec.release) return tracks;
  return tracks.every((name) => spec.versions[name]?.origin === undefined) ? tracks : [];
}

/**
 * The service the data plane serves for a spec. Each kept track serves what `serving` gives it
 * (the ledger's state), else `fallback` (the release to serve when nothing serves yet); a
 * blue/green service keeps the colour that serves as its baseline (its split follows). Every
 * other field is the spec's.
 */
export function resolveSpec(
  spec: ServiceSpec,
  serving: { versions: Record<string, TrackServing>; baseline: string } | null,
  fallback: TrackServing | null,
): Result<Service> {
  const { release: _, ...fields } = spec;
  const kept = keptTracksOf(spec);
  const versions: Record<string, unknown> = { ...fields.versions };
  for (const name of kept) {
    const from = serving?.versions[name] ?? fallback;
    if (!from)
      return fail(
        "invalid",
        `service "${spec.name}" names no release to serve: add release: { name, origin } to it (or apply --release)`,
        [{ path: "release", message: "required for a service that does not serve one yet" }],
      );
    versions[name] = { ...fields.versions[name], origin: from.origin, release: from.release };
  }
  const colours = spec.rollout?.strategy === "blueGreen" && kept.length > 0;
  const baseline =
    colours && serving && kept.includes(serving.baseline) ? serving.baseline : spec.baseline;
  const flipped = baseline !== spec.baseline;
  const split = flipped
    ? {
        ...spec.split,
        [baseline]: spec.split[spec.baseline] ?? 0,
        [spec.baseline]: spec.split[baseline] ?? 0,
      }
    : spec.split;
  // After a flip the colour a policy names as candidate may be the one serving: let it follow.
  const rollout =
    spec.rollout && flipped ? { ...spec.rollout, candidate: undefined } : spec.rollout;
  const parsed = Service.safeParse({ ...fields, versions, baseline, split, rollout });
  return parsed.success
    ? ok(parsed.data)
    : fail("invalid", `service "${spec.name}" does not resolve`, problemsOf(parsed.error));
}

/** A placeholder for a release not known offline: checking a file needs some origin. */
const UNKNOWN_RELEASE: TrackServing = { origin: "https://release.invalid" };

/** The service a spec would serve with no state yet (offline checks, tests, benchmarks). */
export function offlineService(spec: ServiceSpec): Service {
  const resolved = resolveSpec(
    spec,
    null,
    spec.release ? servingOfRelease(spec.release) : UNKNOWN_RELEASE,
  );
  if (!resolved.ok) throw new Error(resolved.error.message);
  return resolved.value;
}

/**
 * The spec with `release` as its desired release: its release tracks leave their origin and
 * release label to it (a file or a pipeline setting one service's release).
 */
export function withRelease(spec: ServiceSpec, release: DesiredRelease): ServiceSpec {
  const tracks = releaseTracksOf(spec);
  const versions = Object.fromEntries(
    Object.entries(spec.versions).map(([name, track]) => {
      if (!tracks.includes(name)) return [name, track];
      const { origin: _, release: __, ...rest } = track;
      return [name, rest];
    }),
  );
  return { ...spec, release, versions };
}
