// Alternating rounds: every Worker measured once per round, the order rotated each round so none
// always runs first or right after a given other; figures are medians over rounds, and differences
// are paired within a round (B − A of the same round) before taking their spread.
import { BENCH_HEADERS, BENCH_PATH } from "./config.ts";
import { type LoadSettings, type MeasuredRun, measure } from "./load.ts";
import { type Spread, spreadOf } from "./stats.ts";
import type { BenchWorker } from "./workers.ts";

export interface RoundPlan {
  rounds: number;
  load: LoadSettings;
  /** The request sent (the benchmark's by default). */
  path?: string;
  headers?: Record<string, string>;
  originPid: number;
  log: (line: string) => void;
  /** Per-Worker load settings (unpinned variants); defaults to `load`. */
  loadFor?: (worker: BenchWorker) => LoadSettings;
  /** Runs at the start of every round (the origin measured alone, say). */
  eachRound?: () => Promise<void>;
  /** Runs around one Worker's measurement (a busy neighbour, say). */
  around?: (worker: BenchWorker, run: () => Promise<MeasuredRun>) => Promise<MeasuredRun>;
}

export type Runs = Map<string, MeasuredRun[]>;

export async function alternatingRounds(workers: BenchWorker[], plan: RoundPlan): Promise<Runs> {
  const runs: Runs = new Map(workers.map((w) => [w.name, []]));
  for (let round = 0; round < plan.rounds; round++) {
    await plan.eachRound?.();
    const order = workers.map((_, i) => workers[(i + round) % workers.length]!);
    for (const worker of order) {
      const once = () =>
        measure(
          worker.url + (plan.path ?? BENCH_PATH),
          plan.headers ?? BENCH_HEADERS,
          plan.loadFor?.(worker) ?? plan.load,
          {
            workerd: worker.pid,
            origin: plan.originPid,
          },
        );
      const run = await (plan.around ? plan.around(worker, once) : once());
      runs.get(worker.name)!.push(run);
      plan.log(
        `round ${round + 1} ${worker.name}: ${run.requestsPerSecond.toFixed(0)} req/s, p50 ${run.p50Ms} ms, ` +
          `p99 ${run.p99Ms} ms, workerd ${run.cpuUsPerRequest.toFixed(0)} µs/request ` +
          `(${(run.workerdCores * 100).toFixed(0)} % of a core), load generator ${(run.loadCores * 100).toFixed(0)} %, ` +
          `origin ${(run.originCores * 100).toFixed(0)} %, errors ${run.errors}, non-2xx ${run.non2xx}`,
      );
    }
  }
  return runs;
}

export interface WorkerSummary {
  requestsPerSecond: Spread;
  p50Ms: Spread;
  p99Ms: Spread;
  cpuUsPerRequest: Spread;
  workerdCores: number;
  loadCores: number;
  originCores: number;
  errors: number;
}

export function summarize(runs: MeasuredRun[]): WorkerSummary {
  const of = (pick: (r: MeasuredRun) => number) => spreadOf(runs.map(pick));
  return {
    requestsPerSecond: of((r) => r.requestsPerSecond),
    p50Ms: of((r) => r.p50Ms),
    p99Ms: of((r) => r.p99Ms),
    cpuUsPerRequest: of((r) => r.cpuUsPerRequest),
    workerdCores: of((r) => r.workerdCores).median,
    loadCores: of((r) => r.loadCores).median,
    originCores: of((r) => r.originCores).median,
    errors: runs.reduce((sum, r) => sum + r.errors + r.non2xx, 0),
  };
}

/** One Worker against a reference, paired by round. */
export interface Comparison {
  /** workerd CPU µs per request, difference. */
  cpuUs: Spread;
  /** Ratios. */
  throughput: Spread;
  p50: Spread;
  p99: Spread;
}

export function compare(runs: MeasuredRun[], reference: MeasuredRun[]): Comparison {
  const paired = (pick: (r: MeasuredRun) => number, combine: (x: number, ref: number) => number) =>
    spreadOf(runs.map((r, i) => combine(pick(r), pick(reference[i]!))));
  const ratio = (x: number, ref: number) => x / ref;
  return {
    cpuUs: paired(
      (r) => r.cpuUsPerRequest,
      (x, ref) => x - ref,
    ),
    throughput: paired((r) => r.requestsPerSecond, ratio),
    p50: paired((r) => r.p50Ms, ratio),
    p99: paired((r) => r.p99Ms, ratio),
  };
}
