// The kinds of history events, defined once: notify subscriptions, history, the ledger and the CLI
// all name events from this list.
import * as z from "zod";

export const HistoryEventType = z.enum([
  "config.applied",
  "weights.changed",
  "config.reverted",
  "service.deleted",
  "rollout.started",
  "rollout.advanced",
  "rollout.paused",
  "rollout.resumed",
  "rollout.promoted",
  "rollout.rolledBack",
  "rollout.aborted",
  "rollout.checkFailed",
  "rollout.deadlineExceeded",
  "rollout.noTraffic",
]);

/** The events a notify target may subscribe to: all but the routine ones. */
export const NotifyEvent = HistoryEventType.exclude([
  "weights.changed",
  "config.reverted",
  "service.deleted",
  "rollout.checkFailed",
]);

export type HistoryEventType = z.infer<typeof HistoryEventType>;
export type NotifyEvent = z.infer<typeof NotifyEvent>;
