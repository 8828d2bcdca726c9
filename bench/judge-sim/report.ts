// judge:sim's tables, as Markdown so docs/analysis.md can show them as printed.
import type { RunRecord } from "./run-scenario.ts";
import type { Scenario } from "./scenarios.ts";
import { type Outcome, summarizeMoments, type TunedThreshold, tunedRollback } from "./tune.ts";

export interface Row {
  scenario: Scenario;
  statistical: Outcome;
  statisticalPass: Outcome;
  strict: Outcome;
  tunedOnce: Outcome;
  limitsOnce: TunedThreshold;
  tuned: Outcome;
  limits: TunedThreshold;
  defaults: Outcome;
}

/**
 * For a bad scenario, the better of the tunings picked by `which` (even indexes: tuned once for
 * all traffic, odd: per traffic level); for a healthy one, the worse.
 */
function tunedOutcome(
  scenario: Scenario,
  runs: RunRecord[],
  tunings: TunedThreshold[],
  which: 0 | 1,
  horizon: number,
) {
  const outcomes = tunings.map((limits, i) => ({
    limits,
    outcome: summarizeMoments(
      runs.map((run) => (scenario.healthy ? tunedRollback(run, limits) : run.tunedRollbacks[i]!)),
      horizon,
    ),
  }));
  const score = ({ outcome }: (typeof outcomes)[number]) =>
    scenario.healthy ? -outcome.rate : (outcome.medianRequests ?? Infinity) - outcome.rate;
  return outcomes.filter((_, i) => i % 2 === which).reduce((a, b) => (score(b) < score(a) ? b : a));
}

export function buildRows(
  all: Scenario[],
  records: RunRecord[][],
  tunings: Map<string, TunedThreshold[]>,
  minutes: number,
): Row[] {
  return all.map((scenario, index) => {
    const runs = records[index]!;
    const horizon = scenario.perMinute * minutes;
    const once = tunedOutcome(scenario, runs, tunings.get(scenario.group)!, 0, horizon);
    const tuned = tunedOutcome(scenario, runs, tunings.get(scenario.group)!, 1, horizon);
    return {
      scenario,
      statistical: summarizeMoments(
        runs.map((run) => run.statRollback),
        horizon,
      ),
      statisticalPass: summarizeMoments(
        runs.map((run) => run.statPass),
        horizon,
      ),
      strict: summarizeMoments(
        runs.map((run) => run.strictRollback),
        horizon,
      ),
      tunedOnce: once.outcome,
      limitsOnce: once.limits,
      tuned: tuned.outcome,
      limits: tuned.limits,
      defaults: summarizeMoments(
        runs.map((run) => run.defaultsRollback),
        horizon,
      ),
    };
  });
}

const pct = (rate: number) => `${(rate * 100).toFixed(1)} %`;
const num = (n: number | null) => (n === null ? "never" : n.toLocaleString("en-US"));
const cells = (o: Outcome) => [pct(o.rate), num(o.medianRequests), num(o.medianMinutes)];

function table(header: string[], lines: string[][]): string {
  return [header, header.map(() => "---"), ...lines].map((l) => `| ${l.join(" | ")} |`).join("\n");
}

export function defaultsTable(rows: Row[]): string {
  return table(
    ["traffic", "candidate", "statistical: rolled back", "requests", "minutes"].concat([
      "threshold: rolled back",
      "requests",
      "minutes",
    ]),
    rows.map((row) => [
      row.scenario.group,
      row.scenario.name,
      ...cells(row.statistical),
      ...cells(row.defaults),
    ]),
  );
}

export function fairTable(rows: Row[]): string {
  const limits = ({ maxErrorRateDeltaPp, maxLatencyRatio, failureLimit }: TunedThreshold) =>
    `Δ > ${maxErrorRateDeltaPp.toFixed(2)} pp, p95 > ${maxLatencyRatio.toFixed(2)}×, f ${failureLimit}`;
  return table(
    ["traffic", "candidate", "statistical: rolled back", "requests", "minutes"].concat(
      ["tuned once: rolled back", "requests", "minutes", "limits"],
      ["tuned per level: rolled back", "requests", "minutes", "limits"],
    ),
    rows.map((row) => [
      row.scenario.group,
      row.scenario.name,
      ...cells(row.strict),
      ...cells(row.tunedOnce),
      limits(row.limitsOnce),
      ...cells(row.tuned),
      limits(row.limits),
    ]),
  );
}

export function passTable(rows: Row[]): string {
  return table(
    ["traffic", "statistical: passed", "requests", "minutes"],
    rows
      .filter((row) => row.scenario.healthy)
      .map((row) => [row.scenario.group, ...cells(row.statisticalPass)]),
  );
}
