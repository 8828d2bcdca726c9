// judge:sim's attack scenarios (issue 20): k hostile visitors among honest traffic, each sending
// 60 requests a minute to the candidate from its own address: all failing (to roll back a healthy
// candidate) or all succeeding (to pass one 3 pp worse than its baseline). Judged every minute of
// one step's window by both judges at their defaults, without the per-visitor bound and with
// `maxRequestsPerVisitor` at 20 (the default), 10 and 5. The bound is the data plane's
// (worker/core/metrics/visitor-limit.ts): a visitor counts at most that many requests a window.
// Honest visitors are taken to stay under the bound (a visitor's few analysed requests a window).
import { Random } from "random";
import type { JudgeSettings } from "../../schemas/judge.ts";
import { judgeWindow } from "../../worker/core/judge/judge.ts";
import { addLatency } from "../../worker/core/metrics/histogram.ts";
import {
  emptyCounts,
  summarize,
  type WindowCounts,
} from "../../worker/core/metrics/window-stats.ts";
import { analyzeWindow } from "../../worker/core/rollout/analysis.ts";
import { THRESHOLD_DEFAULTS } from "./run-scenario.ts";
import { BASELINE_SHARE } from "./scenarios.ts";
import { minuteSampler } from "./traffic.ts";

/** Requests a hostile visitor sends the candidate a minute. */
const HOSTILE_PER_MINUTE = 60;
const BASELINE_ERROR_RATE = 0.01;
const TRAFFIC = [50, 500, 5000];
const HOSTILE = [1, 3, 10];
/** Per-visitor bounds compared: none, the default, tighter ones. */
const BOUNDS: Array<number | null> = [null, 20, 10, 5];

export type Attack = "fail a healthy candidate" | "pass a failing candidate";

export interface AttackRow {
  attack: Attack;
  perMinute: number;
  hostile: number;
  /** Per bound of BOUNDS: the share of runs each judge rolled back. */
  statistical: number[];
  threshold: number[];
}

/** Whether each judge rolled back one simulated step window under attack. */
function simulate(
  random: Random,
  attack: Attack,
  perMinute: number,
  hostile: number,
  bound: number | null,
  minutes: number,
  judge: JudgeSettings,
): { statistical: boolean; threshold: boolean } {
  const failing = attack === "pass a failing candidate";
  const drawCandidate = minuteSampler(random, {
    perMinute,
    errorRate: BASELINE_ERROR_RATE + (failing ? 0.03 : 0),
    slowdown: 1,
  });
  const drawBaseline = minuteSampler(random, {
    perMinute: perMinute * BASELINE_SHARE,
    errorRate: BASELINE_ERROR_RATE,
    slowdown: 1,
  });
  const candidate: WindowCounts = emptyCounts();
  const baseline: WindowCounts = emptyCounts();
  let counted = 0; // requests of each hostile visitor counted so far in the window
  let failures = 0;
  const result = { statistical: false, threshold: false };
  for (let minute = 1; minute <= minutes; minute++) {
    drawCandidate(candidate);
    drawBaseline(baseline);
    const allowed =
      bound === null ? HOSTILE_PER_MINUTE : Math.min(HOSTILE_PER_MINUTE, bound - counted);
    counted += allowed;
    const added = allowed * hostile;
    candidate.requests += added;
    if (!failing) candidate.errors += added;
    addLatency(candidate.histogram, 80, added);
    if (!result.statistical && judgeWindow(judge, candidate, baseline).outcome === "fail")
      result.statistical = true;
    const c = summarize(candidate, 0, minute);
    const b = summarize(baseline, 0, minute);
    if (!result.threshold && analyzeWindow(THRESHOLD_DEFAULTS, c, b).kind === "failed")
      result.threshold = ++failures > THRESHOLD_DEFAULTS.failureLimit;
    if (result.statistical && result.threshold) break;
  }
  return result;
}

export function simulateAttacks(
  runs: number,
  seed: number,
  minutes: number,
  judge: JudgeSettings,
): AttackRow[] {
  const rows: AttackRow[] = [];
  for (const attack of ["fail a healthy candidate", "pass a failing candidate"] as const) {
    for (const perMinute of TRAFFIC) {
      for (const hostile of HOSTILE) {
        const row: AttackRow = { attack, perMinute, hostile, statistical: [], threshold: [] };
        for (const bound of BOUNDS) {
          let statistical = 0;
          let threshold = 0;
          for (let run = 0; run < runs; run++) {
            const random = new Random(`${seed}:attack:${attack}:${perMinute}:${hostile}:${run}`);
            const judged = simulate(random, attack, perMinute, hostile, bound, minutes, judge);
            if (judged.statistical) statistical++;
            if (judged.threshold) threshold++;
          }
          row.statistical.push(statistical / runs);
          row.threshold.push(threshold / runs);
        }
        rows.push(row);
      }
    }
  }
  return rows;
}

const pct = (rate: number) => `${(rate * 100).toFixed(0)} %`;

/** As Markdown: for the failing attack a rollback is a false one; for the passing, a detection. */
export function attackTable(rows: AttackRow[]): string {
  const bounds = BOUNDS.map((b) => (b === null ? "no bound" : `bound ${b}`));
  const header = [
    "attack",
    "candidate/min",
    "hostile",
    ...bounds.map((b) => `statistical, ${b}`),
    ...bounds.map((b) => `threshold, ${b}`),
  ];
  const lines = rows.map((row) => [
    row.attack === "fail a healthy candidate"
      ? "fail a healthy candidate (false rollbacks)"
      : "pass a +3 pp candidate (detections)",
    row.perMinute.toLocaleString("en-US"),
    String(row.hostile),
    ...row.statistical.map(pct),
    ...row.threshold.map(pct),
  ]);
  return [header, header.map(() => "---"), ...lines].map((l) => `| ${l.join(" | ")} |`).join("\n");
}
