// Judges a rollout's own metrics from what the providers answered this tick: each metric's value
// against its conditions or the baseline's value, the step's tally of failed and inconclusive
// measurements carried from the step's previous verdict, and a sentence that says where every
// number came from. No data and a provider's failure are inconclusive, never a pass.
import type { AnalysisMetric } from "../../../schemas/analysis-metrics.ts";
import type { CheckOutcome } from "../../../schemas/judge.ts";
import type { MetricCause, MetricCheck } from "../../../schemas/metric-check.ts";
import { evaluateCondition, parseCondition } from "../../../schemas/metric-condition.ts";
import type { ProviderAnswer } from "./provider-answers.ts";
import type { ProviderCall } from "./provider-calls.ts";

/** What one provider call gave: its query as sent, and the values or the failure. */
export interface MetricReading {
  metric: string;
  version: ProviderCall["version"];
  query: string;
  answer: ProviderAnswer;
}

interface Measured {
  outcome: CheckOutcome;
  cause: MetricCause;
  candidate: number[] | null;
  baseline: number[] | null;
  problem: string | null;
  /** The comparison in numbers, for the sentence (baseline comparisons). */
  detail?: string;
}

/** A metric's value as sentences and tables print it: four significant digits. */
export const number = (value: number) =>
  Number.isFinite(value) ? String(Number(value.toPrecision(4))) : String(value);

/** One value, or a list of up to four (null: a sample that was no finite number). */
export function valuesText(values: readonly (number | null)[]): string {
  const shown = values
    .slice(0, 4)
    .map((value) => (value === null ? "not finite" : number(value)))
    .join(", ");
  return values.length === 1 ? shown : `[${shown}${values.length > 4 ? ", …" : ""}]`;
}

/** The condition, or the baseline limit, as a person reads it. */
function conditionText(metric: AnalysisMetric): string {
  const { baseline } = metric;
  if (baseline) {
    const higher = baseline.worseWhen === "higher";
    const limits = [
      ...(baseline.maxRatio === undefined
        ? []
        : [`candidate ${higher ? "≤" : "≥"} baseline ${higher ? "×" : "÷"} ${baseline.maxRatio}`]),
      ...(baseline.maxDifference === undefined
        ? []
        : [
            `candidate ${higher ? "≤" : "≥"} baseline ${higher ? "+" : "−"} ${baseline.maxDifference}`,
          ]),
    ];
    return limits.join(" and ");
  }
  return [
    ...(metric.successCondition === undefined
      ? []
      : [`successCondition ${metric.successCondition}`]),
    ...(metric.failureCondition === undefined
      ? []
      : [`failureCondition ${metric.failureCondition}`]),
  ].join(", ");
}

const inconclusive = (
  cause: MetricCause,
  candidate: number[] | null,
  baseline: number[] | null,
  problem: string | null = null,
): Measured => ({ outcome: "inconclusive", cause, candidate, baseline, problem });

function holds(text: string | undefined, values: number[]): boolean | undefined | null {
  if (text === undefined) return null; // not given
  const parsed = parseCondition(text);
  return parsed.ok ? evaluateCondition(parsed.condition, values) : undefined;
}

/** Argo's rule: failure met fails; success met passes (or failure alone not met); else neither. */
function byConditions(metric: AnalysisMetric, values: number[]): Measured {
  const failed = holds(metric.failureCondition, values);
  const passed = holds(metric.successCondition, values);
  if (failed === undefined || passed === undefined || values.length === 0)
    return inconclusive("noData", values, null);
  const outcome: CheckOutcome =
    failed === true
      ? "fail"
      : passed === true
        ? "pass"
        : passed === false
          ? failed === false
            ? "inconclusive"
            : "fail"
          : "pass";
  return {
    outcome,
    cause: outcome === "inconclusive" ? "neither" : "measured",
    candidate: values,
    baseline: null,
    problem: null,
  };
}

function byBaseline(
  limits: NonNullable<AnalysisMetric["baseline"]>,
  candidate: number[],
  baseline: number[],
): Measured {
  const c = candidate[0];
  const b = baseline[0];
  if (c === undefined || b === undefined || Number.isNaN(c) || Number.isNaN(b))
    return inconclusive("noData", candidate, baseline);
  const higher = limits.worseWhen === "higher";
  const [worse, better] = higher ? [c, b] : [b, c];
  // A baseline of 0 is no scale to multiply: any candidate worse than it is infinitely worse.
  const ratio = better === 0 ? (worse <= 0 ? 1 : Number.POSITIVE_INFINITY) : worse / better;
  const difference = worse - better;
  const over =
    (limits.maxRatio !== undefined && ratio > limits.maxRatio) ||
    (limits.maxDifference !== undefined && difference > limits.maxDifference);
  return {
    outcome: over ? "fail" : "pass",
    cause: "measured",
    candidate,
    baseline,
    problem: null,
    detail: `candidate ${number(c)} against baseline ${number(b)} (ratio ${number(ratio)}, ${higher ? "excess" : "shortfall"} ${number(difference)})`,
  };
}

