// judge:sim's table: per scenario, the statistical judge beside the tuned and the default
// threshold judge, as Markdown so docs/analysis.md can show it as printed.
import type { RunRecord } from "./run-scenario.ts";
import type { Scenario } from "./scenarios.ts";
import {
  type Outcome,
  summarizeMoments,
  type TunedThreshold,
  tune,
  tunedRollback,
} from "./tune.ts";

export interface Row {
  scenario: Scenario;
  statistical: Outcome;
  statisticalPass: Outcome;
  tuned: Outcome;
  limits: TunedThreshold;
  defaults: Outcome;
}

/** Tunes the threshold judge on each group's healthy runs; for each bad row, the better failureLimit. */
export function buildRows(all: Scenario[], records: RunRecord[][]): Row[] {
  return all.map((scenario, index) => {
    const runs = records[index]!;
    const healthy = records[all.findIndex((s) => s.group === scenario.group && s.healthy)]!;
    const tunings = [0, 1].map((failureLimit) => {
      const limits = tune(healthy, failureLimit);
      return { limits, outcome: summarizeMoments(runs.map((run) => tunedRollback(run, limits))) };
    });
    const score = (o: Outcome) =>
      scenario.healthy ? o.rate : (o.medianRequests ?? Number.POSITIVE_INFINITY) - o.rate;
    const best = tunings.reduce((a, b) => (score(b.outcome) < score(a.outcome) ? b : a));
    return {
      scenario,
      statistical: summarizeMoments(runs.map((run) => run.statRollback)),
      statisticalPass: summarizeMoments(runs.map((run) => run.statPass)),
      tuned: best.outcome,
      limits: best.limits,
      defaults: summarizeMoments(runs.map((run) => run.defaultsRollback)),
    };
  });
}

const pct = (rate: number) => `${(rate * 100).toFixed(1)} %`;
const num = (n: number | null) => (n === null ? "never" : n.toLocaleString("en-US"));
const cells = (o: Outcome) => [pct(o.rate), num(o.medianRequests), num(o.medianMinutes)];

export function markdownTable(rows: Row[]): string {
  const header = [
    "traffic (candidate)",
    "candidate",
    "statistical: rollbacks",
    "requests",
    "minutes",
    "tuned threshold: rollbacks",
    "requests",
    "minutes",
    "tuned limits",
    "default threshold: rollbacks",
    "requests",
    "minutes",
  ];
  const lines = rows.map((row) =>
    [
      row.scenario.group,
      row.scenario.name,
      ...cells(row.statistical),
      ...cells(row.tuned),
      `Δ>${row.limits.maxErrorRateDeltaPp.toFixed(2)} pp, p95>${row.limits.maxLatencyRatio.toFixed(2)}×, limit ${row.limits.failureLimit}`,
      ...cells(row.defaults),
    ].join(" | "),
  );
  return [header.join(" | "), header.map(() => "---").join(" | "), ...lines]
    .map((line) => `| ${line} |`)
    .join("\n");
}

export function passTable(rows: Row[]): string {
  const healthy = rows.filter((row) => row.scenario.healthy);
  return [
    "| traffic (candidate) | statistical: passed | requests | minutes |",
    "| --- | --- | --- | --- |",
    ...healthy.map(
      (row) => `| ${row.scenario.group} | ${cells(row.statisticalPass).join(" | ")} |`,
    ),
  ].join("\n");
}
