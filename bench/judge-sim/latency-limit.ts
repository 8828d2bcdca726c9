// judge:sim's scenario at the latency limit (issue 25): a candidate exactly maxLatencyRatio times
// slower than its baseline, every latency multiplied, is as slow as the limit allows and no
// slower, so the latency check may fail it at most at its α (half of 100 − confidencePercent).
// Judged every minute of one step's window by the real judge; the share of windows whose latency
// check ever failed is the false-rollback rate at the limit. The narrow spread puts a version's
// requests in a few 4 % buckets, where the histogram's grid matters most.
import { Random } from "random";
import { JudgeSettings } from "../../schemas/judge.ts";
import { judgeWindow } from "../../worker/core/judge/judge.ts";
import { emptyCounts } from "../../worker/core/metrics/window-stats.ts";
import { BASELINE_SHARE } from "./scenarios.ts";
import { LATENCY_MIXTURE, type LatencyMixture, minuteSampler } from "./traffic.ts";

const TRAFFIC = [50, 500, 5000];
const RATIOS = [1, 1.2, 1.5];
const SPREADS: Array<{ name: string; latency: LatencyMixture }> = [
  { name: "typical (p50 82 ms, p95 250 ms)", latency: LATENCY_MIXTURE },
  { name: "narrow (σ 3 % around 80 ms)", latency: [{ weight: 1, medianMs: 80, sigma: 0.03 }] },
];

export interface LimitRow {
  spread: string;
  maxRatio: number;
  perMinute: number;
  runs: number;
  /** Windows whose latency check failed at some look. */
  failed: number;
}

/** Whether the latency check ever failed one window of a candidate exactly at the limit. */
function latencyEverFails(
  random: Random,
  latency: LatencyMixture,
  perMinute: number,
  minutes: number,
  settings: JudgeSettings,
): boolean {
  const drawCandidate = minuteSampler(random, {
    perMinute,
    errorRate: 0,
    slowdown: settings.maxLatencyRatio,
    latency,
  });
  const drawBaseline = minuteSampler(random, {
    perMinute: perMinute * BASELINE_SHARE,
    errorRate: 0,
    slowdown: 1,
    latency,
  });
  const candidate = emptyCounts();
  const baseline = emptyCounts();
  for (let minute = 1; minute <= minutes; minute++) {
    drawCandidate(candidate);
    drawBaseline(baseline);
    const verdict = judgeWindow(settings, candidate, baseline);
    if (verdict.checks.some((check) => check.check === "latency" && check.outcome === "fail"))
      return true;
  }
  return false;
}

export function simulateLatencyLimit(
  runs: number,
  seed: number,
  minutes: number,
  confidencePercent: number,
): LimitRow[] {
  const rows: LimitRow[] = [];
  for (const { name, latency } of SPREADS) {
    for (const maxRatio of RATIOS) {
      const settings = JudgeSettings.parse({
        judge: "statistical",
        confidencePercent,
        maxLatencyRatio: maxRatio,
      });
      for (const perMinute of TRAFFIC) {
        let failed = 0;
        for (let run = 0; run < runs; run++) {
          const random = new Random(`${seed}:limit:${name}:${maxRatio}:${perMinute}:${run}`);
          if (latencyEverFails(random, latency, perMinute, minutes, settings)) failed++;
        }
        rows.push({ spread: name, maxRatio, perMinute, runs, failed });
      }
    }
  }
  return rows;
}

/**
 * The target: the typical spread's worst row at most α, allowing two standard errors of sampling
 * (with 300 runs a true 0.5 % shows as up to 1.3 %). The narrow spread is printed, not a target:
 * what is left of the grid there is a few hundredths of a percent of the ratio (docs/analysis.md).
 */
export function limitTarget(rows: LimitRow[], alpha: number): { line: string; ok: boolean } {
  const typical = rows.filter((row) => row.spread === SPREADS[0]!.name);
  const worst = Math.max(...typical.map((row) => row.failed / row.runs));
  const allowed = alpha + 2 * Math.sqrt((alpha * (1 - alpha)) / typical[0]!.runs);
  const ok = worst <= allowed;
  const pct = (rate: number) => `${(rate * 100).toFixed(1)} %`;
  return {
    line: `a candidate exactly at maxLatencyRatio failed at most at α (typical spread, every limit and traffic level): worst ${pct(worst)}, α ${pct(alpha)} (${pct(allowed)} with sampling error) → ${ok ? "met" : "NOT MET"}`,
    ok,
  };
}

export function limitTable(rows: LimitRow[]): string {
  const header = ["latency spread", "maxLatencyRatio", "candidate requests/min", "failed"];
  const lines = rows.map((row) => [
    row.spread,
    `${row.maxRatio}`,
    row.perMinute.toLocaleString("en-US"),
    `${((100 * row.failed) / row.runs).toFixed(1)} % (${row.failed} of ${row.runs})`,
  ]);
  return [header, header.map(() => "---"), ...lines].map((l) => `| ${l.join(" | ")} |`).join("\n");
}
