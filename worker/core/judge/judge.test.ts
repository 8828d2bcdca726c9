import { describe, expect, it } from "vitest";
import { JudgeSettings, JudgeVerdict } from "../../../schemas/judge.ts";
import { addLatency, type Histogram } from "../metrics/histogram.ts";
import type { WindowCounts } from "../metrics/window-stats.ts";
import { judgeWindow } from "./judge.ts";

const settings = JudgeSettings.parse({ judge: "statistical" });

function version(requests: number, errors: number, medianMs: number): WindowCounts {
  const histogram: Histogram = {};
  for (let i = 0; i < requests; i++) {
    const u = (i + 0.5) / requests;
    addLatency(histogram, medianMs * Math.exp(0.35 * Math.log(u / (1 - u))));
  }
  return { requests, errors, noAnswer: Math.floor(errors / 2), histogram };
}

describe("statistical judge", () => {
  it("fails a candidate with 3 pp more errors and says so with the numbers", () => {
    const verdict = judgeWindow(settings, version(2000, 80, 100), version(18_000, 180, 100));
    expect(verdict.outcome).toBe("fail");
    expect(verdict.checks.map((check) => [check.check, check.outcome])).toEqual([
      ["errorRate", "fail"],
      ["latency", "pass"],
    ]);
    expect(verdict.summary).toMatch(/^error rate 4\.0 % vs 1\.0 % baseline over 2,000 vs 18,000/);
    expect(verdict.summary).toMatch(/; median latency 10\d ms vs 10\d ms baseline/);
  });

  it("passes a healthy candidate only when every check passes", () => {
    const healthy = judgeWindow(settings, version(20_000, 200, 100), version(180_000, 1800, 100));
    expect(healthy.outcome).toBe("pass");
    const slow = judgeWindow(settings, version(20_000, 200, 150), version(180_000, 1800, 100));
    expect(slow.outcome).toBe("fail");
    expect(slow.checks.map((check) => check.outcome)).toEqual(["pass", "fail"]);
  });

  it("holds with a reason while either version has fewer than minRequests", () => {
    const verdict = judgeWindow(settings, version(40, 0, 100), version(360, 3, 100));
    expect(verdict).toMatchObject({ outcome: "inconclusive", checks: [] });
    expect(verdict.summary).toBe(
      "only 40 candidate requests of 100 needed in this window → inconclusive",
    );
  });

  it("splits the confidence between its two checks, so each needs more than the setting", () => {
    const verdict = judgeWindow(settings, version(2000, 80, 100), version(18_000, 180, 100));
    expect(verdict.checks).toHaveLength(2);
    for (const check of verdict.checks)
      expect(check.evidence?.requiredConfidencePercent).toBeCloseTo(99.5, 9);
  });

  it("gives a verdict that its schema accepts and that survives JSON, for history to store", () => {
    const verdict = judgeWindow(settings, version(2000, 80, 130), version(18_000, 180, 100));
    expect(JudgeVerdict.parse(JSON.parse(JSON.stringify(verdict)))).toEqual(verdict);
    expect(verdict.candidate).toEqual({ requests: 2000, errors: 80, noAnswer: 40 });
  });
});

describe("judge settings", () => {
  it("has defaults for everything but the kind, which stays threshold", () => {
    expect(JudgeSettings.parse({})).toEqual({
      judge: "threshold",
      confidencePercent: 99,
      minErrorRateIncreasePercent: 0.5,
      maxLatencyRatio: 1.2,
      minRequests: 100,
    });
  });

  it("names the field and the problem for bad values and unknown fields", () => {
    const result = JudgeSettings.safeParse({
      confidencePercent: 100,
      maxLatencyRatio: 0.9,
      minRequests: 5,
      alpha: 0.01,
    });
    expect(result.success).toBe(false);
    const problems = result.error!.issues.map(
      (issue) => `${issue.path.join(".")}: ${issue.message}`,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        "confidencePercent: a confidence above 99.99 % never decides",
        "maxLatencyRatio: a latency ratio below 1 fails a healthy candidate",
        "minRequests: fewer than 10 requests cannot be judged",
      ]),
    );
    expect(problems.some((problem) => problem.includes("alpha"))).toBe(true);
  });
});
