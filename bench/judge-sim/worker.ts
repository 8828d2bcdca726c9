// A judge:sim worker thread: simulates the scenarios it is handed and posts their run records.
import { parentPort, workerData } from "node:worker_threads";
import type { Judges } from "./run-scenario.ts";
import { simulateScenario } from "./run-scenario.ts";
import { scenarios } from "./scenarios.ts";
import type { TunedThreshold } from "./tune.ts";

export interface Job {
  tasks: Array<{ index: number; tuned: TunedThreshold[] }>;
  runs: number;
  seed: number;
  minutes: number;
  judges: Judges;
}

const job = workerData as Job;
const all = scenarios();
for (const { index, tuned } of job.tasks) {
  const records = simulateScenario(all[index]!, job.runs, job.seed, job.minutes, job.judges, tuned);
  parentPort?.postMessage({ index, records });
}