function measure(metric: AnalysisMetric, readings: MetricReading[]): Measured {
  const read = (version: MetricReading["version"]) =>
    readings.find((r) => r.metric === metric.name && r.version === version)?.answer ?? {
      failure: "not measured this tick",
    };
  const candidate = read("candidate");
  const baseline = metric.baseline ? read("baseline") : undefined;
  const failure = [candidate, baseline].find(
    (a): a is { failure: string } => !!a && "failure" in a,
  );
  const candidateValues = "values" in candidate ? candidate.values : null;
  const baselineValues = baseline && "values" in baseline ? baseline.values : null;
  if (failure)
    return inconclusive("providerFailed", candidateValues, baselineValues, failure.failure);
  if (metric.baseline) return byBaseline(metric.baseline, candidateValues!, baselineValues!);
  return byConditions(metric, candidateValues!);
}

function sentenceOf(metric: AnalysisMetric, check: Omit<MetricCheck, "sentence">, detail?: string) {
  const provider = check.provider;
  const head = `${check.dryRun ? "[dry run] " : ""}metric ${check.name}`;
  const tail = check.dryRun ? " (dry run: not acted on)" : "";
  switch (check.cause) {
    case "providerFailed":
      return `${head}: ${provider} failed (${check.problem}), not a metric failure → inconclusive (${check.inconclusive} of ${check.inconclusiveLimit} tolerated)${tail}`;
    case "noData":
      return `${head}: no data from ${provider} for ${check.condition} → inconclusive (${check.inconclusive} of ${check.inconclusiveLimit} tolerated)${tail}`;
    case "neither":
      return `${head} = ${valuesText(check.candidate ?? [])} (${provider}) meets neither ${check.condition} → inconclusive (${check.inconclusive} of ${check.inconclusiveLimit} tolerated)${tail}`;
    case "measured": {
      const value = detail ? `: ${detail}` : ` = ${valuesText(check.candidate ?? [])}`;
      const tally =
        check.outcome === "fail"
          ? ` (${check.failed} failed, ${metric.failureLimit} tolerated)`
          : "";
      return `${head}${value} (${provider}), ${check.condition} → ${check.outcome}${tally}${tail}`;
    }
  }
}

/**
 * The values a check records of each version: conditions and sentences read them all, but a
 * provider may answer hundreds of thousands (a query over every series, `$.items[*]`, within the
 * 1 MiB read), and every verdict keeps its checks: ten such metrics made a verdict too large for
 * the service object's storage, so the tick's commit failed, and the rollout was never judged.
 */
export const MAX_RECORDED_VALUES = 100;

const finiteOrNull = (values: number[] | null) =>
  values === null
    ? null
    : values.slice(0, MAX_RECORDED_VALUES).map((value) => (Number.isFinite(value) ? value : null));

/**
 * Each metric's check this tick. `prior` are the checks of the step's previous verdict (none at a
 * step's start): their tallies continue.
 */
export function judgeMetrics(
  metrics: AnalysisMetric[],
  readings: MetricReading[],
  prior: MetricCheck[],
): MetricCheck[] {
  return metrics.map((metric) => {
    const measured = measure(metric, readings);
    const before = prior.find((check) => check.name === metric.name);
    const query =
      readings.find((r) => r.metric === metric.name && r.version === "candidate")?.query ?? "";
    const check: Omit<MetricCheck, "sentence"> = {
      name: metric.name,
      provider: metric.provider.prometheus
        ? "prometheus"
        : metric.provider.datadog
          ? "datadog"
          : "web",
      query,
      condition: conditionText(metric),
      candidate: measured.candidate,
      baseline: measured.baseline,
      outcome: measured.outcome,
      cause: measured.cause,
      problem: measured.problem,
      dryRun: metric.dryRun,
      failed: (before?.failed ?? 0) + (measured.outcome === "fail" ? 1 : 0),
      inconclusive: (before?.inconclusive ?? 0) + (measured.outcome === "inconclusive" ? 1 : 0),
      failureLimit: metric.failureLimit,
      inconclusiveLimit: metric.inconclusiveLimit,
    };
    // The sentence says NaN or Infinity as read; the record keeps JSON's numbers (a NaN stored
    // as JSON comes back null, and a verdict that no longer parses would stop the service).
    return {
      ...check,
      candidate: finiteOrNull(measured.candidate),
      baseline: finiteOrNull(measured.baseline),
      sentence: sentenceOf(metric, check, measured.detail),
    };
  });
}

/**
 * What the metrics that gate (not dryRun) make of a tick: `act` when one failed past its
 * failureLimit (onFailure), `pause` when one was inconclusive past its inconclusiveLimit, `hold`
 * when one failed or was inconclusive within its limit, nothing when all passed.
 */
export function metricsEffect(
  checks: MetricCheck[],
): { kind: "act" | "pause" | "holdFailed" | "holdInconclusive"; reason: string } | undefined {
  const gating = checks.filter((check) => !check.dryRun);
  const said = (list: MetricCheck[]) => list.map((check) => check.sentence).join("; ");
  const over = gating.filter((c) => c.outcome === "fail" && c.failed > c.failureLimit);
  if (over.length > 0) return { kind: "act", reason: said(over) };
  const stuck = gating.filter(
    (c) => c.outcome === "inconclusive" && c.inconclusive > c.inconclusiveLimit,
  );
  if (stuck.length > 0) return { kind: "pause", reason: `${said(stuck)}: paused for an operator` };
  const failed = gating.filter((c) => c.outcome === "fail");
  if (failed.length > 0) return { kind: "holdFailed", reason: said(failed) };
  const unsure = gating.filter((c) => c.outcome === "inconclusive");
  if (unsure.length > 0) return { kind: "holdInconclusive", reason: said(unsure) };
  return undefined;
}
