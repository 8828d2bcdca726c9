// Cross-field checks of how a rollout is judged: the statistical judge's needs, and the progress
// deadline. Written for raw input like the other cross-checks (schemas/cross-checks.ts).
// (Its own types, not cross-checks.ts's: that file calls this one, and imports must not circle.)

type Raw = Record<string, unknown>;

interface CrossIssue {
  path: (string | number)[];
  message: string;
}

const isRecord = (value: unknown): value is Raw =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Fields only the statistical judge reads, and the limits it needs. */
const STATISTICAL_ONLY = ["confidencePercent", "minErrorRateIncreasePercent"] as const;

function analysisIssues(analysis: Raw): CrossIssue[] {
  const path = (field: string) => ["rollout", "analysis", field];
  if (analysis.judge !== "statistical") {
    return STATISTICAL_ONLY.filter((field) => analysis[field] !== undefined).map((field) => ({
      path: path(field),
      message: `${field} is read by the statistical judge only: add judge: statistical, or remove it`,
    }));
  }
  const issues: CrossIssue[] = [];
  const minRequests = analysis.minRequests;
  if (typeof minRequests === "number" && minRequests < 10)
    issues.push({
      path: path("minRequests"),
      message: "the statistical judge needs at least 10 requests per version",
    });
  const ratio = analysis.maxLatencyRatio;
  if (typeof ratio === "number" && ratio < 1)
    issues.push({
      path: path("maxLatencyRatio"),
      message: "with judge: statistical this is a median ratio: below 1 fails a healthy candidate",
    });
  return issues;
}

/** Every judging problem of a service's rollout, paths relative to the service. */
export function judgingIssues(service: Raw): CrossIssue[] {
  const rollout = service.rollout;
  if (!isRecord(rollout)) return [];
  const issues = isRecord(rollout.analysis) ? analysisIssues(rollout.analysis) : [];
  if (
    isRecord(rollout.analysis) &&
    rollout.analysis.maxMirrorMismatchPercent !== undefined &&
    !isRecord(service.mirror)
  )
    issues.push({
      path: ["rollout", "analysis", "maxMirrorMismatchPercent"],
      message: "needs a mirror: whose version is the rollout's candidate",
    });
  if (rollout.onDeadline !== undefined && rollout.progressDeadline === undefined)
    issues.push({
      path: ["rollout", "onDeadline"],
      message: "onDeadline needs a progressDeadline (such as 30m)",
    });
  return issues;
}
