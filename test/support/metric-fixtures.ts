// A measured analysis metric as a verdict keeps it, for tests of the views that print one.
import type { MetricCheck } from "../../schemas/metric-check.ts";

/** app-errors from Prometheus, condition `result < 0.01`; fields overridden as given. */
export function metricCheck(overrides: Partial<MetricCheck> = {}): MetricCheck {
  return {
    name: "app-errors",
    provider: "prometheus",
    query: 'sum(rate(app_errors_total{version="canary"}[60s]))',
    condition: "successCondition result < 0.01",
    candidate: [0.2],
    baseline: null,
    outcome: "fail",
    cause: "measured",
    problem: null,
    dryRun: false,
    failed: 1,
    inconclusive: 0,
    failureLimit: 0,
    inconclusiveLimit: 3,
    sentence: "metric app-errors = 0.2 (prometheus), successCondition result < 0.01 → fail",
    ...overrides,
  };
}
