// npm run judge:sim [-- --quick] [--runs N] [--seed S] [--minutes M]: the statistical judge's
// false-rollback and detection rates beside the threshold judge's, over seeded simulated
// rollouts judged every simulated minute, and a candidate exactly at the latency limit (issue 25;
// --limit-only). Exits 1 when a target of issue 14 or 25 is not met.
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { JudgeSettings } from "../schemas/judge.ts";
import { attackTable, simulateAttacks } from "./judge-sim/attack.ts";
import { limitTable, limitTarget, simulateLatencyLimit } from "./judge-sim/latency-limit.ts";
import { buildRows, defaultsTable, fairTable, passTable } from "./judge-sim/report.ts";
import type { Judges, RunRecord } from "./judge-sim/run-scenario.ts";
import { scenarios } from "./judge-sim/scenarios.ts";
import { verdictOnTargets } from "./judge-sim/targets.ts";
import { type TunedThreshold, tune } from "./judge-sim/tune.ts";
import type { Job } from "./judge-sim/worker.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    runs: { type: "string" },
    seed: { type: "string", default: "14" },
    minutes: { type: "string", default: "60" },
    /** Only the attack scenarios (issue 20), not the judges' comparison. */
    "attacks-only": { type: "boolean", default: false },
    /** Only the scenario at the latency limit (issue 25). */
    "limit-only": { type: "boolean", default: false },
  },
});
const runs = Number(values.runs ?? (values.quick ? 50 : 300));
const seed = Number(values.seed);
const minutes = Number(values.minutes);
const judges: Judges = {
  defaults: JudgeSettings.parse({ judge: "statistical" }),
  // No margins: "worse at all", the question the threshold judge's limits answer.
  noMargin: JudgeSettings.parse({
    judge: "statistical",
    minErrorRateIncreasePercent: 0,
    maxLatencyRatio: 1,
  }),
};
const only = values["attacks-only"] || values["limit-only"];
const all = only ? [] : scenarios();
const records: RunRecord[][] = [];
const threads = Math.max(1, Math.min(2, availableParallelism()));
const started = performance.now();

/** Runs the tasks on the worker threads, interleaved so each gets its share of heavy scenarios. */
async function simulate(tasks: Job["tasks"]): Promise<void> {
  await Promise.all(
    Array.from({ length: threads }, (_, thread) => {
      const job: Job = {
        tasks: tasks.filter((_, i) => i % threads === thread),
        runs,
        seed,
        minutes,
        judges,
      };
      const worker = new Worker(new URL("./judge-sim/worker.ts", import.meta.url), {
        workerData: job,
      });
      worker.on("message", ({ index, records: scenarioRecords }) => {
        records[index] = scenarioRecords;
        process.stderr.write(`  ${all[index]!.group}: ${all[index]!.name} simulated\n`);
      });
      return new Promise<void>((resolve, reject) => {
        worker.on("error", reject);
        worker.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
      });
    }),
  );
}

// Healthy runs first: they tune the threshold judge that the bad runs are then judged by.
const indexes = all.map((_, index) => index);
await simulate(indexes.filter((i) => all[i]!.healthy).map((index) => ({ index, tuned: [] })));
// Two tunings, each the better of failureLimit 0 and 1 per row: one set of limits for every
// traffic level (what an operator can configure), and limits per traffic level and baseline
// error rate (an oracle no operator has).
const healthyIndexes = indexes.filter((i) => all[i]!.healthy);
const everyHealthy = healthyIndexes.flatMap((i) => records[i]!);
const tunings = new Map<string, TunedThreshold[]>();
for (const i of healthyIndexes) {
  tunings.set(
    all[i]!.group,
    [0, 1].flatMap((limit) => [tune(everyHealthy, limit), tune(records[i]!, limit)]),
  );
}
await simulate(
  indexes
    .filter((i) => !all[i]!.healthy)
    .map((index) => ({ index, tuned: tunings.get(all[index]!.group)! })),
);

