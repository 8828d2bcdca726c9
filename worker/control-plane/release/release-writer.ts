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

export class ReleaseWriter {
  readonly store: ReleaseStore;
  readonly #outbox: Outbox<ReleaseEffect>;
  readonly #ctx: DurableObjectState;
  readonly #env: Env;

  constructor(ctx: DurableObjectState, env: Env) {
    this.#ctx = ctx;
    this.#env = env;
    this.store = new ReleaseStore(ctx.storage.sql);
    this.#outbox = new Outbox(ctx.storage.sql, ReleaseEffect);
  }

  /** Stores the decision (state, history, effects) atomically, then delivers its effects. */
  async commit(decision: ReleaseDecision): Promise<void> {
    await this.#save(decision);
    await this.deliver();
  }

  /** Delivers what is due, oldest first, including what the outcomes queue in turn. */
  async deliver(): Promise<void> {
    const owner = `release ${this.store.load()?.name ?? "unknown"}`;
    await this.#outbox.deliver(owner, (entry) => this.#send(entry));
    await this.schedule();
  }

  /** Sets the alarm to the next effect due (no earlier than `notBefore`), or clears it. */
  async schedule(notBefore = 0): Promise<void> {
    const due = this.#outbox.nextDue();
    if (due === null) return this.#ctx.storage.deleteAlarm();
    await this.#ctx.storage.setAlarm(Math.max(notBefore, due));
  }

  /** `acknowledged`: the entry whose outcome this decision is, taken out in the same transaction. */
  async #save(decision: ReleaseDecision, acknowledged?: number): Promise<void> {
    const now = Date.now();
    this.#ctx.storage.transactionSync(() => {
      this.store.save(decision);
      this.#outbox.add(decision.effects, now);
      if (acknowledged !== undefined) this.#outbox.done(acknowledged);
    });
    await this.schedule(now + INLINE_GRACE_MS);
  }

  /** Sends one effect; its outcome, decided by the release core, settles the entry. */
  async #send(entry: OutboxEntry<ReleaseEffect>): Promise<void> {
    const state = this.store.load();
    if (!state) return;
    const outcome = await deliverReleaseEffect(this.#env, state.name, entry.effect, state.reason);
    const current = this.store.load() ?? state;
    const settled = outcome
      ? decideRelease(current, { kind: "settled", effect: entry.effect, outcome }, Date.now())
      : undefined;
    const decision =
      settled?.ok === true ? settled.value : { state: current, events: [], effects: [] };
    await this.#save(decision, entry.id);
  }
}
