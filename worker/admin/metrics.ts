// /_keystone/metrics: Prometheus text format, per service and version.
import { RolloutPhase, type RolloutState } from "../../schemas/rollout-state.ts";
import { bucketValue, countAtOrBelow, type Histogram } from "../core/metrics/histogram.ts";
import type { WindowCounts } from "../core/metrics/window-stats.ts";

const LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
const PHASES = RolloutPhase.options;

export interface ServiceMetrics {
  name: string;
  split: Record<string, number>;
  rollout: Pick<RolloutState, "phase" | "stepIndex"> | null;
  deployments: Record<"promoted" | "rolledBack" | "aborted", number>;
  versions: { name: string; totals: WindowCounts }[];
}

function labels(values: Record<string, string>): string {
  const escapeValue = (v: string) =>
    v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
  return `{${Object.entries(values)
    .map(([k, v]) => `${k}="${escapeValue(v)}"`)
    .join(",")}}`;
}

function approximateSum(histogram: Histogram): number {
  return Object.entries(histogram).reduce(
    (sum, [index, count]) => sum + bucketValue(Number(index)) * count,
    0,
  );
}

export function renderMetrics(services: ServiceMetrics[]): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string, lines: string[]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
  };
  const perVersion = (fn: (s: ServiceMetrics, v: ServiceMetrics["versions"][number]) => string[]) =>
    services.flatMap((s) => s.versions.flatMap((v) => fn(s, v)));

  family(
    "keystone_requests_total",
    "counter",
    "Requests proxied, by service and version.",
    perVersion((s, v) => [
      `keystone_requests_total${labels({ service: s.name, version: v.name })} ${v.totals.requests}`,
    ]),
  );
  family(
    "keystone_errors_total",
    "counter",
    "Requests counted as errors (errorStatuses, or no answer from the origin).",
    perVersion((s, v) => [
      `keystone_errors_total${labels({ service: s.name, version: v.name })} ${v.totals.errors}`,
    ]),
  );
  family(
    "keystone_request_duration_ms",
    "histogram",
    "Time to the origin's response headers, in milliseconds.",
    perVersion((s, v) => {
      const base = { service: s.name, version: v.name };
      return [
        ...LATENCY_BOUNDS_MS.map(
          (le) =>
            `keystone_request_duration_ms_bucket${labels({ ...base, le: String(le) })} ${countAtOrBelow(v.totals.histogram, le)}`,
        ),
        `keystone_request_duration_ms_bucket${labels({ ...base, le: "+Inf" })} ${v.totals.requests}`,
        `keystone_request_duration_ms_sum${labels(base)} ${approximateSum(v.totals.histogram).toFixed(1)}`,
        `keystone_request_duration_ms_count${labels(base)} ${v.totals.requests}`,
      ];
    }),
  );
  family(
    "keystone_version_weight_percent",
    "gauge",
    "Share of public traffic the version gets now.",
    services.flatMap((s) =>
      Object.entries(s.split).map(
        ([version, weight]) =>
          `keystone_version_weight_percent${labels({ service: s.name, version })} ${weight}`,
      ),
    ),
  );
  family(
    "keystone_rollout_phase",
    "gauge",
    "1 for the phase of the service's latest rollout.",
    services.flatMap((s) =>
      s.rollout
        ? PHASES.map(
            (phase) =>
              `keystone_rollout_phase${labels({ service: s.name, phase })} ${s.rollout?.phase === phase ? 1 : 0}`,
          )
        : [],
    ),
  );
  family(
    "keystone_rollout_step",
    "gauge",
    "Step (1-based) of the service's latest rollout.",
    services.flatMap((s) =>
      s.rollout
        ? [`keystone_rollout_step${labels({ service: s.name })} ${s.rollout.stepIndex + 1}`]
        : [],
    ),
  );
  family(
    "keystone_deployments_total",
    "counter",
    "Ended rollouts by outcome.",
    services.flatMap((s) =>
      Object.entries(s.deployments).map(
        ([outcome, n]) => `keystone_deployments_total${labels({ service: s.name, outcome })} ${n}`,
      ),
    ),
  );
  return `${out.join("\n")}\n`;
}
