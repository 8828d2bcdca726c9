// The Keystone canary dashboard: canary beside baseline for one service, the rollout's phase,
// step and verdicts with their thresholds, health, and deployments as annotations.
import {
  type AnnotationQuery,
  type Dashboard,
  type VariableModel,
  VariableRefresh,
  VariableSort,
} from "@grafana/schema";
import { DATASOURCE, stat, stateTimeline, table, timeseries } from "./panels.ts";
import {
  errorRatePercent,
  latencyQuantile,
  observedSplitPercent,
  rateBy,
  select,
  threshold,
  withRole,
} from "./promql.ts";

const BY_ROLE = "{{role}} · {{version}}";

const serviceVariable: VariableModel = {
  type: "query",
  name: "service",
  label: "Service",
  datasource: DATASOURCE,
  query: "label_values(keystone_requests_total, service)",
  refresh: VariableRefresh.onTimeRangeChanged,
  sort: VariableSort.alphabeticalAsc,
  includeAll: false,
  multi: false,
};

interface PrometheusAnnotation extends AnnotationQuery {
  expr: string;
  step: string;
  titleFormat: string;
  textFormat: string;
  tagKeys: string;
  useValueForTime: boolean;
}

function annotation(
  name: string,
  iconColor: string,
  expr: string,
  titleFormat: string,
  textFormat: string,
  useValueForTime = false,
): PrometheusAnnotation {
  return {
    name,
    iconColor,
    enable: true,
    datasource: DATASOURCE,
    expr,
    target: { refId: "Anno", expr } as AnnotationQuery["target"],
    step: "30s",
    titleFormat,
    textFormat,
    tagKeys: "service",
    useValueForTime,
  };
}

