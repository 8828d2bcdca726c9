// The write path of a service object: a ledger decision and its effects stored in one
// transaction, then the effects delivered, at once and by the alarm until acknowledged. The writer
// sets the alarm for everything the object must wake for: an effect due, a two-phase change that
// expires, the rollout's next tick or a ramping rollback's next cut, and tells the registry when
// that tick is due (the cron wakes only objects that are late).
//
// Every receiver tolerates a second delivery: the registry keeps the highest sequence per service,
// a stats object's halt and resume are keyed by rollout id, and notifications carry the effect's
// id (x-keystone-delivery) for receivers to deduplicate.
import { Effect } from "../../../schemas/ledger.ts";
import { registryOf, statsObjectOf } from "../../contracts.ts";
import { acknowledge } from "../../core/ledger/ledger.ts";
import { type Decision, published } from "../../core/ledger/state.ts";
import { nextRolloutTickAt, tickIntervalMs } from "../../core/rollout/tick-schedule.ts";
import type { Env } from "../../env.ts";
import { ALARM_GRACE_MS, type Courier, Outbox, type OutboxEntry } from "../outbox/outbox.ts";
import { nextAlarmAt, TickReport } from "../tick-report.ts";
import { traceCandidate } from "./incident-trace.ts";
import { notify } from "./notify-delivery.ts";
import { type FinishedChange, ServiceStore } from "./service-store.ts";
import { VerdictLog } from "./verdict-log.ts";

export class ServiceWriter implements Courier<Effect> {
  readonly store: ServiceStore;
  readonly verdicts: VerdictLog;
  readonly #outbox: Outbox<Effect>;
  readonly #ctx: DurableObjectState;
  readonly #env: Env;
  readonly #tickReport: TickReport;
  readonly #tickIntervalMs: number;

  constructor(ctx: DurableObjectState, env: Env) {
    this.#ctx = ctx;
    this.#env = env;
    this.#tickReport = new TickReport(env, "service");
    this.#tickIntervalMs = tickIntervalMs(env.ROLLOUT_TICK_SECONDS);
    this.store = new ServiceStore(ctx.storage.sql);
    // The registry keeps the highest sequence: only the newest pending publication matters.
    this.#outbox = new Outbox(ctx.storage.sql, Effect, { latestOnly: "publish" });
    this.verdicts = new VerdictLog(ctx.storage.sql);
    this.#migrateUnpublished();
  }

  /**
   * Stores the decision, its history and its effects atomically (with `finished`, the two-phase
   * change it completes), with the alarm that delivers them should this object be evicted first;
   * then delivers publications and halts, and notifications after, without holding up the reply.
   */
  async commit(name: string, decision: Decision<unknown>, finished?: FinishedChange) {
    const now = Date.now();
    this.#ctx.storage.transactionSync(() => {
      this.store.setMeta("name", name);
      this.store.save(decision, now);
      this.verdicts.record(decision.state.rollout);
      this.#outbox.add(decision.effects, now);
      if (finished) this.store.finishChange(finished);
    });
    await this.schedule(now + ALARM_GRACE_MS);
    await this.deliver("notify");
    this.#ctx.waitUntil(this.deliver());
  }

  /**
   * Delivers what is due, oldest first; effects of the `holdBack` kind wait for a later pass, the
   * one `commit` starts at once: the alarm, only its backstop, stays ALARM_GRACE_MS away, not due
   * at once for what is held back.
   */
  async deliver(holdBack?: Effect["kind"]): Promise<void> {
    await this.#outbox.deliver(this, holdBack);
    await this.schedule(holdBack === undefined ? 0 : Date.now() + ALARM_GRACE_MS);
  }

  get owner(): string {
    return `service ${this.store.getMeta("name") ?? "unknown"}`;
  }

  /** When the rollout ticks next (its ramp's next cut while ramping); null with none running. */
  tickDue(): number | null {
    return nextRolloutTickAt(this.store.rollout(), this.#tickIntervalMs);
  }

  /**
   * Sets the alarm to the next thing due (no earlier than `notBefore`), or clears it, and tells the
   * registry when the rollout ticks next.
   */
  async schedule(notBefore = 0): Promise<void> {
    const now = Date.now();
    const tickDue = this.tickDue();
    const name = this.store.getMeta("name");
    if (name) await this.#tickReport.send(name, tickDue);
    const alarm = nextAlarmAt(now, notBefore, tickDue, [
      this.#outbox.nextDue(now),
      this.store.pendingChange()?.expiresAt ?? null,
    ]);
    if (alarm === null) return this.#ctx.storage.deleteAlarm();
    await this.#ctx.storage.setAlarm(alarm);
  }

  /** Sends one entry's effect and settles the entry; a throw leaves it to be retried. */
  async send({ id, effect }: OutboxEntry<Effect>): Promise<void> {
    const name = this.store.getMeta("name") ?? "unknown";
    const again = await this.#sendEffect(effect, `${name}#${id}`);
    if (again !== null) return this.#outbox.postpone(id, again);
    this.#outbox.done(id);
    if (effect.kind === "publish") {
      const state = this.store.load(name);
      this.store.saveHead(acknowledge(state, effect.publication.sequence, Date.now()));
    }
  }

  /** Sends an effect to its receiver: null once acknowledged, else when to send it again. */
  async #sendEffect(effect: Effect, deliveryId: string): Promise<number | null> {
    switch (effect.kind) {
      case "publish":
        await registryOf(this.#env).publish(effect.publication);
        return null;
      case "halt":
        await statsObjectOf(this.#env, effect.service, effect.version).halt(effect.signal);
        return null;
      case "resume":
        await statsObjectOf(this.#env, effect.service, effect.version).resume(effect.rolloutId);
        return null;
      case "notify":
        await notify(this.#env, effect, deliveryId);
        return null;
      case "traceCandidate":
        // Not settled while an isolate may still send the candidate a request: traced again.
        return traceCandidate(this.#env, this.store, effect, Date.now());
    }
  }

  /** An object stored before the outbox kept a failed publication in meta `unpublished`: queue it. */
  #migrateUnpublished(): void {
    const name = this.store.getMeta("unpublished");
    if (name === undefined) return;
    const { state, effect } = published(this.store.load(name));
    this.store.setMeta("name", name);
    this.store.saveHead(state);
    this.#outbox.add([effect], Date.now());
    this.store.setMeta("unpublished", null);
    void this.schedule();
  }
}
