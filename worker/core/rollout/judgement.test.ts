import { describe, expect, it } from "vitest";
import { Judgement } from "../../../schemas/judgement.ts";
import { Analysis } from "../../../schemas/rollout.ts";
import { addLatency, type Histogram } from "../metrics/histogram.ts";
import { summarize, type WindowStats } from "../metrics/window-stats.ts";
import { judgeStep } from "./judgement.ts";

/** A window whose latencies spread around `medianMs` like a real service's. */
function window(requests: number, errors: number, medianMs: number): WindowStats {
  const histogram: Histogram = {};
  for (let i = 0; i < requests; i++) {
    const u = (i + 0.5) / requests;
    addLatency(histogram, medianMs * Math.exp(0.35 * Math.log(u / (1 - u))));
  }
  return summarize({ requests, errors, noAnswer: 0, histogram }, 0, 60_000);
}

const threshold = Analysis.parse({ maxErrorRateDeltaPercent: 1, maxP95Ms: 2000 });
const statistical = Analysis.parse({ judge: "statistical" });

describe("the threshold judge, explained", () => {
  it("keeps every check with its figure, limit and a sentence naming the numbers", () => {
    const { judgement, result } = judgeStep(threshold, {
      candidate: window(1840, 53, 100),
      baseline: window(16_500, 165, 100),
    });
    expect(Judgement.parse(judgement)).toEqual(judgement);
    expect(judgement.thresholds.map((c) => [c.check, c.outcome])).toEqual([
      ["minRequests", "pass"],
      ["errorRate", "pass"],
      ["p95", "pass"],
      ["errorRateDelta", "fail"],
    ]);
    const delta = judgement.thresholds[3]!;
    expect(delta.value).toBeCloseTo(1.88, 2);
    expect(delta.limit).toBe(1);
    expect(delta.sentence).toBe(
      "error rate 2.9 % vs 1.0 % baseline over 1,840 vs 16,500 requests: +1.9 pp, limit +1.0 pp → fail",
    );
    expect(judgement).toMatchObject({ judge: "threshold", outcome: "fail", statistical: null });
    // The tick's reason stays the brief one it always was.
    expect(result).toEqual({
      kind: "failed",
      reasons: ["error rate 1.88% above the baseline's > 1.00%"],
    });
  });

  it("below minRequests is inconclusive, and so is every limit, met or not: never a pass", () => {
    const { judgement, result } = judgeStep(threshold, {
      candidate: window(40, 20, 100),
      baseline: window(400, 0, 100),
    });
    expect(judgement.outcome).toBe("inconclusive");
    expect(judgement.thresholds.map((c) => [c.check, c.outcome])).toEqual([
      ["minRequests", "inconclusive"],
      ["errorRate", "inconclusive"],
      ["p95", "inconclusive"],
      ["errorRateDelta", "inconclusive"],
    ]);
    expect(judgement.thresholds[2]!.sentence).toBe(
      "p95 latency 257 ms, limit 2000 ms → inconclusive",
    );
    expect(judgement.thresholds[0]!.sentence).toBe(
      "only 40 candidate requests of 100 needed in this window → inconclusive",
    );
    // A limit the 40 requests seen already exceed is said so: held, not merely waiting.
    expect(judgement.thresholds[1]!.sentence).toBe(
      "error rate 50.0 % (20 of 40 requests), limit 5.0 % → inconclusive (over the limit so far)",
    );
    expect(result).toEqual({
      kind: "inconclusive",
      reason: "only 40 of 100 requests needed to judge in this step's window: holding",
      soFar: [
        "error rate 50.00% > 5.00% so far",
        "error rate 50.00% above the baseline's > 1.00% so far",
      ],
    });
  });
});

