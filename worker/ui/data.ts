// The one place the status page reads from: the registry, each service object (rollout, history,
// incidents) and each version's stats object (the last 30 minutes in one series call). Re-wire
// here when those RPCs change.

import { ServiceRecord } from "../../schemas/api-responses.ts";
import { Incident, type IncidentWire } from "../../schemas/incident.ts";
import type { RegistryEntry } from "../../schemas/ledger.ts";
import type { RolloutState } from "../../schemas/rollout-state.ts";
import { WindowStats } from "../../schemas/stats.ts";
import { bakeLeftSeconds, roleOf } from "../admin/metrics/convert.ts";
import { liveServices } from "../admin/service-record.ts";
import { knownServiceObjectOf, serviceObjectOf } from "../contracts.ts";
import { incidentWire } from "../control-plane/service/wire.ts";
import { VersionStats } from "../control-plane/stats/version-stats.ts";
import { isHeldForRelease } from "../core/ledger/release-hold.ts";
import { rolesOf } from "../core/rollout/effective.ts";
import { eventText } from "../core/rollout/event-words.ts";
import { metricCheckRows } from "../core/rollout/judged-check-rows.ts";
import { stepsOf } from "../core/rollout/steps.ts";
import { nextRolloutTickAt, tickIntervalMs } from "../core/rollout/tick-schedule.ts";
import type { Env } from "../env.ts";
import {
  type MinuteFigures,
  type ReleasePanel,
  type ServicePanel,
  StatusPageModel,
  type VersionPanel,
} from "./model.ts";

const MINUTE_MS = 60_000;
/** Points of the small charts: the last 30 minutes, one a minute. */
const CHART_MINUTES = 30;
const HISTORY_LINES = 12;
const INCIDENT_LINES = 5;

export async function readStatusPage(env: Env, now: number): Promise<StatusPageModel> {
  const entries = await liveServices(env);
  const services = await Promise.all(entries.map((entry) => readService(env, entry, now)));
  return StatusPageModel.parse({ generatedAt: new Date(now).toISOString(), services });
}

async function readService(env: Env, entry: RegistryEntry, now: number): Promise<ServicePanel> {
  const { config } = entry;
  const service = serviceObjectOf(env, config.name);
  const [rollout, history, record, incidents] = await Promise.all([
    service.rolloutState(),
    service.history(),
    service.record(),
    service.incidents(),
  ]);
  const { baseline, candidate } = rolesOf(config, rollout);
  const versions = await Promise.all(
    Object.entries(config.versions).map(async ([name, version]): Promise<VersionPanel> => {
      const minutes = await lastMinutes(env, config.name, name, now);
      return {
        name,
        release: version.release ?? null,
        role: roleOf(name, baseline, candidate),
        weightPercent: config.split[name] ?? 0,
        now: minutes[minutes.length - 1]!,
        lastMinutes: minutes,
      };
    }),
  );
  const plan = config.rollout ? stepsOf(config.rollout) : [];
  return {
    name: config.name,
    revision: record?.revision ?? 0,
    releases: releasePanel(ServiceRecord.nullable().parse(record)),
    hosts: config.hosts,
    split: Object.entries(config.split).map(([version, percent]) => ({ version, percent })),
    thresholds: {
      maxErrorRatePercent: config.rollout?.analysis.maxErrorRatePercent ?? null,
      maxP95Ms: config.rollout?.analysis.maxP95Ms ?? null,
    },
    versions,
    rollout: rollout && {
      phase: rollout.phase,
      pausedBy: rollout.phase === "paused" ? rollout.pausedBy : null,
      strategy: rollout.strategy,
      candidate: rollout.candidate,
      // The release the rollout started with (kept in its state); older states: the track's now.
      release: rollout.release ?? config.versions[rollout.candidate]?.release ?? null,
      baseline: rollout.baseline,
      step: rollout.stepIndex + 1,
      steps: plan.map((s) => ({
        kind: s.kind,
        weightPercent: s.kind === "weight" ? s.weight : null,
      })),
      weightPercent: rollout.weight,
      bakeLeftSeconds: rollout.phase === "progressing" ? bakeLeftSeconds(rollout, plan, now) : null,
      nextTickSeconds: nextTickSeconds(env, rollout, now),
      lastVerdict: rollout.lastVerdict && {
        at: new Date(rollout.lastVerdict.at).toISOString(),
        outcome: rollout.lastVerdict.outcome,
        reason: rollout.lastVerdict.reason,
        metrics: metricCheckRows(rollout.lastVerdict.judgement?.metrics ?? []),
      },
    },
    history: history
      .slice(-HISTORY_LINES)
      .reverse()
      .map(({ at, type, author, reason, detail }) => ({
        at,
        type,
        what: eventText({ type, detail }),
        author,
        reason,
      })),
    incidents: Incident.array()
      .parse(incidents)
      .slice(0, INCIDENT_LINES)
      .map((incident) => ({
        id: incident.id,
        at: new Date(incident.at).toISOString(),
        title: `Incident ${incident.id}: ${incident.outcome === "aborted" ? "aborted" : "rolled back"}${incident.release ? ` (${incident.release})` : ""}`,
        summary: incident.summary,
      })),
  };
}

/**
 * Seconds until the cron next judges the rollout (or cuts a ramp back): the time `rollout status`
 * gives as nextTickAt, from the same schedule the service object sets its alarm by, due now when
 * late. Null when no tick will judge it: ended, or paused (a rollout held for its release is still
 * analysed).
 */
function nextTickSeconds(env: Env, rollout: RolloutState, now: number): number | null {
  if (rollout.phase === "paused" && !isHeldForRelease(rollout)) return null;
  const at = nextRolloutTickAt(rollout, tickIntervalMs(env.ROLLOUT_TICK_SECONDS));
  return at === null ? null : Math.max(0, at - now) / 1000;
}

/** The release the config file asks for, beside the one serving (from the service's record). */
function releasePanel(record: ServiceRecord | null): ReleasePanel {
  const desired = record?.spec.release?.name ?? null;
  const serving = record?.serving;
  return {
    desired,
    serving: serving ? (serving.name ?? serving.origin) : null,
    servingSince: serving ? `since revision ${serving.revision} (${serving.how})` : null,
  };
}

/** One window per minute, oldest first; the last one ends now: one stats call per version. */
async function lastMinutes(
  env: Env,
  service: string,
  version: string,
  now: number,
): Promise<MinuteFigures[]> {
  // Stats buckets are one second long and a window takes whole buckets: windows start on a
  // second so that no bucket falls in two of them. The last one ends with the current second.
  const lastSecond = now - (now % 1000);
  const from = lastSecond - CHART_MINUTES * MINUTE_MS + 1000;
  const points = await new VersionStats(env, service, version).series({
    from,
    to: lastSecond,
    stepMs: MINUTE_MS,
  });
  return WindowStats.array().parse(points).map(minuteFigures);
}

function minuteFigures(stats: WindowStats): MinuteFigures {
  return {
    requestsPerSecond: stats.requests / 60,
    errorRatePercent: stats.errorRatePercent,
    p95Ms: stats.p95,
  };
}

/** One incident whole, for its own page; null when the service has no such incident. */
export async function readIncident(
  env: Env,
  service: string,
  id: string,
): Promise<IncidentWire | null> {
  const object = await knownServiceObjectOf(env, service);
  if (!object) return null;
  const incident = Incident.nullable().parse(await object.incident(id));
  return incident && incidentWire(incident);
}
