// bench:scale's fleet model: isolates flushing one version's outcomes at production cadence,
// spread by the Worker's own rules (worker/core/metrics/fan-out.ts: each isolate's seed picks a
// shard, each shard meters its flush rate, the fan-out doubles past the growth rate and isolates
// learn it from the next answer), run on a virtual clock. A fleet of 50,000 isolates makes 10,000
// flushes a second, more than two cores can send for real; the live run (scale.ts) checks the same
// code in workerd at the rate this machine reaches, and that nothing sent is lost.
import {
  FlushRateMeter,
  grownFanOut,
  RATE_WINDOW_MS,
  shardOf,
} from "../../worker/core/metrics/fan-out.ts";

export interface FleetFigures {
  isolates: number;
  flushesPerSecond: number;
  /** The fan-out the version settled at. */
  shards: number;
  /** Flushes a second of the busiest shard over the last rate window, and of the average one. */
  busiestPerSecond: number;
  meanPerSecond: number;
  /** Virtual seconds at which the fan-out grew. */
  grewAt: number[];
}

/** A small seeded generator (mulberry32): the same fleet on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function simulateFleet(
  isolates: number,
  options: { flushEveryMs?: number; seconds?: number; seed?: number } = {},
): FleetFigures {
  const flushEveryMs = options.flushEveryMs ?? 5_000;
  const seconds = options.seconds ?? 180;
  const random = seededRandom(options.seed ?? 1);
  const fleet = Array.from({ length: isolates }, () => ({
    seed: random(),
    phase: random() * flushEveryMs,
    known: 1,
  }));
  fleet.sort((a, b) => a.phase - b.phase);
  const meters = new Map<number, FlushRateMeter>();
  let fanOut = 1;
  const grewAt: number[] = [];
  const lastWindow = new Map<number, number>();
  const endMs = seconds * 1000;
  for (let round = 0; round * flushEveryMs < endMs; round++) {
    for (const isolate of fleet) {
      const at = round * flushEveryMs + isolate.phase;
      if (at >= endMs) break;
      const shard = shardOf(isolate.seed, isolate.known);
      const meter = meters.get(shard) ?? new FlushRateMeter();
      meters.set(shard, meter);
      // Every shard is told the fan-out when it grows (the first object's adopt calls).
      const rate = meter.note(at, fanOut);
      if (rate !== undefined && grownFanOut(fanOut, rate) > fanOut) {
        fanOut = grownFanOut(fanOut, rate);
        grewAt.push(Math.round(at / 1000));
      }
      isolate.known = fanOut; // the answer carries the fan-out
      if (at >= endMs - RATE_WINDOW_MS) lastWindow.set(shard, (lastWindow.get(shard) ?? 0) + 1);
    }
  }
  const perSecond = [...lastWindow.values()].map((n) => n / (RATE_WINDOW_MS / 1000));
  return {
    isolates,
    flushesPerSecond: isolates / (flushEveryMs / 1000),
    shards: fanOut,
    busiestPerSecond: Math.max(...perSecond),
    meanPerSecond: perSecond.reduce((a, b) => a + b, 0) / fanOut,
    grewAt,
  };
}
