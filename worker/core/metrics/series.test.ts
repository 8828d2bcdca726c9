// The status page's chart points in one stats call: one-second buckets summed into one-minute
// windows, each bucket in exactly one window, routes filtered like a window.
import { describe, expect, it } from "vitest";
import { SeriesQuery } from "../../../schemas/stats.ts";
import { seriesOf, type TimedRow } from "./series.ts";

const row = (start: number, route: string, requests: number, errors = 0): TimedRow => ({
  start,
  counts: { route, requests, errors, noAnswer: 0, clientFaults: 0, histogram: { "50": requests } },
});

describe("a series", () => {
  const from = 1_000_000;
  const rows = [
    row(from, "split", 10, 1),
    row(from + 59_000, "split", 5),
    row(from + 60_000, "split", 20, 2),
    row(from + 61_000, "rule:force", 100, 100),
    row(from + 179_000, "split", 4),
    row(from + 180_000, "split", 99), // after `to`: left out
  ];

  it("sums each step's buckets once, oldest first, and leaves out what is past `to`", () => {
    const points = seriesOf(rows, { from, to: from + 179_000, stepMs: 60_000 });
    expect(points.map((p) => p.requests)).toEqual([15, 120, 4]);
    expect(points.map((p) => [p.from, p.to])).toEqual([
      [from, from + 59_999],
      [from + 60_000, from + 119_999],
      [from + 120_000, from + 179_000],
    ]);
  });

  it("counts only the routes asked for, and an empty step is a point without figures", () => {
    const points = seriesOf(rows, { from, to: from + 179_000, stepMs: 60_000, routes: ["split"] });
    expect(points.map((p) => p.requests)).toEqual([15, 20, 4]);
    expect(points[1]!.errorRatePercent).toBe(10);
    const quiet = seriesOf([], { from, to: from + 59_999, stepMs: 60_000 });
    expect(quiet).toHaveLength(1);
    expect(quiet[0]).toMatchObject({ requests: 0, errorRatePercent: null, p95: null });
  });
});

describe("a series query", () => {
  it("asks for at most a day of one-minute points, forwards in time", () => {
    expect(SeriesQuery.safeParse({ from: 0, to: 1_799_999, stepMs: 60_000 }).success).toBe(true);
    expect(SeriesQuery.safeParse({ from: 0, to: 86_400_000, stepMs: 60_000 }).success).toBe(false);
    expect(SeriesQuery.safeParse({ from: 10, to: 0, stepMs: 60_000 }).success).toBe(false);
    expect(SeriesQuery.safeParse({ from: 0, to: 10, stepMs: 10 }).success).toBe(false);
  });
});
