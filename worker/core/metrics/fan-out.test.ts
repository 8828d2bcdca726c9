import { describe, expect, it } from "vitest";
import { MAX_STATS_SHARDS } from "../../../schemas/stats.ts";
import {
  FlushRateMeter,
  GROW_AT_FLUSHES_PER_SECOND,
  grownFanOut,
  RATE_WINDOW_MS,
  SETTLE_MS,
  shardOf,
} from "./fan-out.ts";
import { addLatency, type Histogram } from "./histogram.ts";
import { mergeWindows, summarize } from "./window-stats.ts";

describe("the stats fan-out", () => {
  it("doubles only past the growth rate, and never beyond the most shards", () => {
    expect(grownFanOut(1, GROW_AT_FLUSHES_PER_SECOND)).toBe(1);
    expect(grownFanOut(1, GROW_AT_FLUSHES_PER_SECOND + 1)).toBe(2);
    expect(grownFanOut(8, 1_000)).toBe(16);
    expect(grownFanOut(MAX_STATS_SHARDS, 10_000)).toBe(MAX_STATS_SHARDS);
  });

  it("an isolate's seed picks one shard, spread evenly over the fan-out", () => {
    const seen = new Map<number, number>();
    for (let i = 0; i < 1_000; i++) {
      const shard = shardOf(i / 1_000, 4);
      seen.set(shard, (seen.get(shard) ?? 0) + 1);
    }
    expect([...seen.entries()].sort()).toEqual([
      [0, 250],
      [1, 250],
      [2, 250],
      [3, 250],
    ]);
    expect(shardOf(0.999_999, 64)).toBe(63);
    expect(shardOf(0.7, 1)).toBe(0);
  });

  it("the meter says a window's rate when it closes, early when it already holds too many", () => {
    const meter = new FlushRateMeter();
    const calm: (number | undefined)[] = [];
    for (let t = 0; t <= RATE_WINDOW_MS; t += 100) calm.push(meter.note(t, 1));
    expect(calm.filter((r) => r !== undefined)).toEqual([10.1]); // 101 flushes over 10 s
    const busy = new FlushRateMeter();
    const limit = (GROW_AT_FLUSHES_PER_SECOND * RATE_WINDOW_MS) / 1000;
    let rate: number | undefined;
    for (let i = 0; i <= limit && rate === undefined; i++) rate = busy.note(1_000 + i, 1);
    expect(rate).toBeGreaterThan(GROW_AT_FLUSHES_PER_SECOND);
  });

  it("after the fan-out changes, the meter waits for isolates to learn it before measuring again", () => {
    const meter = new FlushRateMeter();
    const limit = (GROW_AT_FLUSHES_PER_SECOND * RATE_WINDOW_MS) / 1000;
    // Grown at t = 0: a burst as fast as before, inside the settling time, is not measured.
    meter.note(0, 1);
    const during: (number | undefined)[] = [];
    for (let i = 0; i <= limit + 10; i++) during.push(meter.note(1 + i / 1000, 2));
    expect(during.every((rate) => rate === undefined)).toBe(true);
    let after: number | undefined;
    for (let i = 0; i <= limit + 10 && after === undefined; i++)
      after = meter.note(SETTLE_MS + 2 + i / 1000, 2);
    expect(after).toBeGreaterThan(GROW_AT_FLUSHES_PER_SECOND);
  });
});

describe("merging a version's windows", () => {
  it("adds counts and merges histograms: percentiles come from all shards' latencies", () => {
    const fast: Histogram = {};
    const slow: Histogram = {};
    addLatency(fast, 10, 90);
    addLatency(slow, 2_000, 10);
    const a = summarize(
      { requests: 90, errors: 0, noAnswer: 0, clientFaults: 1, histogram: fast },
      0,
      60_000,
    );
    const b = summarize(
      { requests: 10, errors: 10, noAnswer: 2, clientFaults: 0, histogram: slow },
      0,
      60_000,
    );
    const merged = mergeWindows([a, b], 0, 60_000);
    expect(merged).toMatchObject({ requests: 100, errors: 10, noAnswer: 2, clientFaults: 1 });
    expect(merged.errorRatePercent).toBe(10);
    expect(merged.p50).toBeCloseTo(10, -1);
    expect(merged.p95).toBeGreaterThan(1_900); // the slow shard's tail shows
    expect(a.p95).toBeLessThan(11);
  });
});
