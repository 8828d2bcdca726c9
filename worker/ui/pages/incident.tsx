/** @jsxImportSource hono/jsx */
// One incident on its own page: what happened, the failed checks with their numbers, the
// timeline with each step's figures, and the candidate's last request, in the words every view
// uses (event-words.ts). Every string escaped.
import type { IncidentWire } from "../../../schemas/incident.ts";
import {
  actorText,
  EVENT_NAMES,
  figuresText,
  lastRequestText,
  timeText,
  weightText,
} from "../../core/rollout/event-words.ts";
import { judgeCheckRows, metricCheckRows } from "../../core/rollout/judged-check-rows.ts";
import {
  baselineText,
  CHECK_NAMES,
  formatCheckValue,
} from "../../core/rollout/threshold-checks.ts";
import { Document, REFRESH_SECONDS } from "./layout.tsx";

export function IncidentPage(props: { incident: IncidentWire }) {
  const { incident } = props;
  const outcome = incident.outcome === "aborted" ? "aborted" : "rolled back";
  const who = actorText(incident.actor);
  const judge = incident.failedJudgeChecks;
  const judged = judge ? judgeCheckRows(judge.checks, judge.confidencePercent) : [];
  const metrics = metricCheckRows(incident.metrics ?? []);
  // Refreshed like the service view: an incident's trace and the candidate's last request are
  // filled in after the rollout ends, and an open page should show them without a reload.
  return (
    <Document
      title={`Keystone Edge: incident ${incident.id} of ${incident.service}`}
      refreshSeconds={REFRESH_SECONDS}
    >
      <header>
        <h1>
          Incident {incident.id} of {incident.service}: rollout {outcome}
        </h1>
        <span class="muted">refreshes every {REFRESH_SECONDS} s</span>
        <a href={`/_keystone/ui#service-${encodeURIComponent(incident.service)}`}>All services</a>
      </header>
      <main>
        <section class="service incident" data-incident={incident.id}>
          <p class="summary">{incident.summary}</p>
          <table class="facts">
            <tbody>
              <tr>
                <th>Release</th>
                <td>
                  {incident.candidate.track} {incident.release ?? incident.candidate.origin} against{" "}
                  {incident.baseline.track} {incident.baseline.release ?? ""}
                </td>
              </tr>
              <tr>
                <th>Rollout</th>
                <td>
                  {incident.strategy}, ended at step {incident.step} of {incident.stepCount} with{" "}
                  {incident.weight}% of traffic
                </td>
              </tr>
              <tr>
                <th>Started</th>
                <td>{timeText(incident.startedAt)}</td>
              </tr>
              <tr>
                <th>Decided</th>
                <td class="actor">
                  {timeText(incident.at)} by {who}
                </td>
              </tr>
              <tr>
                <th>Why</th>
                <td class="reason">{incident.reason}</td>
              </tr>
              <tr>
                <th>Last request to the candidate</th>
                <td>{lastRequestText(incident.lastCandidateRequest, timeText)}</td>
              </tr>
            </tbody>
          </table>
          {incident.failedChecks.length > 0 || judged.length > 0 ? (
            <>
              <h3>Failed checks</h3>
              <table class="checks">
                <thead>
                  <tr>
                    <th>check</th>
                    <th class="num">measured</th>
                    <th class="num">threshold</th>
                    <th class="num">baseline</th>
                  </tr>
                </thead>
                <tbody>
                  {incident.failedChecks.map((c) => (
                    <tr data-check={c.check}>
                      <td>{CHECK_NAMES[c.check]}</td>
                      <td class="num bad">{formatCheckValue(c.check, c.measured)}</td>
                      <td class="num">{formatCheckValue(c.check, c.threshold)}</td>
                      <td class="num">{baselineText(c)}</td>
                    </tr>
                  ))}
                  {judged.map((r) => (
                    <tr data-check="statistical">
                      <td>{r.check}</td>
                      <td class="num bad">{r.measured}</td>
                      <td class="num">{r.threshold}</td>
                      <td class="num">{r.baseline}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : null}
          {metrics.length > 0 ? (
            <>
              <h3>Metrics</h3>
              <table class="checks">
                <thead>
                  <tr>
                    <th>metric and query</th>
                    <th class="num">value</th>
                    <th>condition</th>
                    <th class="num">baseline</th>
                    <th>result</th>
                  </tr>
                </thead>
                <tbody>
                  {metrics.map((r) => (
                    <tr data-check="metric">
                      <td>{r.check}</td>
                      <td class="num">{r.measured}</td>
                      <td>{r.threshold}</td>
                      <td class="num">{r.baseline}</td>
                      <td>{r.result}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : null}
          <h3>Timeline</h3>
          <table class="history timeline">
            <thead>
              <tr>
                <th>when (UTC)</th>
                <th>event</th>
                <th class="num">step</th>
                <th class="num">weight</th>
                <th>by</th>
                <th>candidate</th>
                <th>baseline</th>
                <th>why</th>
              </tr>
            </thead>
            <tbody>
              {incident.timeline.map((m) => (
                <tr data-event={m.event}>
                  <td>{timeText(m.at)}</td>
                  <td>{EVENT_NAMES[m.event]}</td>
                  <td class="num">{m.step}</td>
                  <td class="num">{weightText(m.weight, m.fromWeight)}</td>
                  <td>{m.by ?? "–"}</td>
                  <td>{figuresText(m.candidate)}</td>
                  <td>{figuresText(m.baseline)}</td>
                  <td class="reason">{m.reason ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p class="muted">
            In a terminal: keystone incident show {incident.service} {incident.id}
          </p>
        </section>
      </main>
    </Document>
  );
}
