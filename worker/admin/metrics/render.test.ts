import { describe, expect, it } from "vitest";
import { Analysis } from "../../../schemas/rollout.ts";
import type { RolloutState } from "../../../schemas/rollout-state.ts";
import { requestsByService } from "../../../scripts/soak-load.ts";
import { parseMetrics, sampleValue, select } from "../../../test/support/prometheus-text.ts";
import { addLatency, type Histogram } from "../../core/metrics/histogram.ts";
import { bakeLeftSeconds, checksOf, latencySeconds, trafficByReason } from "./convert.ts";
import { LATENCY_BUCKETS_SECONDS, type MetricsSnapshot } from "./model.ts";
import { renderMetrics } from "./render.ts";

const version = {
  name: "canary",
  release: 'v2 "quoted" \\ back\nslash',
  role: "candidate" as const,
  weightPercent: 25,
  traffic: [
    { reason: "split" as const, requests: 90, errors: 3, clientIncomplete: 4 },
    { reason: "rule" as const, requests: 10, errors: 0, clientIncomplete: 0 },
  ],
  latency: latencySeconds({}),
  health: "failing" as const,
};

const snapshot: MetricsSnapshot = {
  services: [
    {
      name: "shop",
      versions: [version],
      deployments: { promoted: 2, rolledBack: 1, aborted: 0 },
      rollout: {
        candidate: "canary",
        baseline: "stable",
        phase: "paused",
        step: 2,
        stepCount: 3,
        startedAt: "2026-11-21T12:00:00.000Z",
        bakeLeftSeconds: null,
        lastVerdictAt: null,
        checks: [{ check: "p95", value: 0.25, threshold: 2, passed: true }],
      },
    },
  ],
  routeTable: null,
};

describe("the Prometheus renderer", () => {
  const text = renderMetrics(snapshot);
  const samples = parseMetrics(text);

  it("declares each family once, and escapes label values", () => {
    const types = text.split("\n").filter((l) => l.startsWith("# TYPE "));
    expect(new Set(types).size).toBe(types.length);
    expect(text).toContain('release="v2 \\"quoted\\" \\\\ back\\nslash"');
    expect(select(samples, "keystone_requests_total")[0]?.labels.release).toBe(version.release);
  });

  it("counts per reason, a cumulative histogram ending at +Inf = count, one phase at 1", () => {
    expect(sampleValue(samples, "keystone_requests_total", { reason: "rule" })).toBe(10);
    expect(sampleValue(samples, "keystone_request_errors_total", { reason: "split" })).toBe(3);
    expect(
      sampleValue(samples, "keystone_client_incomplete_requests_total", { reason: "split" }),
    ).toBe(4);
    expect(select(samples, "keystone_request_duration_seconds_bucket")).toHaveLength(
      LATENCY_BUCKETS_SECONDS.length + 1,
    );
    expect(sampleValue(samples, "keystone_version_healthy")).toBe(0);
    expect(select(samples, "keystone_rollout_phase").filter((s) => s.value === 1)).toEqual([
      { name: "keystone_rollout_phase", labels: { service: "shop", phase: "paused" }, value: 1 },
    ]);
    expect(sampleValue(samples, "keystone_rollout_started_timestamp_seconds")).toBe(1795262400);
    // At a gate there is no bake time, and no verdict yet: those series are absent, not 0.
    expect(select(samples, "keystone_rollout_bake_remaining_seconds")).toEqual([]);
    expect(select(samples, "keystone_route_table_generation")).toEqual([]);
  });

  it("is read by npm run soak as the requests each service recorded, over every reason", () => {
    expect(requestsByService(text, ["shop", "other"])).toEqual(
      new Map([
        ["shop", 100],
        ["other", 0],
      ]),
    );
  });
});

describe("conversions", () => {
  it("the ms histogram becomes cumulative buckets in seconds", () => {
    const histogram: Histogram = {};
    for (const ms of [3, 40, 40, 700, 20_000]) addLatency(histogram, ms);
    const latency = latencySeconds(histogram);
    const at = (le: number) => latency.buckets[LATENCY_BUCKETS_SECONDS.indexOf(le as never)];
    expect([at(0.005), at(0.05), at(1), at(10), latency.count]).toEqual([1, 3, 4, 4, 5]);
    expect(latency.sumSeconds).toBeCloseTo(20.783, 0);
  });

  it("checks of the last verdict carry value and threshold in Prometheus units", () => {
    const analysis = Analysis.parse({
      minRequests: 50,
      maxErrorRatePercent: 5,
      maxP95Ms: 800,
      maxErrorRateDeltaPercent: 1,
      maxLatencyRatio: 1.5,
    });
    const figures = (requests: number, errorRatePercent: number, p95: number) => ({
      requests,
      errors: 0,
      errorRatePercent,
      p50: null,
      p95,
      p99: null,
    });
    const state = {
      lastVerdict: {
        at: 0,
        outcome: "failed",
        reason: "",
        candidate: figures(80, 4, 900),
        baseline: figures(300, 1, 300),
      },
    } as RolloutState;
    expect(checksOf(analysis, state)).toEqual([
      { check: "minRequests", value: 80, threshold: 50, passed: true },
      { check: "errorRate", value: 4, threshold: 5, passed: true },
      { check: "p95", value: 0.9, threshold: 0.8, passed: false },
      { check: "errorRateDelta", value: 3, threshold: 1, passed: false },
      { check: "latencyRatio", value: 3, threshold: 1.5, passed: false },
    ]);
  });

  it("outcome routes fold into bounded reasons: every rule counts as rule, split is always there", () => {
    expect(
      trafficByReason([
        { route: "rule:beta-testers", requests: 5, errors: 1, clientFaults: 1 },
        { route: "rule:<script>", requests: 2, errors: 0, clientFaults: 0 },
        { route: "override", requests: 1, errors: 0, clientFaults: 0 },
      ]),
    ).toEqual([
      { reason: "split", requests: 0, errors: 0, clientIncomplete: 0 },
      { reason: "rule", requests: 7, errors: 1, clientIncomplete: 1 },
      { reason: "override", requests: 1, errors: 0, clientIncomplete: 0 },
    ]);
  });

  it("bake time left counts down within a weight step and is absent once ended", () => {
    const steps = [{ kind: "weight" as const, weight: 10, bakeMs: 60_000 }];
    const state = { phase: "progressing", stepIndex: 0, stepStartedAt: 1_000 } as RolloutState;
    expect(bakeLeftSeconds(state, steps, 21_000)).toBe(40);
    expect(bakeLeftSeconds(state, steps, 120_000)).toBe(0);
    expect(bakeLeftSeconds({ ...state, phase: "promoted" }, steps, 21_000)).toBeNull();
  });
});
