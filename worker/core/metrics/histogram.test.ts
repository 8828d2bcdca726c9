import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addLatency, bucketIndex, bucketValue, type Histogram, quantile } from "./histogram.ts";
import { OutcomeRecorder } from "./outcome-recorder.ts";

function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

describe("latency histogram", () => {
  it("for a known set of latencies, p50/p95/p99 are within 5% of the exact values", () => {
    const latencies = Array.from({ length: 10_000 }, (_, i) => 20 + ((i * 7919) % 3000) * 0.7);
    const histogram: Histogram = {};
    for (const latency of latencies) addLatency(histogram, latency);
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = exactQuantile(latencies, q);
      expect(Math.abs(quantile(histogram, q)! - exact) / exact).toBeLessThan(0.05);
    }
  });

  it("any positive latency reads back within 2.5% of itself", () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 120_000, noNaN: true }), (latency) => {
        const histogram: Histogram = {};
        addLatency(histogram, latency);
        expect(Math.abs(quantile(histogram, 0.5)! - latency) / latency).toBeLessThan(0.025);
      }),
    );
  });

  it("bucket i ≥ 1 holds [1.04^(i−1), 1.04^i) ms and reads back as its geometric middle; bucket 0 holds under 1 ms", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), (i) => {
        const [lower, upper] = [1.04 ** (i - 1), 1.04 ** i];
        expect(bucketIndex(lower * (1 + 1e-12))).toBe(i);
        expect(bucketIndex(upper * (1 - 1e-12))).toBe(i);
        expect(bucketValue(i)).toBeCloseTo(Math.sqrt(lower * upper), 9);
      }),
    );
    // The data plane's clock counts whole ms: "under 1 ms" is 0 ms, stored and read as bucket 0.
    expect([bucketIndex(0), bucketIndex(0.5), bucketIndex(1)]).toEqual([0, 0, 1]);
    expect(bucketValue(0)).toBe(0);
  });

  it("an empty histogram has no quantiles", () => {
    expect(quantile({}, 0.95)).toBeNull();
  });
});

describe("outcome recorder", () => {
  it("counts exactly, per version and one-second bucket, and drains empty", () => {
    const recorder = new OutcomeRecorder({ maxRequests: 1000, maxAgeMs: 5000 });
    for (let i = 0; i < 90; i++)
      recorder.record("shop", "canary", "split", 1_000_000 + i * 100, 50, i % 10 === 0, true);
    recorder.record("shop", "canary", "split", 1_000_500, 0, true, false);
    recorder.record("shop", "stable", "split", 1_000_500, 30, false, true);
    const batches = recorder.drain();
    const canary = batches.filter((b) => b.version === "canary");
    expect(canary.map((b) => b.bucketStart)).toEqual(
      Array.from({ length: 9 }, (_, i) => 1_000_000 + i * 1000),
    );
    const sum = (k: "requests" | "errors" | "noAnswer") => canary.reduce((s, b) => s + b[k], 0);
    expect([sum("requests"), sum("errors"), sum("noAnswer")]).toEqual([91, 10, 1]);
    expect(batches.find((b) => b.version === "stable")).toMatchObject({ requests: 1, errors: 0 });
    expect(recorder.drain()).toEqual([]);
  });

  it("keeps each outcome route apart, so analysis can leave forced traffic out", () => {
    const recorder = new OutcomeRecorder({ maxRequests: 1000, maxAgeMs: 5000 });
    recorder.record("shop", "canary", "split", 1_000_000, 5, false, true);
    recorder.record("shop", "canary", "rule:force-canary", 1_000_000, 5, true, true);
    recorder.record("shop", "canary", "rule:force-canary", 1_000_100, 5, true, true);
    const routes = recorder.drain().map((b) => [b.route, b.requests, b.errors]);
    expect(routes).toEqual([
      ["split", 1, 0],
      ["rule:force-canary", 2, 2],
    ]);
  });

  it("holds at most 2,000 series between flushes; outcomes of further series are dropped and counted", () => {
    const recorder = new OutcomeRecorder({ maxRequests: 100_000, maxAgeMs: 5000 });
    for (let i = 0; i < 2_000; i++) recorder.record("s", `v${i}`, "split", 0, 1, false, true);
    recorder.record("s", "one-too-many", "split", 0, 1, false, true);
    recorder.record("s", "v7", "split", 0, 1, false, true);
    expect(recorder.droppedOutcomes).toBe(1);
    const batches = recorder.drain();
    expect(batches).toHaveLength(2_000);
    expect(batches.find((b) => b.version === "v7")?.requests).toBe(2);
    recorder.record("s", "one-too-many", "split", 0, 1, false, true);
    expect(recorder.drain()).toHaveLength(1);
  });

  it("asks for a flush as soon as its series are full: a client touching 2,000 services does not get the rest dropped until the deadline", () => {
    const recorder = new OutcomeRecorder({ maxRequests: 5_000, maxAgeMs: 5_000 });
    // One request to each of 2,000 services of a large Worker, in the same second.
    for (let i = 0; i < 2_000; i++)
      recorder.record(`svc-${i}`, "stable", "split", 0, 1, false, true);
    expect(recorder.shouldFlush(1)).toBe(true);
    recorder.drain();
    // After the flush the table has room: the target canary's outcomes are kept.
    recorder.record("target", "canary", "split", 2, 1, false, true);
    expect(recorder.droppedOutcomes).toBe(0);
    expect(recorder.drain()).toMatchObject([{ service: "target", requests: 1 }]);
  });

  it("asks for a flush after N requests or when the oldest is too old", () => {
    const recorder = new OutcomeRecorder({ maxRequests: 3, maxAgeMs: 5000 });
    recorder.record("s", "v", "split", 0, 1, false, true);
    expect(recorder.shouldFlush(1000)).toBe(false);
    expect(recorder.shouldFlush(5000)).toBe(true);
    recorder.record("s", "v", "split", 1, 1, false, true);
    recorder.record("s", "v", "split", 2, 1, false, true);
    expect(recorder.shouldFlush(3)).toBe(true);
  });
});