/** Attack windows: one step of 30 minutes, judged every minute. */
const ATTACK_MINUTES = 30;
const attackRuns = Math.min(runs, 100);

function printAttacks(): void {
  console.log(
    `\n4. A hostile handful (issue 20): k visitors, each sending the candidate ${60} requests a minute from its own address, all failing or all succeeding, ` +
      `among honest traffic (baseline 1 % errors; the failing candidate 3 pp worse). ${attackRuns} step windows of ${ATTACK_MINUTES} minutes per cell, judged every minute; ` +
      `the share of windows rolled back, without the per-visitor bound and with analysis.maxRequestsPerVisitor 20 (the default), 10 and 5.\n`,
  );
  console.log(attackTable(simulateAttacks(attackRuns, seed, ATTACK_MINUTES, judges.defaults)));
}

/** Prints section 5 and returns its target's line and whether it is met. */
function printLatencyLimit(): { line: string; ok: boolean } {
  const { confidencePercent } = judges.defaults;
  console.log(
    `\n5. At the latency limit (issue 25): a candidate exactly maxLatencyRatio times slower than its baseline (every latency multiplied), errors equal. ` +
      `${runs} step windows of ${minutes} minutes per row, judged every minute at confidence ${confidencePercent} %; the share whose latency check ever failed, ` +
      `which may be at most the check's α = ${(100 - confidencePercent) / 2} %.\n`,
  );
  const rows = simulateLatencyLimit(runs, seed, minutes, confidencePercent);
  console.log(limitTable(rows));
  return limitTarget(rows, (1 - confidencePercent / 100) / 2);
}

if (only) {
  if (values["attacks-only"]) printAttacks();
  const limit = values["limit-only"] ? printLatencyLimit() : { line: "", ok: true };
  if (limit.line) console.log(`\n${limit.line}`);
  console.log(`\n${((performance.now() - started) / 1000).toFixed(0)} s`);
  process.exit(limit.ok ? 0 : 1);
}

const rows = buildRows(all, records, tunings, minutes);
const { lines, ok } = verdictOnTargets(rows);
const { defaults } = judges;
console.log(
  `judge:sim: ${runs} rollouts per scenario, ${all.length} scenarios, judged every minute for ${minutes} minutes, seed ${seed}. ` +
    `Traffic is the candidate's; the baseline gets 9× as much. Requests and minutes are medians to a rollback, runs without one counting as never.\n`,
);
console.log(
  `1. Defaults. Statistical: confidence ${defaults.confidencePercent} %, minErrorRateIncreasePercent ${defaults.minErrorRateIncreasePercent}, maxLatencyRatio ${defaults.maxLatencyRatio}, minRequests ${defaults.minRequests}. ` +
    `Threshold: PRODUCT.md's example (minRequests 100, error rate > 5 %, p95 > 2000 ms, delta > 3 pp, p95 ratio > 1.5, failureLimit 1).\n`,
);
console.log(defaultsTable(rows));
console.log(
  `\n2. The same false-rollback rate. Statistical without margins (minErrorRateIncreasePercent 0, maxLatencyRatio 1). ` +
    `Threshold limits (error delta, p95 ratio) tuned on the healthy runs to roll back no more of them than the statistical judge's matching check did: ` +
    `once for all six healthy scenarios together, and separately per traffic level and baseline error rate; each row takes the better of failureLimit (f) 0 and 1.\n`,
);
console.log(fairTable(rows));
console.log(
  `\n3. Healthy candidates passed by the statistical judge (defaults) within ${minutes} minutes.\n`,
);
console.log(passTable(rows));
printAttacks();
const limit = printLatencyLimit();
console.log(`\n${[...lines, limit.line].join("\n")}`);
console.log(`\n${((performance.now() - started) / 1000).toFixed(0)} s on ${threads} threads`);
process.exitCode = ok && limit.ok ? 0 : 1;
