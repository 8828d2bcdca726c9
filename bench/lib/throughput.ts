// The side-by-side: A (bare pass-through), A' (the same, again: the noise), P (a correct proxy
// floor), B (Keystone as deployed) and C (the naive splitter), each in its own workerd, in alternating rounds against one origin;
// then B's hot-path counts from its isolate counters.
import { BENCH_HEADERS, BENCH_PATH, BENCH_VISITOR, benchService } from "./config.ts";
import { applyService, isolateCounters, visit, waitFor } from "./keystone-client.ts";
import { type LoadSettings, load, measureOrigin } from "./load.ts";
import type { Origin } from "./processes.ts";
import {
  alternatingRounds,
  type Comparison,
  compare,
  type Runs,
  summarize,
  type WorkerSummary,
} from "./rounds.ts";
import { median, type Spread, spreadOf } from "./stats.ts";
import {
  type BenchWorker,
  bareOptions,
  fillNaiveConfig,
  keystoneOptions,
  naiveOptions,
  proxyFloorOptions,
  startWorker,
  stopWorkers,
} from "./workers.ts";

export interface OriginHeadroom {
  /** The origin alone, once per round (its own core, pipelined: see measureOrigin). */
  requestsPerSecond: Spread;
  originCores: number;
  /** Origin alone ÷ A, paired by round. */
  timesA: Spread;
}

/** Seconds the origin is measured alone in each round. */
const ORIGIN_SECONDS = 2;

export interface HotPath {
  /** Wall-clock seconds between the two counter reads. */
  seconds: number;
  requestsServed: number;
  kvReads: number;
  durableObjectCalls: number;
  droppedOutcomes: number;
}

export interface SideBySide {
  origin: OriginHeadroom;
  runs: Runs;
  summary: Record<string, WorkerSummary>;
  /** Paired by round, against A. */
  vsA: Record<string, Comparison>;
  /** B against P, paired by round: Keystone's own cost over a correct proxy. */
  bVsP: Comparison;
  hotPath: HotPath;
}

export interface SideBySideOptions {
  origin: Origin;
  keystoneScript: string;
  rounds: number;
  load: LoadSettings;
  /** Cores workerd is pinned to. */
  workerCores: string | undefined;
  naive: boolean;
  log: (line: string) => void;
}

export async function sideBySide(o: SideBySideOptions): Promise<SideBySide> {
  const workers: BenchWorker[] = [];
  try {
    await load(o.origin.url + BENCH_PATH, {}, { ...o.load, seconds: 1 });
    const alone: { requestsPerSecond: number; originCores: number }[] = [];
    const originAlone = async () => {
      const run = await measureOrigin(
        o.origin,
        BENCH_PATH,
        { ...o.load, seconds: ORIGIN_SECONDS },
        { during: o.workerCores, after: o.load.cores },
      );
      alone.push(run);
      o.log(
        `origin alone: ${run.requestsPerSecond.toFixed(0)} req/s on ${(run.originCores * 100).toFixed(0)} % of a core`,
      );
    };
    const start = async (name: string, options: Parameters<typeof startWorker>[1]) => {
      const worker = await startWorker(name, options, undefined, o.workerCores);
      workers.push(worker);
      return worker;
    };
    await start("A", bareOptions(o.origin.url));
    await start("A'", bareOptions(o.origin.url));
    await start("P", proxyFloorOptions(o.origin.url));
    const b = await start("B", keystoneOptions(o.keystoneScript));
    if (o.naive) await fillNaiveConfig(await start("C", naiveOptions()), o.origin.url);
    await applyService(b.url, benchService(o.origin.url));
    await waitFor(async () => (await visit(b.url, BENCH_VISITOR)) !== null, 10_000);
    for (const w of workers)
      await load(w.url + BENCH_PATH, BENCH_HEADERS, { ...o.load, seconds: 2 });
    const before = await isolateCounters(b.url);
    const countedFrom = performance.now();
    const runs = await alternatingRounds(workers, {
      rounds: o.rounds,
      load: o.load,
      originPid: o.origin.pid,
      log: o.log,
      eachRound: originAlone,
    });
    const after = await isolateCounters(b.url);
    const a = runs.get("A")!;
    const others = [...runs.keys()].filter((name) => name !== "A");
    const origin = {
      requestsPerSecond: spreadOf(alone.map((r) => r.requestsPerSecond)),
      originCores: median(alone.map((r) => r.originCores)),
      timesA: spreadOf(alone.map((r, i) => r.requestsPerSecond / a[i]!.requestsPerSecond)),
    };
    return {
      origin,
      runs,
      summary: Object.fromEntries([...runs].map(([name, r]) => [name, summarize(r)])),
      vsA: Object.fromEntries(others.map((name) => [name, compare(runs.get(name)!, a)])),
      bVsP: compare(runs.get("B")!, runs.get("P")!),
      hotPath: {
        seconds: (performance.now() - countedFrom) / 1000,
        requestsServed: after.requestsServed - before.requestsServed,
        kvReads: after.routeTableReads - before.routeTableReads,
        durableObjectCalls: after.statsFlushCalls - before.statsFlushCalls,
        droppedOutcomes:
          after.droppedOutcomes +
          after.droppedOutcomeBatches -
          before.droppedOutcomes -
          before.droppedOutcomeBatches,
      },
    };
  } finally {
    await stopWorkers(workers);
  }
}
