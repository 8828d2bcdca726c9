// A judge:sim worker thread: simulates the scenarios it is handed and posts their run records.
import { parentPort, workerData } from "node:worker_threads";
import type { JudgeSettings } from "../../schemas/judge.ts";
import { simulateScenario } from "./run-scenario.ts";
import { scenarios } from "./scenarios.ts";

interface Job {
  indexes: number[];
  runs: number;
  seed: number;
  minutes: number;
  settings: JudgeSettings;
}

const job = workerData as Job;
const all = scenarios();
for (const index of job.indexes) {
  const records = simulateScenario(all[index]!, job.runs, job.seed, job.minutes, job.settings);
  parentPort?.postMessage({ index, records });
}
