// The one place /_keystone/metrics reads from: the registry, each service object, each version's
// stats object, the route document in KV, and each version's health path. Re-wire here when the
// Durable Objects' RPCs change; the renderer only sees the MetricsSnapshot.

import { isActive, type RolloutState } from "../../../schemas/rollout-state.ts";
import {
  ROUTES_HEAD_KEY,
  ROUTES_KEY,
  RoutesDocEnvelope,
  RoutesHead,
} from "../../../schemas/routes-doc.ts";
import type { Service } from "../../../schemas/service.ts";
import { registryOf, serviceObjectOf, statsObjectOf } from "../../contracts.ts";
import { VersionStats } from "../../control-plane/stats/version-stats.ts";
import { sumRoutes } from "../../core/metrics/route-counts.ts";
import { rolesOf } from "../../core/rollout/effective.ts";
import { placeAt, type Step, stepsOf } from "../../core/rollout/steps.ts";
import { describeWhere } from "../../core/wave.ts";
import type { Env } from "../../env.ts";
import { liveServices } from "../service-record.ts";
import { bakeLeftSeconds, checksOf, latencySeconds, roleOf, trafficByReason } from "./convert.ts";
import { MetricsSnapshot, type VersionMetrics } from "./model.ts";

/** A health path slower than this counts as failing: a scrape must not hang on one origin. */
const HEALTH_TIMEOUT_MS = 2_000;

export async function readMetricsSnapshot(env: Env, now: number): Promise<MetricsSnapshot> {
  const [entries, routeTable] = await Promise.all([liveServices(env), readRouteTable(env)]);
  const services = await Promise.all(entries.map(({ config }) => readService(env, config, now)));
  return MetricsSnapshot.parse({ services, routeTable });
}

async function readService(env: Env, config: Service, now: number) {
  const service = serviceObjectOf(env, config.name);
  const [rollout, deployments] = await Promise.all([
    service.rolloutState(),
    service.deploymentCounts(),
  ]);
  const { baseline, candidate } = rolesOf(config, rollout);
  const versions = await Promise.all(
    Object.entries(config.versions).map(async ([name, version]): Promise<VersionMetrics> => {
      const stats = statsObjectOf(env, config.name, name);
      const [perRoute, health, mirror] = await Promise.all([
        new VersionStats(env, config.name, name).totals(),
        version.healthPath ? probe(version.origin, version.healthPath) : ("unchecked" as const),
        config.mirror?.version === name ? stats.mirrorTotals() : null,
      ]);
      return {
        name,
        release: version.release ?? null,
        role: roleOf(name, baseline, candidate),
        weightPercent: config.split[name] ?? 0,
        traffic: trafficByReason(perRoute),
        latency: latencySeconds(sumRoutes(perRoute, undefined).histogram),
        health,
        mirror,
      };
    }),
  );
  const steps = config.rollout ? stepsOf(config.rollout) : [];
  return {
    name: config.name,
    versions,
    deployments,
    rollout: rollout && {
      candidate: rollout.candidate,
      baseline: rollout.baseline,
      phase: rollout.phase,
      step: rollout.stepIndex + 1,
      stepCount: rollout.stepCount,
      startedAt: new Date(rollout.startedAt).toISOString(),
      bakeLeftSeconds: bakeLeftSeconds(rollout, steps, now),
      lastVerdictAt: rollout.lastVerdict ? new Date(rollout.lastVerdict.at).toISOString() : null,
      checks: config.rollout ? checksOf(config.rollout.analysis, rollout) : [],
      place: placeOf(rollout, steps),
    },
  };
}

/** The generation KV holds: the head's, or an older registry's document's. */
async function readRouteTable(env: Env) {
  const [head, published] = await Promise.all([
    env.ROUTES.get(ROUTES_HEAD_KEY),
    registryOf(env).generation(),
  ]);
  const parsed =
    head !== null
      ? RoutesHead.safeParse(safeJson(head))
      : RoutesDocEnvelope.safeParse(safeJson(await env.ROUTES.get(ROUTES_KEY)));
  if (!parsed.success) return null;
  return {
    generation: parsed.data.generation,
    publishedAt: parsed.data.publishedAt,
    pendingGenerations: Math.max(0, published - parsed.data.generation),
  };
}

function safeJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function probe(origin: string, path: string): Promise<"healthy" | "failing"> {
  try {
    // Joined as the rollout's own health check joins them: the origin may carry a path.
    const response = await fetch(`${origin.replace(/\/+$/, "")}${path}`, {
      signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return response.ok ? "healthy" : "failing";
  } catch {
    return "failing";
  }
}

/** The regional wave of an active rollout's current step, in words. */
function placeOf(rollout: RolloutState, steps: Step[]): string | null {
  const where = isActive(rollout) ? placeAt(steps, rollout.stepIndex) : null;
  return where ? describeWhere(where) : null;
}
