// The write path of a release object: a decision stored with its history and effects in one
// transaction; effects delivered at once and, should the object be evicted or a call fail, by the
// alarm until acknowledged. What became of each effect is decided by the release core and stored
// in the same transaction that removes it from the outbox.
import { ReleaseEffect } from "../../../schemas/release-state.ts";
import { decideRelease, type ReleaseDecision } from "../../core/release/release.ts";
import type { Env } from "../../env.ts";
import { Outbox, type OutboxEntry } from "../outbox/outbox.ts";
import { deliverReleaseEffect } from "./release-io.ts";
import { ReleaseStore } from "./release-store.ts";

/** The alarm stays this far behind a commit, so it does not race the delivery made at once. */
const INLINE_GRACE_MS = 10_000;
/** A release has a few effects per service; more passes than this in one go means a bug. */
const MAX_DELIVERIES = 200;

export class ReleaseWriter {
  readonly store: ReleaseStore;
  readonly #outbox: Outbox<ReleaseEffect>;
  readonly #ctx: DurableObjectState;
  readonly #env: Env;
  /** Entries being delivered by this instance: a concurrent pass skips them. */
  readonly #inflight = new Set<number>();

  constructor(ctx: DurableObjectState, env: Env) {
    this.#ctx = ctx;
    this.#env = env;
    this.store = new ReleaseStore(ctx.storage.sql);
    this.#outbox = new Outbox(ctx.storage.sql, ReleaseEffect);
  }

  async commit(decision: ReleaseDecision, also: () => void = () => {}): Promise<void> {
    const now = Date.now();
    this.#ctx.storage.transactionSync(() => {
      this.store.save(decision);
      this.#outbox.add(decision.effects, now);
      also();
    });
    await this.schedule(now + INLINE_GRACE_MS);
  }

  /** Delivers what is due, oldest first, including what the outcomes queue in turn. */
  async deliver(): Promise<void> {
    for (let n = 0; n < MAX_DELIVERIES; n++) {
      const next = this.#outbox.due(Date.now()).find((e) => !this.#inflight.has(e.id));
      if (!next) break;
      await this.#deliverOne(next);
    }
    await this.schedule();
  }

  async #deliverOne(entry: OutboxEntry<ReleaseEffect>): Promise<void> {
    const state = this.store.load();
    if (!state) return;
    this.#inflight.add(entry.id);
    try {
      const outcome = await deliverReleaseEffect(this.#env, state.name, entry.effect, state.reason);
      const current = this.store.load() ?? state;
      const settled = outcome
        ? decideRelease(current, { kind: "settled", effect: entry.effect, outcome }, Date.now())
        : undefined;
      const decision =
        settled?.ok === true ? settled.value : { state: current, events: [], effects: [] };
      await this.commit(decision, () => this.#outbox.done(entry.id));
    } catch (error) {
      const outcome = this.#outbox.failed(entry, Date.now());
      console.error(
        `keystone: release ${state.name}: delivering ${entry.effect.kind} failed (${outcome === "dropped" ? "given up" : "will retry"}): ${String(error)}`,
      );
    } finally {
      this.#inflight.delete(entry.id);
    }
  }

  /** Sets the alarm to the next effect due (no earlier than `notBefore`), or clears it. */
  async schedule(notBefore = 0): Promise<void> {
    const due = this.#outbox.nextDue();
    if (due === null) return this.#ctx.storage.deleteAlarm();
    await this.#ctx.storage.setAlarm(Math.max(notBefore, due));
  }
}
