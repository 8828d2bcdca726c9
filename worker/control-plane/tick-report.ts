// Tells the registry when an object's alarm ticks it next, so the cron can tell a late object
// from one that is on time and wake only the late. Sent when the due time changes (once per tick);
// a failed report is logged and left: the registry then holds the object as late and the cron
// wakes it, which costs one idempotent tick, never a lost one.
import { registryOf } from "../contracts.ts";
import type { Env } from "../env.ts";

/** A tick that is due but could not run (a change being applied) is tried again this much later. */
const TICK_RETRY_MS = 1_000;

/**
 * When a writer's alarm fires next: the earliest of its tick and its other wake-ups (an effect
 * due, a prepared change expiring), no earlier than `notBefore`; null when nothing is ahead. A tick
 * already due that did not run is retried after TICK_RETRY_MS, not in a tight loop.
 */
export function nextAlarmAt(
  now: number,
  notBefore: number,
  tickDue: number | null,
  others: (number | null)[],
): number | null {
  const wakes = [
    ...others,
    tickDue === null ? null : tickDue > now ? tickDue : now + TICK_RETRY_MS,
  ];
  const due = wakes.filter((t): t is number => t !== null);
  return due.length === 0 ? null : Math.max(notBefore, Math.min(...due));
}

export class TickReport {
  readonly #env: Env;
  readonly #kind: "service" | "release";
  /** What the registry last acknowledged from this object (undefined: nothing since it loaded). */
  #reported: number | null | undefined;

  constructor(env: Env, kind: "service" | "release") {
    this.#env = env;
    this.#kind = kind;
  }

  async send(name: string, due: number | null): Promise<void> {
    if (due === this.#reported) return;
    // No tick ahead and none reported since this object loaded: nothing for the registry (a row
    // left from an ended rollout is ignored there, and replaced when the next rollout starts).
    if (due === null && this.#reported === undefined) return;
    try {
      await registryOf(this.#env).tickScheduled(this.#kind, name, due);
      this.#reported = due;
    } catch (error) {
      console.error(
        `keystone: ${this.#kind} ${name} could not report its next tick: ${String(error)}`,
      );
    }
  }
}
