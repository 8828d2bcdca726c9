import { describe, expect, it } from "vitest";
import { MetricsSnapshot } from "../../../schemas/metrics.ts";
import { Analysis } from "../../../schemas/rollout.ts";
import type { RolloutState } from "../../../schemas/rollout-state.ts";
import { parseMetrics, sampleValue, select } from "../../../test/support/prometheus-text.ts";
import { checksOf, latencySeconds } from "./convert.ts";
import { renderMetrics } from "./render.ts";

const version = (
  name: string,
  mirror: MetricsSnapshot["services"][0]["versions"][0]["mirror"],
) => ({
  name,
  release: null,
  role: "other" as const,
  weightPercent: 50,
  traffic: [],
  latency: latencySeconds({}),
  health: "unchecked" as const,
  mirror,
});

describe("shadow traffic in /_keystone/metrics", () => {
  it("counts the mirrored version's comparisons by result; versions nobody mirrors to have none", () => {
    const snapshot = MetricsSnapshot.parse({
      services: [
        {
          name: "shop",
          versions: [
            version("stable", null),
            version("canary", { compared: 120, mismatched: 7, failed: 3 }),
          ],
          deployments: { promoted: 0, rolledBack: 0, aborted: 0 },
          rollout: null,
        },
      ],
      routeTable: null,
    });
    const samples = parseMetrics(renderMetrics(snapshot));
    const mirrored = select(samples, "keystone_mirror_responses_total");
    expect(mirrored.map((s) => [s.labels.version, s.labels.result, s.value])).toEqual([
      ["canary", "match", 113],
      ["canary", "mismatch", 7],
      ["canary", "failed", 3],
    ]);
    expect(sampleValue(samples, "keystone_mirror_responses_total", { result: "mismatch" })).toBe(7);
  });
});

describe("analysis checks in /_keystone/metrics", () => {
  const figures = { requests: 500, errors: 5, errorRatePercent: 1, p50: 80, p95: 300, p99: 500 };
  const state = {
    lastVerdict: {
      at: 0,
      outcome: "hold",
      reason: "",
      candidate: figures,
      baseline: { ...figures, p95: 150 },
    },
  } as unknown as RolloutState;

  it("exports the p95 ratio for the threshold judge, and not for the statistical one (its ratio is of medians)", () => {
    const threshold = checksOf(Analysis.parse({ maxLatencyRatio: 1.5, maxP95Ms: 2000 }), state);
    expect(threshold.map((c) => [c.check, c.value, c.threshold, c.passed])).toEqual([
      ["minRequests", 500, 100, true],
      ["errorRate", 1, 5, true],
      ["p95", 0.3, 2, true],
      ["latencyRatio", 2, 1.5, false],
    ]);
    const statistical = Analysis.parse({ judge: "statistical", maxLatencyRatio: 1.5 });
    expect(checksOf(statistical, state).map((c) => c.check)).toEqual(["minRequests", "errorRate"]);
  });
});
