// The PromQL of the canary dashboard, built from a few pieces so every panel selects, rates and
// labels its series the same way. Grafana fills in $service and $__rate_interval.

const SERVICE = 'service="$service"';
const WINDOW = "[$__rate_interval]";

/** `metric{service="$service",…}` */
export function select(metric: string, ...matchers: string[]): string {
  return `${metric}{${[SERVICE, ...matchers].join(", ")}}`;
}

/** Per-second rate of a counter, summed by service, version (and more labels). */
export function rateBy(metric: string, labels: string[] = [], ...matchers: string[]): string {
  return `sum by (${["service", "version", ...labels].join(", ")}) (rate(${select(metric, ...matchers)}${WINDOW}))`;
}

/**
 * Adds the version's rollout role (candidate, baseline, other) as a label, so legends and colours
 * put canary beside baseline whatever the tracks are called.
 */
export function withRole(perVersion: string): string {
  return `(${perVersion}) * on (service, version) group_left (role) max by (service, version, role) (${select("keystone_version_role")})`;
}

export function errorRatePercent(): string {
  return withRole(
    `100 * ${rateBy("keystone_request_errors_total")} / ${rateBy("keystone_requests_total")}`,
  );
}

export function latencyQuantile(q: number): string {
  return withRole(
    `histogram_quantile(${q}, ${rateBy("keystone_request_duration_seconds_bucket", ["le"])})`,
  );
}

/** Share of split traffic each version received: what the configured weights promise. */
export function observedSplitPercent(): string {
  const split = 'reason="split"';
  return `100 * ${rateBy("keystone_requests_total", [], split)} / on (service) group_left () sum by (service) (rate(${select("keystone_requests_total", split)}${WINDOW}))`;
}

export function threshold(check: string): string {
  return `max by (service) (${select("keystone_analysis_threshold", `check="${check}"`)})`;
}
