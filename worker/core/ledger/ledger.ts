// The service ledger: a pure function of (state, command, now) to the new state, the history it
// appends, and the effects to deliver (publish, notify, halt, resume). The Durable Object only
// loads, calls this, and stores the result with its effects in one transaction.
import type { ChangeResult } from "../../../schemas/api-responses.ts";
import type { Command } from "../../../schemas/ledger.ts";
import type { Result } from "../../../schemas/result.ts";
import type { RolloutState } from "../../../schemas/rollout-state.ts";
import { apply } from "./apply-changes.ts";
import { remove, revert, setWeights } from "./config-changes.ts";
import { operate, start } from "./rollout-changes.ts";
import type { Decision, LedgerState, StoredRevision } from "./state.ts";

/** What the caller supplies beside the command: data the ledger may not fetch or mint itself. */
export interface CommandContext {
  /** For revert: the revision to restore, as stored (undefined: no such revision). */
  target?: StoredRevision | undefined;
  /** For rollout start (and an apply that starts one): the new rollout's id (the core makes no randomness). */
  rolloutId?: string;
}

export type Reply<C extends Command> = C["kind"] extends "apply" | "revert" | "delete" | "weights"
  ? ChangeResult
  : RolloutState;

export function decide<C extends Command>(
  state: LedgerState,
  command: C,
  now: number,
  context: CommandContext = {},
): Result<Decision<Reply<C>>> {
  return decideAny(state, command, now, context) as Result<Decision<Reply<C>>>;
}

function decideAny(
  state: LedgerState,
  command: Command,
  now: number,
  context: CommandContext,
): Result<Decision<ChangeResult | RolloutState>> {
  switch (command.kind) {
    case "apply":
      return apply(state, command, now, context.rolloutId);
    case "weights":
      return setWeights(state, command, now);
    case "revert":
      return revert(state, command, context.target, now);
    case "delete":
      return remove(state, command, now);
    case "rollout.start":
      if (!context.rolloutId) throw new Error("rollout start needs a rolloutId from the caller");
      return start(state, command, context.rolloutId, now);
    case "rollout.promote":
    case "rollout.pause":
    case "rollout.resume":
    case "rollout.abort":
      return operate(state, command.kind, command, now);
  }
}

/**
 * The registry acknowledged publication `sequence`: a halt carried by it (or an earlier one) is
 * now bounded by the isolates' refresh time.
 */
export function acknowledge(state: LedgerState, sequence: number, now: number): LedgerState {
  const acknowledged = Math.max(state.acknowledged, sequence);
  const halt =
    state.halt && state.halt.acknowledgedAt === null && acknowledged >= state.halt.sequence
      ? { ...state.halt, acknowledgedAt: now }
      : state.halt;
  return { ...state, acknowledged, halt };
}
