// A cron tick in three pure steps, with the I/O between them left to the caller: claim the tick
// (idempotent: a repeated or late tick is a no-op) and say which windows to read; given the
// windows, say which gate and health checks an advance needs; given their results, decide.

import type { TickReply } from "../../../schemas/ledger.ts";
import type { MirrorCounts } from "../../../schemas/mirror.ts";
import type { RolloutState } from "../../../schemas/rollout-state.ts";
import type { Service } from "../../../schemas/service.ts";
import type { WindowQuery, WindowStats } from "../../../schemas/stats.ts";
import { shownUrl } from "../../../schemas/wire-values.ts";
import type { MetricReading } from "../provider-metrics/metric-judge.ts";
import { type ProviderCall, providerCalls } from "../provider-metrics/provider-calls.ts";
import { zeroShareHint } from "../rollout/eligible-traffic.ts";
import {
  applyTick,
  decideTick,
  holdForGates,
  type TickDecision,
  type TickInput,
} from "../rollout/evaluate.ts";
import { stepsOf } from "../rollout/steps.ts";
import { countedRoutes } from "./analysis-routes.ts";
import { noTrafficNotice } from "./no-traffic.ts";
import { holdForRelease, isHeldForRelease } from "./release-hold.ts";
import { commitRollout } from "./rollout-changes.ts";
import type { Decision, LedgerState } from "./state.ts";

/** A tick that runs reads the windows and asks the providers of the analysis's own metrics. */
export type TickPlan =
  | { run: false; why: string }
  | { run: true; queries: WindowQueries; metrics: ProviderCall[] };

/** The windows a tick reads: both versions' stats, and the candidate's mirrored comparisons when judged. */
export interface WindowQueries {
  candidate: WindowQuery;
  baseline: WindowQuery;
  mirror?: WindowQuery;
}

export type { TickReply };

export interface Windows {
  candidate: WindowStats;
  baseline: WindowStats;
  mirror?: MirrorCounts;
  /** The providers' answers for the analysis's own metrics (absent without any). */
  metrics?: MetricReading[];
}

/** A check that must answer 2xx before a step's weight is applied or the rollout promoted. */
export interface GateCheck {
  what: string;
  url: string;
  method: "GET" | "POST";
  body?: string;
}

const EVENT_OF = {
  advance: "rollout.advanced",
  gate: "rollout.paused",
  promote: "rollout.promoted",
  rollback: "rollout.rolledBack",
  pause: "rollout.paused",
} as const;

const still = <R>(state: LedgerState, reply: R): Decision<R> => ({
  state,
  revisions: [],
  events: [],
  effects: [],
  reply,
});

function running(
  state: LedgerState,
):
  | { config: Service & { rollout: NonNullable<Service["rollout"]> }; rollout: RolloutState }
  | undefined {
  const config = state.config;
  const rollout = state.rollout;
  // A rollout held for its release is still analysed: a failure while it waits rolls it back.
  if (!config?.rollout || !rollout) return undefined;
  if (rollout.phase !== "progressing" && !isHeldForRelease(rollout)) return undefined;
  return { config: { ...config, rollout: config.rollout }, rollout };
}

/** Claims the tick at `now` (stored before any await, so a concurrent tick sees it). */
export function claimTick(state: LedgerState, now: number): Decision<TickPlan> {
  const live = running(state);
  if (!live) return still(state, { run: false, why: "no rollout in progress" });
  if (now <= live.rollout.lastTickAt)
    return still(state, { run: false, why: "this tick was already applied" });
  if (now < live.rollout.stepStartedAt)
    return still(state, {
      run: false,
      why: "this tick was scheduled before the current step began",
    });
  const rollout = { ...live.rollout, lastTickAt: now };
  const routes = countedRoutes(live.config, rollout);
  const query = { from: rollout.stepStartedAt, to: now, routes };
  const mirror =
    live.config.rollout.analysis.maxMirrorMismatchPercent === undefined
      ? {}
      : { mirror: { from: rollout.stepStartedAt, to: now } };
  return still(
    { ...state, rollout },
    {
      run: true,
      queries: { candidate: query, baseline: query, ...mirror },
      metrics: providerCalls(live.config, rollout, rollout.stepStartedAt, now),
    },
  );
}

function inputOf(config: Service, rollout: RolloutState, windows: Windows, now: number): TickInput {
  const policy = config.rollout!;
  const holdHint = zeroShareHint(config, rollout);
  return { policy, steps: stepsOf(policy), state: rollout, ...windows, now, holdHint };
}

function claimed(state: LedgerState, now: number) {
  const live = running(state);
  return live && live.rollout.lastTickAt === now ? live : undefined;
}

/** The checks the decision needs before it may advance or promote (none otherwise). */
export function tickChecks(state: LedgerState, windows: Windows, now: number): GateCheck[] {
  const live = claimed(state, now);
  if (!live) return [];
  const decision = decideTick(inputOf(live.config, live.rollout, windows, now));
  if (decision.kind !== "advance" && decision.kind !== "promote") return [];
  return gateChecks(live.config, live.rollout, decision.kind === "promote");
}

function gateChecks(config: Service, state: RolloutState, promoting: boolean): GateCheck[] {
  const candidate = config.versions[state.candidate]!;
  const checks: GateCheck[] = [];
  if (candidate.healthPath) {
    const url = `${candidate.origin.replace(/\/+$/, "")}${candidate.healthPath}`;
    checks.push({ what: `health check ${shownUrl(url)}`, url, method: "GET" });
  }
  const gates = promoting
    ? config.rollout?.gates?.beforePromote
    : config.rollout?.gates?.beforeStep;
  const body = JSON.stringify({
    service: config.name,
    candidate: state.candidate,
    step: state.stepIndex + 1,
    weight: state.weight,
    promoting,
  });
  for (const url of gates ?? [])
    checks.push({ what: `gate ${shownUrl(url)}`, url, method: "POST", body });
  return checks;
}

/** Decides the claimed tick: hold, advance, stop at a gate, promote, roll back or pause. */
export function tick(
  state: LedgerState,
  windows: Windows,
  gateFailures: string[],
  now: number,
): Decision<TickReply> {
  const live = claimed(state, now);
  if (!live) return still(state, { ticked: false, why: "the rollout changed during the tick" });
  const input = inputOf(live.config, live.rollout, windows, now);
  const decision: TickDecision = holdForGates(
    decideTick(input),
    gateFailures,
    live.rollout.failures,
  );
  const applied = applyTick(input, decision);
  const held = holdForRelease(live.rollout, applied);
  // A held rollout that passes again stays held: nothing new to record or publish.
  const heldAgain = held !== applied && isHeldForRelease(live.rollout);
  const notice =
    decision.kind === "hold" && decision.outcome !== "failed" && held === applied
      ? noTrafficNotice(live.config, held, windows.candidate.requests, now)
      : undefined;
  const next = notice?.next ?? held;
  const type = heldAgain
    ? undefined
    : held !== applied
      ? ("rollout.paused" as const)
      : decision.kind === "hold"
        ? decision.outcome === "failed"
          ? ("rollout.checkFailed" as const)
          : notice
            ? ("rollout.noTraffic" as const)
            : undefined
        : EVENT_OF[decision.kind];
  const publish = decision.kind !== "hold" && !heldAgain;
  const who = { author: "cron", reason: notice?.reason, says: notice?.reason };
  const committed = commitRollout(state, next, type, who, now, publish);
  return {
    ...committed,
    reply: { ticked: true, phase: next.phase, outcome: next.lastVerdict?.outcome ?? decision.kind },
  };
}
