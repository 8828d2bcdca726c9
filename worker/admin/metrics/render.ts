// Renders a MetricsSnapshot in the Prometheus text format (0.0.4): pure, no I/O, no clock.

import { RolloutPhase } from "../../../schemas/rollout-state.ts";
import {
  LATENCY_BUCKETS_SECONDS,
  type MetricsSnapshot,
  type ServiceMetrics,
  type VersionMetrics,
} from "./model.ts";

type Labels = Record<string, string>;
type Sample = [labels: Labels, value: number];

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

function line(name: string, labels: Labels, value: number): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return `${name}${pairs.length > 0 ? `{${pairs.join(",")}}` : ""} ${formatValue(value)}`;
}

const seconds = (iso: string) => Date.parse(iso) / 1000;

export function renderMetrics(snapshot: MetricsSnapshot): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string, samples: Sample[]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) out.push(line(name, labels, value));
  };
  const perVersion = (fn: (s: ServiceMetrics, v: VersionMetrics, labels: Labels) => Sample[]) =>
    snapshot.services.flatMap((s) =>
      s.versions.flatMap((v) =>
        fn(s, v, { service: s.name, version: v.name, release: v.release ?? "" }),
      ),
    );
  const perRollout = (
    fn: (s: ServiceMetrics, r: NonNullable<ServiceMetrics["rollout"]>) => Sample[],
  ) => snapshot.services.flatMap((s) => (s.rollout ? fn(s, s.rollout) : []));

  family(
    "keystone_requests_total",
    "counter",
    "Requests proxied to a version, by why they went there.",
    perVersion((_, v, labels) =>
      v.traffic.map((t) => [{ ...labels, reason: t.reason }, t.requests]),
    ),
  );
  family(
    "keystone_request_errors_total",
    "counter",
    "Requests counted as errors (errorStatuses, or no answer from the origin).",
    perVersion((_, v, labels) => v.traffic.map((t) => [{ ...labels, reason: t.reason }, t.errors])),
  );
  family(
    "keystone_client_incomplete_requests_total",
    "counter",
    "Requests the client did not finish (its body stalled or was abandoned): not the version's, in no other request counter or duration.",
    perVersion((_, v, labels) =>
      v.traffic.map((t) => [{ ...labels, reason: t.reason }, t.clientIncomplete]),
    ),
  );
  const histogram = "keystone_request_duration_seconds";
  out.push(
    `# HELP ${histogram} Time to the origin's response headers.`,
    `# TYPE ${histogram} histogram`,
    ...perVersion((_, v, labels) => [
      ...LATENCY_BUCKETS_SECONDS.map(
        (le, i): Sample => [{ ...labels, le: String(le) }, v.latency.buckets[i]!],
      ),
      [{ ...labels, le: "+Inf" }, v.latency.count],
    ]).map(([labels, value]) => line(`${histogram}_bucket`, labels, value)),
    ...perVersion((_, v, labels) => [[labels, v.latency.sumSeconds]]).map(([labels, value]) =>
      line(`${histogram}_sum`, labels, value),
    ),
    ...perVersion((_, v, labels) => [[labels, v.latency.count]]).map(([labels, value]) =>
      line(`${histogram}_count`, labels, value),
    ),
  );
  family(
    "keystone_version_weight_percent",
    "gauge",
    "Configured share of public traffic (percent), the rollout's weight applied.",
    perVersion((_, v, labels) => [[labels, v.weightPercent]]),
  );
  family(
    "keystone_version_role",
    "gauge",
    "1 for the version's role in the service's rollout: candidate, baseline or other.",
    perVersion((_, v, labels) => [[{ ...labels, role: v.role }, 1]]),
  );
  family(
    "keystone_version_healthy",
    "gauge",
    "1 when the version's healthPath answered 2xx at scrape time, 0 when not; absent without one.",
    perVersion((_, v, labels) =>
      v.health === "unchecked" ? [] : [[labels, v.health === "healthy" ? 1 : 0]],
    ),
  );
  family(
    "keystone_rollout_phase",
    "gauge",
    "1 for the phase of the service's latest rollout, 0 for the others.",
    perRollout((s, r) =>
      RolloutPhase.options.map((phase) => [{ service: s.name, phase }, r.phase === phase ? 1 : 0]),
    ),
  );
  const rolloutGauge = (
    name: string,
    help: string,
    value: (r: NonNullable<ServiceMetrics["rollout"]>) => number | null,
  ) =>
    family(
      name,
      "gauge",
      help,
      perRollout((s, r) => {
        const v = value(r);
        return v === null ? [] : [[{ service: s.name, candidate: r.candidate }, v]];
      }),
    );
  rolloutGauge(
    "keystone_rollout_step",
    "Current step (1-based) of the latest rollout.",
    (r) => r.step,
  );
  rolloutGauge("keystone_rollout_steps", "Steps in the latest rollout's plan.", (r) => r.stepCount);
  rolloutGauge(
    "keystone_rollout_bake_remaining_seconds",
    "Bake time left in the current step; absent at a gate or after the rollout ended.",
    (r) => r.bakeLeftSeconds,
  );
  rolloutGauge(
    "keystone_rollout_started_timestamp_seconds",
    "When the latest rollout started (Unix time).",
    (r) => seconds(r.startedAt),
  );
  rolloutGauge(
    "keystone_rollout_last_verdict_timestamp_seconds",
    "When the latest rollout's last verdict was taken (Unix time).",
    (r) => (r.lastVerdictAt === null ? null : seconds(r.lastVerdictAt)),
  );
  family(
    "keystone_rollout_wave_info",
    "gauge",
    "1 while the latest rollout's current step is a regional wave; place names where its weight holds.",
    perRollout((s, r) =>
      r.place ? [[{ service: s.name, candidate: r.candidate, place: r.place }, 1]] : [],
    ),
  );
  const checkFamily = (
    name: string,
    help: string,
    value: (c: NonNullable<ServiceMetrics["rollout"]>["checks"][number]) => number,
  ) =>
    family(
      name,
      "gauge",
      help,
      perRollout((s, r) =>
        r.checks.map((c) => [
          { service: s.name, candidate: r.candidate, check: c.check },
          value(c),
        ]),
      ),
    );
  checkFamily(
    "keystone_analysis_value",
    "Measured value of a check in the last verdict (errorRate/errorRateDelta percent, p95 seconds, latencyRatio ratio, minRequests requests).",
    (c) => c.value,
  );
  checkFamily(
    "keystone_analysis_threshold",
    "Threshold of a check, in the same unit as keystone_analysis_value.",
    (c) => c.threshold,
  );
  checkFamily(
    "keystone_analysis_passed",
    "1 when the check passed in the last verdict, 0 when it failed.",
    (c) => (c.passed ? 1 : 0),
  );
  family(
    "keystone_mirror_responses_total",
    "counter",
    "Mirrored (shadow) requests by result: match, mismatch (differed from the client's response), failed (the mirrored origin gave no answer).",
    perVersion((_, v, labels) => {
      const m = v.mirror;
      if (!m) return [];
      const match: Sample = [{ ...labels, result: "match" }, m.compared - m.mismatched];
      return [
        match,
        [{ ...labels, result: "mismatch" }, m.mismatched],
        [{ ...labels, result: "failed" }, m.failed],
      ];
    }),
  );
  family(
    "keystone_deployments_total",
    "counter",
    "Ended rollouts by outcome: promoted, rolledBack, aborted.",
    snapshot.services.flatMap((s) =>
      Object.entries(s.deployments).map(
        ([outcome, n]): Sample => [{ service: s.name, outcome }, n],
      ),
    ),
  );
  const table = snapshot.routeTable;
  family(
    "keystone_route_table_generation",
    "gauge",
    "Generation of the route document in KV (rises with every publication).",
    table ? [[{}, table.generation]] : [],
  );
  family(
    "keystone_route_table_published_timestamp_seconds",
    "gauge",
    "When the route document in KV was published (Unix time).",
    table ? [[{}, seconds(table.publishedAt)]] : [],
  );
  family(
    "keystone_route_table_pending_generations",
    "gauge",
    "Publications the registry made that the route document in KV does not hold yet.",
    table ? [[{}, table.pendingGenerations]] : [],
  );
  return `${out.join("\n")}\n`;
}