describe("the statistical judge in a rollout", () => {
  it("fails +3 pp at a 1 % baseline, with the test's numbers in the reason", () => {
    const { judgement, result } = judgeStep(statistical, {
      candidate: window(2000, 80, 100),
      baseline: window(18_000, 180, 100),
    });
    expect(judgement.judge).toBe("statistical");
    expect(judgement.outcome).toBe("fail");
    expect(judgement.statistical?.checks.map((c) => c.outcome)).toEqual(["fail", "pass"]);
    expect(result.kind).toBe("failed");
    const reasons = result.kind === "failed" ? result.reasons : [];
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(
      /^error rate 4\.0 % vs 1\.0 % baseline over 2,000 vs 18,000 requests: \+3\.0 pp .* confidence it is worse by more than 0\.50 pp → fail$/,
    );
  });

  it("passes a candidate it is sure of, and says why", () => {
    const { judgement, result } = judgeStep(statistical, {
      candidate: window(20_000, 200, 100),
      baseline: window(180_000, 1800, 100),
    });
    expect(judgement.outcome).toBe("pass");
    expect(result).toEqual({ kind: "healthy", reason: judgement.statistical!.summary });
  });

  it("holds while either version has fewer than minRequests", () => {
    const { result } = judgeStep(statistical, {
      candidate: window(40, 0, 100),
      baseline: window(5000, 50, 100),
    });
    expect(result).toEqual({
      kind: "inconclusive",
      reason: "only 40 candidate requests of 100 needed in this window → inconclusive",
    });
  });

  it("a met limit in an empty window reads inconclusive, not pass", () => {
    const empty = summarize({ requests: 0, errors: 0, noAnswer: 0, histogram: {} }, 0, 60_000);
    const { judgement } = judgeStep(statistical, { candidate: empty, baseline: empty });
    expect(judgement.thresholds.map((c) => c.sentence)).toEqual([
      "error rate 0.00 % (0 of 0 requests), limit 5.0 % → inconclusive",
    ]);
    expect(judgement.thresholds.every((c) => c.outcome === "inconclusive")).toBe(true);
  });

  it("judges no limit before minRequests either: early errors in a small window only hold", () => {
    const analysis = Analysis.parse({ judge: "statistical", maxErrorRateDeltaPercent: 1 });
    const { judgement, result } = judgeStep(analysis, {
      candidate: window(40, 20, 100),
      baseline: window(5000, 50, 100),
    });
    expect(judgement.outcome).toBe("inconclusive");
    expect(judgement.thresholds.map((c) => [c.check, c.outcome])).toEqual([
      ["errorRate", "inconclusive"],
      ["errorRateDelta", "inconclusive"],
    ]);
    expect(result).toEqual({
      kind: "inconclusive",
      reason: "only 40 candidate requests of 100 needed in this window → inconclusive",
      soFar: [
        "error rate 50.00% > 5.00% so far",
        "error rate 49.00% above the baseline's > 1.00% so far",
      ],
    });
  });

  it("keeps the absolute limits beside it: a p95 over maxP95Ms fails a candidate the judge passes", () => {
    const analysis = Analysis.parse({ judge: "statistical", maxP95Ms: 150 });
    const { judgement, result } = judgeStep(analysis, {
      candidate: window(20_000, 200, 100),
      baseline: window(180_000, 1800, 100),
    });
    expect(judgement.statistical?.outcome).toBe("pass");
    expect(judgement.outcome).toBe("fail");
    expect(result).toMatchObject({
      kind: "failed",
      reasons: [expect.stringMatching(/^p95 \d+ ms > 150 ms$/)],
    });
  });

  it("reads maxLatencyRatio as its median ratio, so the p95 ratio is not checked beside it", () => {
    const analysis = Analysis.parse({ judge: "statistical", maxLatencyRatio: 1.5 });
    const { judgement } = judgeStep(analysis, {
      candidate: window(20_000, 200, 100),
      baseline: window(180_000, 1800, 100),
    });
    expect(judgement.thresholds.map((c) => c.check)).not.toContain("latencyRatio");
    const latency = judgement.statistical?.checks.find((c) => c.check === "latency");
    expect(latency?.check === "latency" && latency.maxRatio).toBe(1.5);
  });
});

describe("the mirrored responses' mismatch limit", () => {
  const analysis = Analysis.parse({ maxMirrorMismatchPercent: 1, minRequests: 100 });
  const healthy = { candidate: window(500, 0, 100), baseline: window(5000, 0, 100) };

  it("fails a candidate whose mirrored responses differ more often than the limit", () => {
    const { judgement, result } = judgeStep(analysis, {
      ...healthy,
      mirror: { compared: 400, mismatched: 12, failed: 0 },
    });
    expect(judgement.mirror).toEqual({ compared: 400, mismatched: 12, failed: 0 });
    expect(result).toEqual({
      kind: "failed",
      reasons: ["mirrored responses differing 3.0 % (12 of 400 compared), limit 1.0 % → fail"],
    });
  });

  it("passes within the limit, and holds until minRequests responses were compared", () => {
    const within = judgeStep(analysis, {
      ...healthy,
      mirror: { compared: 400, mismatched: 2, failed: 3 },
    });
    expect(within.result.kind).toBe("healthy");
    const few = judgeStep(analysis, {
      ...healthy,
      mirror: { compared: 40, mismatched: 0, failed: 0 },
    });
    expect(few.result).toEqual({
      kind: "inconclusive",
      reason: "only 40 mirrored responses compared of 100 needed → inconclusive",
    });
    expect(judgeStep(analysis, healthy).result.kind).toBe("inconclusive");
  });
});
