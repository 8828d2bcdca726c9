// Which tracks of a service serve its release (the baseline and the rollout's candidate), the
// tracks a spec may leave out, and the problems of tracks that say too much or too little.
// Written for raw input, like cross-checks.ts, so every problem is reported at once.

/** A problem at a path of the service (the shape cross-checks.ts reports). */
interface CrossIssue {
  path: (string | number)[];
  message: string;
}

type Raw = Record<string, unknown>;

const isRecord = (value: unknown): value is Raw =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The tracks a spec gets when it names a release but no versions: two, named by strategy. */
function defaultTracks(strategy: unknown): { names: [string, string]; baseline: string } {
  return strategy === "blueGreen"
    ? { names: ["blue", "green"], baseline: "blue" }
    : { names: ["stable", "canary"], baseline: "stable" };
}

/**
 * The spec with what it may leave out filled in: without versions, two tracks (stable and canary,
 * or blue and green) that serve the release, the first the baseline; without a split (when the
 * tracks are the defaults, or the service names its release), the baseline at 100 %.
 */
export function withTrackDefaults(
  service: unknown,
  emptyTrack: () => unknown = () => ({}),
): unknown {
  if (!isRecord(service)) return service;
  const rollout = isRecord(service.rollout) ? service.rollout : {};
  const named = isRecord(service.release);
  let filled: Raw = service;
  if (service.versions === undefined) {
    const tracks = defaultTracks(rollout.strategy);
    filled = {
      ...filled,
      versions: Object.fromEntries(tracks.names.map((name) => [name, emptyTrack()])),
      baseline: filled.baseline ?? tracks.baseline,
    };
  }
  if (
    filled.split === undefined &&
    (named || service.versions === undefined) &&
    typeof filled.baseline === "string" &&
    isRecord(filled.versions)
  ) {
    const baseline = filled.baseline;
    filled = {
      ...filled,
      split: Object.fromEntries(
        Object.keys(filled.versions).map((name) => [name, name === baseline ? 100 : 0]),
      ),
    };
  }
  return filled;
}

/**
 * The tracks that serve the service's release: blue and green for blue/green; otherwise the
 * baseline and the candidate (named in the policy, or the only other track).
 */
export function releaseTracksOf(service: unknown): string[] {
  if (!isRecord(service) || !isRecord(service.versions)) return [];
  const names = Object.keys(service.versions);
  const rollout = isRecord(service.rollout) ? service.rollout : {};
  if (rollout.strategy === "blueGreen") return ["blue", "green"].filter((n) => names.includes(n));
  const baseline = typeof service.baseline === "string" ? service.baseline : undefined;
  const candidate =
    typeof rollout.candidate === "string"
      ? rollout.candidate
      : names.length === 2
        ? names.find((n) => n !== baseline)
        : undefined;
  return [baseline, candidate].filter(
    (n, i, all): n is string => n !== undefined && names.includes(n) && all.indexOf(n) === i,
  );
}

/** Whether a track names its own origin. */
const hasOrigin = (track: unknown) => isRecord(track) && track.origin !== undefined;

/**
 * A spec's track problems: required fields it may not leave out, release tracks that name an
 * origin beside `release:`, other tracks without one, and release tracks half with origins.
 */
export function specTrackIssues(service: unknown): CrossIssue[] {
  if (!isRecord(service)) return [];
  const named = isRecord(service.release);
  const issues: CrossIssue[] = [];
  if (isRecord(service.versions) && service.baseline === undefined)
    issues.push({ path: ["baseline"], message: "required field is missing" });
  if (isRecord(service.versions) && service.split === undefined && !named)
    issues.push({
      path: ["split"],
      message:
        "required field is missing, unless the service names its release (the baseline then gets 100)",
    });
  const filled = withTrackDefaults(service);
  if (!isRecord(filled) || !isRecord(filled.versions)) return issues;
  const versions = filled.versions;
  const tracks = releaseTracksOf(filled);
  for (const [name, track] of Object.entries(versions)) {
    if (tracks.includes(name)) continue;
    if (!hasOrigin(track))
      issues.push({
        path: ["versions", name, "origin"],
        message: `required: only the release tracks (${tracks.join(", ") || "none"}) take the service's release`,
      });
  }
  const withOrigin = tracks.filter((name) => hasOrigin(versions[name]));
  if (named) {
    for (const name of tracks) {
      const track = versions[name];
      for (const field of ["origin", "release"])
        if (isRecord(track) && track[field] !== undefined)
          issues.push({
            path: ["versions", name, field],
            message: `${name} serves the service's release (release.${field === "release" ? "name" : "origin"}): leave ${field} out here`,
          });
    }
  } else if (withOrigin.length > 0 && withOrigin.length < tracks.length) {
    const without = tracks.find((name) => !withOrigin.includes(name))!;
    issues.push({
      path: ["versions", without, "origin"],
      message: `give every release track (${tracks.join(", ")}) an origin, or none (they then serve the release Keystone keeps; name it with release: { name, origin })`,
    });
  }
  return issues;
}
