// The threshold checks a verdict keeps: each limit with what was measured, so an incident can
// name the failed check with its numbers.
import { describe, expect, it } from "vitest";
import { Analysis } from "../../../schemas/rollout.ts";
import { addLatency } from "../metrics/histogram.ts";
import { summarize, type WindowStats } from "../metrics/window-stats.ts";
import { baselineText, describeCheck, thresholdChecks } from "./threshold-checks.ts";

function stats(requests: number, errors: number, latencyMs: number): WindowStats {
  const histogram = {};
  addLatency(histogram, latencyMs, requests);
  return summarize({ requests, errors, noAnswer: 0, histogram }, 0, 0);
}

const analysis = Analysis.parse({
  maxErrorRatePercent: 5,
  maxP95Ms: 2000,
  maxErrorRateDeltaPercent: 3,
  maxLatencyRatio: 1.5,
});

describe("threshold checks", () => {
  it("a 25% error rate fails the absolute and the delta checks, with their numbers", () => {
    const checks = thresholdChecks(analysis, stats(200, 50, 40), stats(1000, 10, 40));
    expect(checks.map((c) => [c.check, c.passed])).toEqual([
      ["errorRate", false],
      ["p95", true],
      ["errorRateDelta", false],
      ["latencyRatio", true],
    ]);
    // The baseline's error rate beside the absolute check: a baseline failing too points away
    // from the candidate.
    expect(checks[0]).toMatchObject({ measured: 25, threshold: 5, baseline: 1 });
    expect(baselineText(checks[0]!)).toBe("1.00%");
    expect(checks[2]).toMatchObject({ measured: 24, threshold: 3, baseline: 1 });
    expect(describeCheck(checks[0]!)).toBe("error rate 25.00% > 5.00%");
    expect(describeCheck(checks[1]!)).toMatch(/^p95 \d+ ms ≤ 2000 ms$/);
  });

  it("a slow candidate fails the ratio against the baseline's p95", () => {
    const [, p95, , ratio] = thresholdChecks(analysis, stats(200, 0, 3000), stats(200, 0, 100));
    expect(p95).toMatchObject({ check: "p95", passed: false });
    expect(baselineText(p95!)).toMatch(/^p95 \d+ ms$/);
    expect(ratio).toMatchObject({ check: "latencyRatio", passed: false, threshold: 1.5 });
    expect(ratio!.measured).toBeCloseTo(30, 0);
    expect(describeCheck(ratio!)).toMatch(
      /^p95 \d+ ms is \d+\.\d\d× the baseline's \d+ ms > 1\.5×$/,
    );
  });

  it("limits the policy does not set are not checked", () => {
    const only = thresholdChecks(Analysis.parse({}), stats(200, 0, 3000), stats(200, 0, 100));
    expect(only.map((c) => c.check)).toEqual(["errorRate"]);
  });
});
