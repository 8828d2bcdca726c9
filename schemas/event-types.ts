// The kinds of history events, defined once: notify subscriptions, history, the ledger and the CLI
// all name events from this list.
import * as z from "zod";
import { HISTORY_EVENT_TYPES, ROUTINE_EVENT_TYPES } from "./config-words.ts";

export const HistoryEventType = z.enum(HISTORY_EVENT_TYPES);

/** The events a notify target may subscribe to: all but the routine ones. */
export const NotifyEvent = HistoryEventType.exclude(ROUTINE_EVENT_TYPES);

export type HistoryEventType = z.infer<typeof HistoryEventType>;
export type NotifyEvent = z.infer<typeof NotifyEvent>;