const panels = [
  timeseries(
    "Request rate",
    "Requests per second to each version.",
    { x: 0, y: 0, w: 12, h: 8 },
    "reqps",
    [{ expr: withRole(rateBy("keystone_requests_total")), legend: BY_ROLE }],
  ),
  timeseries(
    "Error rate",
    "Errors as a share of requests; dashed: the rollout's maxErrorRatePercent.",
    { x: 12, y: 0, w: 12, h: 8 },
    "percent",
    [
      { expr: errorRatePercent(), legend: BY_ROLE },
      { expr: threshold("errorRate"), legend: "threshold", dashed: true },
    ],
  ),
  timeseries(
    "p95 latency",
    "95th percentile time to response headers; dashed: maxP95Ms.",
    { x: 0, y: 8, w: 12, h: 8 },
    "s",
    [
      { expr: latencyQuantile(0.95), legend: BY_ROLE },
      { expr: threshold("p95"), legend: "threshold", dashed: true },
    ],
  ),
  timeseries(
    "p99 latency",
    "99th percentile time to response headers.",
    { x: 12, y: 8, w: 12, h: 8 },
    "s",
    [{ expr: latencyQuantile(0.99), legend: BY_ROLE }],
  ),
  timeseries(
    "Traffic: configured vs observed",
    "Configured weight (dashed) against the share of split traffic each version actually received.",
    { x: 0, y: 16, w: 12, h: 8 },
    "percent",
    [
      {
        expr: `max by (service, version) (${select("keystone_version_weight_percent")})`,
        legend: "{{version}} configured",
        dashed: true,
      },
      { expr: observedSplitPercent(), legend: "{{version}} observed" },
    ],
    { stepped: true },
  ),
  stateTimeline(
    "Rollout phase",
    "The phase of the service's latest rollout over time.",
    { x: 12, y: 16, w: 12, h: 8 },
    [{ expr: `max by (phase) (${select("keystone_rollout_phase")})`, legend: "{{phase}}" }],
    [
      { value: "1", text: "now", color: "green" },
      { value: "0", text: "", color: "transparent" },
    ],
  ),
  timeseries(
    "Rollout step",
    "Current step against the number of steps in the plan.",
    { x: 0, y: 24, w: 8, h: 7 },
    "none",
    [
      { expr: `max by (service) (${select("keystone_rollout_step")})`, legend: "step" },
      {
        expr: `max by (service) (${select("keystone_rollout_steps")})`,
        legend: "plan",
        dashed: true,
      },
    ],
    { stepped: true },
  ),
  stat(
    "Bake time left",
    "In the current step; empty at a gate or after the rollout ended.",
    { x: 8, y: 24, w: 4, h: 7 },
    "s",
    [
      {
        expr: `max by (service) (${select("keystone_rollout_bake_remaining_seconds")})`,
        legend: "bake left",
      },
    ],
  ),
  stat(
    "Deployments",
    "Rollouts ended in the dashboard's time range, by outcome.",
    { x: 12, y: 24, w: 6, h: 7 },
    "none",
    [
      {
        expr: `sum by (outcome) (increase(${select("keystone_deployments_total")}[$__range]))`,
        legend: "{{outcome}}",
      },
    ],
  ),
  stat(
    "Route table pending",
    "Publications the registry made that KV does not hold yet: above 0 for minutes, KV writes fail.",
    { x: 18, y: 24, w: 6, h: 7 },
    "none",
    [{ expr: "max(keystone_route_table_pending_generations)", legend: "pending" }],
  ),
  timeseries(
    "Analysis: error rate check",
    "The last verdict's candidate error rate against its threshold.",
    { x: 0, y: 31, w: 8, h: 8 },
    "percent",
    [
      {
        expr: `max by (service) (${select("keystone_analysis_value", 'check="errorRate"')})`,
        legend: "measured",
      },
      { expr: threshold("errorRate"), legend: "threshold", dashed: true },
    ],
    { stepped: true },
  ),
  timeseries(
    "Analysis: p95 check",
    "The last verdict's candidate p95 against its threshold.",
    { x: 8, y: 31, w: 8, h: 8 },
    "s",
    [
      {
        expr: `max by (service) (${select("keystone_analysis_value", 'check="p95"')})`,
        legend: "measured",
      },
      { expr: threshold("p95"), legend: "threshold", dashed: true },
    ],
    { stepped: true },
  ),
  table(
    "Last verdict per check",
    "Every check of the last verdict: measured value, threshold, passed (1) or failed (0).",
    { x: 16, y: 31, w: 8, h: 8 },
    [
      { expr: `max by (check) (${select("keystone_analysis_value")})`, legend: "measured" },
      { expr: `max by (check) (${select("keystone_analysis_threshold")})`, legend: "threshold" },
      { expr: `max by (check) (${select("keystone_analysis_passed")})`, legend: "passed" },
    ],
    "check",
  ),
  stateTimeline(
    "Health",
    "Each version's healthPath at scrape time.",
    { x: 0, y: 39, w: 24, h: 6 },
    [{ expr: `max by (version) (${select("keystone_version_healthy")})`, legend: "{{version}}" }],
    [
      { value: "1", text: "healthy", color: "green" },
      { value: "0", text: "failing", color: "red" },
    ],
  ),
];

export const canaryDashboard: Dashboard = {
  uid: "keystone-canary",
  title: "Keystone Edge: canary",
  description:
    "Canary beside baseline for one service: traffic, errors, latency, rollout and verdicts.",
  tags: ["keystone"],
  editable: true,
  graphTooltip: 1,
  schemaVersion: 38,
  time: { from: "now-1h", to: "now" },
  refresh: "30s",
  timezone: "browser",
  templating: { list: [serviceVariable] },
  annotations: {
    list: [
      annotation(
        "Rollout started",
        "blue",
        select("keystone_rollout_started_timestamp_seconds"),
        "rollout started",
        "{{service}}: rollout of {{candidate}}",
        true,
      ),
      annotation(
        "Deployments",
        "green",
        `increase(${select("keystone_deployments_total", 'outcome="promoted"')}[2m]) > 0`,
        "promoted",
        "{{service}}: a rollout was promoted",
      ),
      annotation(
        "Rollbacks",
        "red",
        `increase(${select("keystone_deployments_total", 'outcome=~"rolledBack|aborted"')}[2m]) > 0`,
        "{{outcome}}",
        "{{service}}: a rollout was {{outcome}}",
      ),
    ],
  },
  panels,
};
