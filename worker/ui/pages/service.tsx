/** @jsxImportSource hono/jsx */
// One service on the status page: split, rollout, live figures with charts, history, incidents.

import { formatDuration } from "../../../schemas/duration.ts";
import { OUTCOME_NAMES, PHASE_NAMES, timeText } from "../../core/rollout/event-words.ts";
import type { IncidentLine, ServicePanel } from "../model.ts";

type RolloutPanelVerdict = NonNullable<ServicePanel["rollout"]>["lastVerdict"];

import { Chart } from "./charts.tsx";
import { StepsBar } from "./steps.tsx";

/** An incident's own page on the status page. */
const incidentHref = (service: string, id: string) =>
  `/_keystone/ui/services/${encodeURIComponent(service)}/incidents/${encodeURIComponent(id)}`;

const fixed = (n: number | null, digits: number, unit = "") =>
  n === null ? "–" : `${n.toFixed(digits)}${unit}`;

/** Bake left as the CLI's `rollout status` says it ("9m57s", "42s"), not "597 s". */
const bakeLeft = (seconds: number) =>
  seconds <= 0 ? "0s" : formatDuration(Math.ceil(seconds) * 1000);

/** "in 42 s", "due now": relative, as the bake left is, and right for the page's 5 s refresh. */
const inSeconds = (seconds: number) => (seconds <= 0 ? "due now" : `in ${Math.ceil(seconds)} s`);

function Rollout(props: { service: ServicePanel }) {
  const rollout = props.service.rollout;
  if (!rollout) return <p class="muted">No rollout yet.</p>;
  return (
    <div class="rollout">
      <p>
        <span class="phase">{PHASE_NAMES[rollout.phase]}</span>
        {rollout.pausedBy ? ` (${rollout.pausedBy})` : ""} · {rollout.strategy} rollout of{" "}
        <strong>{rollout.candidate}</strong>
        {rollout.release ? (
          <>
            {" "}
            (release <strong class="candidate-release">{rollout.release}</strong>)
          </>
        ) : null}{" "}
        against {rollout.baseline} · step {rollout.step} of {rollout.steps.length} · candidate at{" "}
        {rollout.weightPercent}%
        {rollout.bakeLeftSeconds === null
          ? ""
          : ` · ${bakeLeft(rollout.bakeLeftSeconds)} of bake left`}
        {rollout.nextTickSeconds === null ? null : (
          <span class="next-tick">
            {` · ${rollout.phase === "rolledBack" ? "next cut back" : "next analysis"} ${inSeconds(rollout.nextTickSeconds)}`}
          </span>
        )}
      </p>
      <StepsBar rollout={rollout} />
      {rollout.lastVerdict ? (
        <p class="verdict">
          Last verdict ({OUTCOME_NAMES[rollout.lastVerdict.outcome]},{" "}
          {timeText(rollout.lastVerdict.at)}): {rollout.lastVerdict.reason}
        </p>
      ) : null}
      {rollout.lastVerdict && rollout.lastVerdict.metrics.length > 0 ? (
        <MetricTable rows={rollout.lastVerdict.metrics} />
      ) : null}
    </div>
  );
}

/** The last verdict's own metrics: query, value(s), condition and result, as explain prints them. */
function MetricTable(props: { rows: NonNullable<RolloutPanelVerdict>["metrics"] }) {
  return (
    <table class="metrics">
      <thead>
        <tr>
          <th>metric and query</th>
          <th>measured</th>
          <th>condition</th>
          <th>baseline</th>
          <th>result</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr>
            <td>
              <code>{row.check}</code>
            </td>
            <td>{row.measured}</td>
            <td>{row.threshold}</td>
            <td>{row.baseline}</td>
            <td>{row.result}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Versions(props: { service: ServicePanel }) {
  return (
    <table class="versions">
      <thead>
        <tr>
          <th>version</th>
          <th>release</th>
          <th>role</th>
          <th class="num">weight</th>
          <th class="num">req/s</th>
          <th class="num">error %</th>
          <th class="num">p95</th>
        </tr>
      </thead>
      <tbody>
        {props.service.versions.map((v) => (
          <tr class={`role-${v.role}`} data-version={v.name}>
            <td>{v.name}</td>
            <td class="release">{v.release ?? "–"}</td>
            <td>{v.role}</td>
            <td class="num">{v.weightPercent}%</td>
            <td class="num">{fixed(v.now.requestsPerSecond, 2)}</td>
            <td class="num">{fixed(v.now.errorRatePercent, 2, "%")}</td>
            <td class="num">{fixed(v.now.p95Ms, 0, " ms")}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Charts(props: { service: ServicePanel }) {
  const { versions, thresholds } = props.service;
  const lines = (
    pick: (m: ServicePanel["versions"][number]["lastMinutes"][number]) => number | null,
  ) => versions.map((v) => ({ name: v.name, role: v.role, points: v.lastMinutes.map(pick) }));
  return (
    <div class="charts">
      <Chart title="req/s" unit="" lines={lines((m) => m.requestsPerSecond)} threshold={null} />
      <Chart
        title="error %"
        unit="%"
        lines={lines((m) => m.errorRatePercent)}
        threshold={thresholds.maxErrorRatePercent}
      />
      <Chart
        title="p95 ms"
        unit=" ms"
        lines={lines((m) => m.p95Ms)}
        threshold={thresholds.maxP95Ms}
      />
    </div>
  );
}

function History(props: { service: ServicePanel }) {
  if (props.service.history.length === 0) return <p class="empty">No history.</p>;
  return (
    <table class="history">
      <thead>
        <tr>
          <th>when</th>
          <th>what</th>
          <th>who</th>
          <th>why</th>
        </tr>
      </thead>
      <tbody>
        {props.service.history.map((h) => (
          <tr>
            <td>{timeText(h.at)}</td>
            <td>{h.what}</td>
            <td>{h.author ?? "–"}</td>
            <td class="reason">{h.reason ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Incidents(props: { service: string; incidents: IncidentLine[] }) {
  if (props.incidents.length === 0) return <p class="empty">No incidents recorded.</p>;
  return (
    <ul class="incidents">
      {props.incidents.map((i) => (
        <li data-incident={i.id}>
          <a href={incidentHref(props.service, i.id)}>
            <strong>{i.title}</strong>
          </a>{" "}
          <span class="muted">{timeText(i.at)}</span>
          <br />
          {i.summary}
        </li>
      ))}
    </ul>
  );
}

export function ServiceSection(props: { service: ServicePanel }) {
  const { service } = props;
  return (
    <section class="service" id={`service-${service.name}`} data-service={service.name}>
      <h2>{service.name}</h2>
      <p class="muted">
        revision {service.revision} · {service.hosts.join(", ")}
      </p>
      <p class="split">
        split: {service.split.map((s) => `${s.version} ${s.percent}%`).join(" · ")}
      </p>
      <p class="releases">
        desired: <strong class="desired">{service.releases.desired ?? "–"}</strong> (config file) ·
        serving: <strong class="serving">{service.releases.serving ?? "–"}</strong>{" "}
        <span class="muted">{service.releases.servingSince ?? ""}</span>
      </p>
      <h3>Rollout</h3>
      <Rollout service={service} />
      <h3>Versions, last minute</h3>
      <Versions service={service} />
      <Charts service={service} />
      <h3>History</h3>
      <History service={service} />
      <h3>Incidents</h3>
      <Incidents service={service.name} incidents={service.incidents} />
    </section>
  );
}
