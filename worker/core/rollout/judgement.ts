// Judges a step's window with the judge the policy names: the threshold checks, or the
// statistical judge with the threshold limits that still apply beside it, plus the mirrored
// responses' mismatch limit. Every figure is kept, with a sentence for each check.
import type { CheckOutcome, JudgeSettings } from "../../../schemas/judge.ts";
import { JudgeSettings as JudgeSettingsSchema } from "../../../schemas/judge.ts";
import type { Judgement, ThresholdCheck } from "../../../schemas/judgement.ts";
import type { MirrorCounts } from "../../../schemas/mirror.ts";
import type { Analysis } from "../../../schemas/rollout.ts";
import { judgeWindow } from "../judge/judge.ts";
import { count, percent } from "../judge/words.ts";
import type { WindowStats } from "../metrics/window-stats.ts";
import { type AnalysisResult, analyzeFigures } from "./analysis.ts";
import { overSoFar, type ThresholdFigure, thresholdFigures } from "./threshold-checks.ts";
import { thresholdSentence } from "./threshold-words.ts";

export interface StepWindows {
  candidate: WindowStats;
  baseline: WindowStats;
  /** The candidate's mirrored comparisons over the window (when the analysis limits them). */
  mirror?: MirrorCounts | undefined;
}

const DEFAULTS = JudgeSettingsSchema.parse({ judge: "statistical" });

/** The statistical judge's settings as a rollout's analysis gives them. */
export function judgeSettingsOf(analysis: Analysis): JudgeSettings {
  return {
    judge: "statistical",
    confidencePercent: analysis.confidencePercent ?? DEFAULTS.confidencePercent,
    minErrorRateIncreasePercent:
      analysis.minErrorRateIncreasePercent ?? DEFAULTS.minErrorRateIncreasePercent,
    maxLatencyRatio: analysis.maxLatencyRatio ?? DEFAULTS.maxLatencyRatio,
    minRequests: Math.max(analysis.minRequests, 10),
  };
}

function thresholdCheck(
  figure: ThresholdFigure,
  windows: StepWindows,
  outcome: CheckOutcome,
): ThresholdCheck {
  return {
    check: figure.check,
    outcome,
    value: figure.value,
    limit: figure.limit,
    sentence: thresholdSentence(figure, windows.candidate, windows.baseline, outcome),
  };
}

/** The mismatch check, judged once the window holds minRequests comparisons. */
function mirrorCheck(limit: number, counts: MirrorCounts, minRequests: number): ThresholdCheck {
  const { compared, mismatched } = counts;
  const share = compared === 0 ? null : (100 * mismatched) / compared;
  const outcome: CheckOutcome =
    compared < minRequests ? "inconclusive" : share! > limit ? "fail" : "pass";
  const sentence =
    outcome === "inconclusive"
      ? `only ${count(compared)} mirrored responses compared of ${count(minRequests)} needed → inconclusive`
      : `mirrored responses differing ${percent(share!)} (${count(mismatched)} of ${count(compared)} compared), limit ${percent(limit)} → ${outcome}`;
  return { check: "mirrorMismatch", outcome, value: share, limit, sentence };
}

function combine(outcomes: CheckOutcome[]): CheckOutcome {
  if (outcomes.includes("fail")) return "fail";
  return outcomes.every((outcome) => outcome === "pass") ? "pass" : "inconclusive";
}

/** The window's judgement, and the result the tick decides on (reasons worded briefly). */
export function judgeStep(
  analysis: Analysis,
  windows: StepWindows,
): { judgement: Judgement; result: AnalysisResult } {
  const { candidate, baseline } = windows;
  const statistical = analysis.judge === "statistical";
  const figures = thresholdFigures(analysis, candidate, baseline, {
    minRequests: !statistical,
    p95Ratio: !statistical,
  });
  const threshold = analyzeFigures(figures, candidate);
  const verdict = statistical ? judgeWindow(judgeSettingsOf(analysis), candidate, baseline) : null;
  // Below minRequests (the candidate's for the threshold judge, each version's for the statistical
  // one, whose verdict then has no checks) nothing is judged: the limits beside it wait too, so a
  // few early errors hold the step instead of counting toward failureLimit, and a limit that looks
  // met on a handful of requests (0 errors of 0) is shown inconclusive, never "pass".
  const waiting = threshold.kind === "inconclusive" || verdict?.checks.length === 0;
  const outcomeOf = (figure: ThresholdFigure): CheckOutcome => {
    if (figure.check === "minRequests") return figure.passed ? "pass" : "inconclusive";
    if (waiting) return "inconclusive";
    return figure.passed ? "pass" : "fail";
  };
  const thresholds = figures.map((figure) => thresholdCheck(figure, windows, outcomeOf(figure)));
  const limit = analysis.maxMirrorMismatchPercent;
  const mirror =
    limit === undefined ? null : (windows.mirror ?? { compared: 0, mismatched: 0, failed: 0 });
  if (limit !== undefined && mirror)
    thresholds.push(mirrorCheck(limit, mirror, analysis.minRequests));
  const outcomes = [
    ...thresholds.map((check) => check.outcome),
    ...(verdict ? [verdict.outcome] : []),
  ];
  const outcome = waiting ? "inconclusive" : combine(outcomes);
  const sentences = [
    ...thresholds.map((check) => check.sentence),
    ...(verdict ? [verdict.summary] : []),
  ];
  const judgement: Judgement = {
    judge: statistical ? "statistical" : "threshold",
    outcome,
    summary: sentences.join("; "),
    thresholds,
    statistical: verdict,
    mirror,
    leftOut: {
      clientIncomplete: candidate.clientFaults ?? 0,
      overVisitorLimit: candidate.overVisitorLimit ?? 0,
    },
  };
  return { judgement, result: resultOf(judgement, threshold, figures) };
}

/**
 * What the tick decides on. The threshold judge keeps its brief reasons; the mirror check and the
 * statistical judge add the sentences of their checks that decided.
 */
function resultOf(
  judgement: Judgement,
  threshold: AnalysisResult,
  figures: ThresholdFigure[],
): AnalysisResult {
  if (threshold.kind === "inconclusive") return threshold;
  const mirror = judgement.thresholds.find((check) => check.check === "mirrorMismatch");
  const verdict = judgement.statistical;
  const said = (outcome: CheckOutcome) => [
    ...(mirror?.outcome === outcome ? [mirror.sentence] : []),
    ...(verdict?.checks.filter((c) => c.outcome === outcome).map((c) => c.sentence) ?? []),
  ];
  if (judgement.outcome === "fail") {
    const brief = threshold.kind === "failed" ? threshold.reasons : [];
    return { kind: "failed", reasons: [...brief, ...said("fail")] };
  }
  if (judgement.outcome === "inconclusive") {
    // Too few requests for the statistical judge: no checks, its summary says how many.
    const tooFew = verdict && verdict.checks.length === 0 ? [verdict.summary] : [];
    // The limits beside it wait for those requests too: say which already fail on what was seen.
    const soFar = tooFew.length ? overSoFar(figures) : [];
    return {
      kind: "inconclusive",
      reason: [...said("inconclusive"), ...tooFew].join("; "),
      ...(soFar.length ? { soFar } : {}),
    };
  }
  const reason = threshold.kind === "healthy" ? threshold.reason : judgement.summary;
  return { kind: "healthy", reason: verdict?.summary ?? reason };
}
