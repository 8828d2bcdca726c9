// The progress deadline: a rollout that has not left its step (held by its analysis, a gate or a
// health check, waiting at a pause gate, paused) within rollout.progressDeadline is aborted, or
// reported once per step with onDeadline: notify. Pure: the tick runner asks after each tick.
import { formatDuration, parseDuration } from "../../../schemas/duration.ts";
import type { DeadlineExceeded, EventDetail } from "../../../schemas/history.ts";
import type { Effect, TickReply } from "../../../schemas/ledger.ts";
import { isActive, type RolloutState } from "../../../schemas/rollout-state.ts";
import { abortRollout } from "../rollout/commands.ts";
import { notifyEffects, rolloutDetail, rolloutText } from "./records.ts";
import { commitRollout } from "./rollout-changes.ts";
import type { Decision, LedgerEvent, LedgerState } from "./state.ts";

const EVENT = "rollout.deadlineExceeded" as const;
const CRON = { author: "cron" };

/**
 * When the rollout entered the step it is in. A gate keeps the previous step's window (its
 * figures still show), so the time it reached the gate is its gate verdict's.
 */
function stepSince(rollout: RolloutState): number {
  const verdict = rollout.lastVerdict;
  if (rollout.pausedBy === "gate" && verdict?.outcome === "gate")
    return Math.max(rollout.stepStartedAt, verdict.at);
  return rollout.stepStartedAt;
}

function stuckBy(rollout: RolloutState): string {
  if (rollout.phase === "progressing") {
    // A verdict that held says so itself ("held by metric …"): not "held: held by".
    const reason = rollout.lastVerdict?.reason ?? "no verdict yet";
    return reason.startsWith("held ") ? reason : `held: ${reason}`;
  }
  if (rollout.pausedBy === "gate") return "waiting at a pause gate for keystone rollout promote";
  return rollout.pausedBy === "analysis" ? "paused after failed analysis" : "paused by an operator";
}

const withDeadline = (detail: EventDetail | null, deadline: DeadlineExceeded) =>
  detail?.kind === "rollout" ? { ...detail, deadline } : detail;

/**
 * The decision the deadline forces at `now`, or undefined when it has not passed (or was told).
 * `heldBy`: what held this tick when it is not the rollout's own state (its figures unreadable).
 */
export function deadlineTick(
  state: LedgerState,
  now: number,
  heldBy?: string,
): Decision<TickReply> | undefined {
  const policy = state.config?.rollout;
  const rollout = state.rollout;
  const deadlineMs = policy?.progressDeadline ? parseDuration(policy.progressDeadline) : undefined;
  if (!policy?.progressDeadline || deadlineMs === undefined || !isActive(rollout)) return undefined;
  const since = stepSince(rollout);
  if (now < since + deadlineMs) return undefined;
  const action = policy.onDeadline ?? "abort";
  if (action === "notify" && (rollout.deadlineNotifiedAt ?? -1) >= since) return undefined;
  const deadline: DeadlineExceeded = {
    progressDeadline: policy.progressDeadline,
    waitedMs: now - since,
    stuck: heldBy ?? stuckBy(rollout),
    action,
  };
  const where = `step ${rollout.stepIndex + 1} of ${rollout.stepCount} at ${rollout.weight}%`;
  const reason = `progress deadline ${policy.progressDeadline} passed: ${formatDuration(deadline.waitedMs)} in ${where}, ${deadline.stuck}`;
  if (action === "notify") {
    const next = { ...rollout, deadlineNotifiedAt: now };
    const told = commitRollout(state, next, EVENT, { ...CRON, reason }, now, false);
    return {
      ...told,
      events: told.events.map((e) => ({ ...e, detail: withDeadline(e.detail, deadline) })),
      effects: told.effects.map((e) =>
        e.kind === "notify"
          ? {
              ...e,
              text: `${state.name}: ${EVENT} — ${reason}`,
              detail: withDeadline(e.detail, deadline),
            }
          : e,
      ),
      reply: { ticked: true, phase: next.phase, outcome: "deadline" },
    };
  }
  const aborted = abortRollout(rollout, now);
  if (!aborted.ok) return undefined;
  const abortReason = `${reason}: aborted, all traffic to the baseline`;
  const next: RolloutState = {
    ...aborted.value,
    lastVerdict: { ...aborted.value.lastVerdict!, reason: abortReason },
  };
  const ended = commitRollout(
    state,
    next,
    "rollout.aborted",
    { ...CRON, reason: abortReason },
    now,
  );
  const detail = withDeadline(rolloutDetail(next), deadline);
  const event: LedgerEvent = {
    type: EVENT,
    revision: ended.state.revision,
    ...CRON,
    reason,
    detail,
    at: now,
  };
  const told: Effect[] = notifyEffects(
    ended.state.config,
    EVENT,
    rolloutText(state.name, EVENT, next),
    detail,
    now,
  );
  return {
    ...ended,
    events: [
      event,
      ...ended.events.map((e) => ({ ...e, detail: withDeadline(e.detail, deadline) })),
    ],
    effects: [...ended.effects, ...told],
    reply: { ticked: true, phase: next.phase, outcome: "deadline" },
  };
}
