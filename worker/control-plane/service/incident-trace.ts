// When did the candidate of a rollout that ended badly last get a request the rollout sent it
// (split or experiment routes)? Read from its stats object after the end and stored into the
// incident; read again until no isolate can still send it any (the fast-abort halt's bound, plus
// a flush), then settled. A newer rollout's traffic is never counted.
import type { Effect } from "../../../schemas/ledger.ts";
import { haltHoldsUntil, refreshBoundMs } from "../../core/ledger/status.ts";
import type { Env } from "../../env.ts";
import { VersionStats } from "../stats/version-stats.ts";
import type { ServiceStore } from "./service-store.ts";

/** How soon to look again while the rollback's publication is not yet acknowledged. */
const UNACKNOWLEDGED_RETRY_MS = 10_000;

/** The isolates' refresh bound of this deployment (docs/architecture.md, Halts). */
export function haltBoundOf(env: Env): number {
  return refreshBoundMs(Number(env.ROUTE_REFRESH_SECONDS ?? "30") || 30);
}

/** Outcomes reach the stats object within a flush of being served (plus its retries). */
function flushMarginMs(env: Env): number {
  return ((Number(env.METRICS_FLUSH_SECONDS ?? "5") || 5) + 5) * 1000;
}

/** Traces once and stores what it found; when to trace again, or null once settled. */
export async function traceCandidate(
  env: Env,
  store: ServiceStore,
  effect: Extract<Effect, { kind: "traceCandidate" }>,
  now: number,
): Promise<number | null> {
  const state = store.load(effect.service);
  const newer = state.rollout && state.rollout.id !== effect.rolloutId ? state.rollout : null;
  // Up to a newer rollout's start (its traffic is not this one's), else every bucket there is.
  // Buckets are whole seconds: the one the newer rollout started in holds its traffic, so stop
  // before that second, not just before its start.
  const to = newer ? newer.startedAt - (newer.startedAt % 1000) - 1 : Number.MAX_SAFE_INTEGER;
  const at = await new VersionStats(env, effect.service, effect.version).lastRequest({
    from: effect.from,
    to,
    routes: ["split", "experiment"],
  });
  const halt = state.halt?.rolloutId === effect.rolloutId ? state.halt : null;
  const holdsUntil = halt ? haltHoldsUntil(halt, haltBoundOf(env)) : null;
  const settleAt = holdsUntil === null ? null : holdsUntil + flushMarginMs(env);
  // Without this rollout's halt, a newer rollout has started: nothing later is this one's.
  const settled = halt === null || (settleAt !== null && now >= settleAt);
  store.incidents.traced(effect.incidentId, {
    at,
    tracedAt: now,
    settled,
  });
  return settled ? null : (settleAt ?? now + UNACKNOWLEDGED_RETRY_MS);
}
