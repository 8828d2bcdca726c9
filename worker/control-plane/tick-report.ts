// Tells the registry when an object's alarm ticks it next, so the cron can tell a late object
// from one that is on time and wake only the late. Sent when the due time changes (once per tick);
// a failed report is logged and left: the registry then holds the object as late and the cron
// wakes it, which costs one idempotent tick, never a lost one.
import { registryOf } from "../contracts.ts";
import type { Env } from "../env.ts";

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
