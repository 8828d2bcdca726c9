// npm run judge:sim [-- --quick] [--runs N] [--seed S] [--minutes M]: the statistical judge's
// false-rollback and detection rates, beside the threshold judge's, over seeded simulated
// rollouts judged every simulated minute.
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { JudgeSettings } from "../schemas/judge.ts";
import { markdownTable, passTable } from "./judge-sim/report.ts";
import type { RunRecord } from "./judge-sim/run-scenario.ts";
import { scenarios } from "./judge-sim/scenarios.ts";
import { verdictOnTargets } from "./judge-sim/targets.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    runs: { type: "string" },
    seed: { type: "string", default: "14" },
    minutes: { type: "string", default: "60" },
  },
});
const runs = Number(values.runs ?? (values.quick ? 200 : 1000));
const seed = Number(values.seed);
const minutes = Number(values.minutes);
const settings = JudgeSettings.parse({ judge: "statistical" });
const all = scenarios();

const started = performance.now();
const threads = Math.max(1, Math.min(2, availableParallelism()));
const records: RunRecord[][] = [];
await Promise.all(
  Array.from({ length: threads }, (_, thread) => {
    // Interleaved, so each thread gets its share of the heavy 5,000/min scenarios.
    const indexes = all.map((_, i) => i).filter((i) => i % threads === thread);
    const worker = new Worker(new URL("./judge-sim/worker.ts", import.meta.url), {
      workerData: { indexes, runs, seed, minutes, settings },
    });
    worker.on("message", ({ index, records: scenarioRecords }) => {
      records[index] = scenarioRecords;
      process.stderr.write(`  ${all[index]!.group}: ${all[index]!.name} done\n`);
    });
    return new Promise<void>((resolve, reject) => {
      worker.on("error", reject);
      worker.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
    });
  }),
);

console.log(
  `judge:sim — ${runs} rollouts per scenario, ${all.length} scenarios, judged every minute for ${minutes} minutes, seed ${seed}`,
);
console.log(
  `statistical judge: confidence ${settings.confidencePercent} %, min error-rate increase ${settings.minErrorRateIncreasePercent} pp, max latency ratio ${settings.maxLatencyRatio}×, min requests ${settings.minRequests}\n`,
);
const { rows, lines, ok } = verdictOnTargets(all, records);
console.log(markdownTable(rows));
console.log(`\nHealthy candidates passed by the statistical judge within ${minutes} minutes:\n`);
console.log(passTable(rows));
console.log(`\n${lines.join("\n")}`);
console.log(`\n${((performance.now() - started) / 1000).toFixed(0)} s on ${threads} threads`);
process.exitCode = ok ? 0 : 1;
