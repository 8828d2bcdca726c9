// The write path of a release object: a decision stored with its history and effects in one
// transaction; effects delivered at once and, should the object be evicted or a call fail, by the
// alarm until acknowledged. What became of each effect is decided by the release core and stored
// in the same transaction that removes it from the outbox. The alarm also ticks a running release
// (the registry is told when, so the cron wakes it only when late).
import { ReleaseEffect } from "../../../schemas/release-state.ts";
import { decideRelease, type ReleaseDecision } from "../../core/release/release.ts";
import { nextReleaseTickAt, tickIntervalMs } from "../../core/rollout/tick-schedule.ts";
import type { Env } from "../../env.ts";
import { ALARM_GRACE_MS, type Courier, Outbox, type OutboxEntry } from "../outbox/outbox.ts";
import { nextAlarmAt, TickReport } from "../tick-report.ts";
import { deliverReleaseEffect } from "./release-io.ts";
import { ReleaseStore } from "./release-store.ts";

export class ReleaseWriter implements Courier<ReleaseEffect> {
  readonly store: ReleaseStore;
  readonly #outbox: Outbox<ReleaseEffect>;
  readonly #ctx: DurableObjectState;
  readonly #env: Env;
  readonly #tickReport: TickReport;
  readonly #tickIntervalMs: number;

  constructor(ctx: DurableObjectState, env: Env) {
    this.#ctx = ctx;
    this.#env = env;
    this.#tickReport = new TickReport(env, "release");
    this.#tickIntervalMs = tickIntervalMs(env.ROLLOUT_TICK_SECONDS);
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
    await this.#outbox.deliver(this);
    await this.schedule();
  }

  get owner(): string {
    return `release ${this.store.load()?.name ?? "unknown"}`;
  }

  /** When a running release ticks next; null in any other phase. */
  tickDue(): number | null {
    return nextReleaseTickAt(this.store.load(), this.#tickIntervalMs);
  }

  /**
   * Sets the alarm to the next effect or tick due (no earlier than `notBefore`), or clears it,
   * and tells the registry when the release ticks next.
   */
  async schedule(notBefore = 0): Promise<void> {
    const now = Date.now();
    const tickDue = this.tickDue();
    const name = this.store.load()?.name;
    if (name) await this.#tickReport.send(name, tickDue);
    const alarm = nextAlarmAt(now, notBefore, tickDue, [this.#outbox.nextDue(now)]);
    if (alarm === null) return this.#ctx.storage.deleteAlarm();
    await this.#ctx.storage.setAlarm(alarm);
  }

  /** `acknowledged`: the entry whose outcome this decision is, taken out in the same transaction. */
  async #save(decision: ReleaseDecision, acknowledged?: number): Promise<void> {
    const now = Date.now();
    this.#ctx.storage.transactionSync(() => {
      this.store.save(decision);
      this.#outbox.add(decision.effects, now);
      if (acknowledged !== undefined) this.#outbox.done(acknowledged);
    });
    await this.schedule(now + ALARM_GRACE_MS);
  }

  /** Sends one effect; its outcome, decided by the release core, settles the entry. */
  async send(entry: OutboxEntry<ReleaseEffect>): Promise<void> {
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
