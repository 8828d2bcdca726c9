// One cron tick of a service: claimed before any await (a repeated tick is a no-op), windows read
// and the checks the ledger asks for run, then decided only if nothing changed meanwhile (an
// operator's command, another tick, a two-phase change).
import type { TickReply } from "../../../schemas/ledger.ts";
import { deadlineTick } from "../../core/ledger/deadline.ts";
import { stepRamp } from "../../core/ledger/ramp-step.ts";
import type { Decision } from "../../core/ledger/state.ts";
import { claimTick, tick, tickChecks } from "../../core/ledger/tick.ts";
import { isRamping } from "../../core/rollout/ramp.ts";
import type { Env } from "../../env.ts";
import { readWindows, runChecks } from "./rollout-io.ts";
import type { ServiceWriter } from "./service-writer.ts";

export async function runTick(
  writer: ServiceWriter,
  env: Env,
  name: string,
  scheduledTime: number,
  busy: () => boolean,
  deliver: () => Promise<void>,
): Promise<TickReply> {
  const store = writer.store;
  if (busy()) return { ticked: false, why: "a change is being applied" };
  if (isRamping(store.load(name).rollout))
    return (
      (await runRamp(writer, name, scheduledTime, deliver)) ?? {
        ticked: false,
        why: "the ramp's next cut is not due",
      }
    );
  // After the tick (or instead of it, when paused): a step held past its deadline is acted on.
  const expire = () =>
    commitDecision(writer, name, deadlineTick(store.load(name), scheduledTime), deliver);
  const claim = claimTick(store.load(name), scheduledTime);
  if (!claim.reply.run || !claim.state.rollout)
    return (
      (await expire()) ?? {
        ticked: false,
        why: claim.reply.run ? "no rollout in progress" : claim.reply.why,
      }
    );
  store.saveHead(claim.state);
  const claimed = JSON.stringify(claim.state.rollout);
  const windows = await readWindows(env, name, claim.state.rollout, claim.reply.queries);
  const gateFailures = await runChecks(tickChecks(claim.state, windows, scheduledTime));
  const current = store.load(name);
  if (JSON.stringify(current.rollout) !== claimed || busy())
    return { ticked: false, why: "the rollout changed during the tick" };
  const decided = tick(current, windows, gateFailures, scheduledTime);
  await writer.commit(name, decided);
  await deliver();
  return (await expire()) ?? decided.reply;
}

/** Commits a decision the ledger made outside a tick's window reading, and delivers its effects. */
async function commitDecision(
  writer: ServiceWriter,
  name: string,
  decided: Decision<TickReply> | undefined,
  deliver: () => Promise<void>,
): Promise<TickReply | undefined> {
  if (!decided) return undefined;
  await writer.commit(name, decided);
  await deliver();
  return decided.reply;
}

/** The next cut of a ramping rollback, if due at `now` (the cron's time, or the alarm's). */
export function runRamp(
  writer: ServiceWriter,
  name: string,
  now: number,
  deliver: () => Promise<void>,
): Promise<TickReply | undefined> {
  return commitDecision(writer, name, stepRamp(writer.store.load(name), now), deliver);
}
