// The write path of a service object: a ledger decision and its effects stored in one
// transaction, then the effects delivered (at once, and by the alarm until acknowledged).
import type { Effect } from "../../../schemas/ledger.ts";
import { acknowledge } from "../../core/ledger/ledger.ts";
import { type Decision, published } from "../../core/ledger/state.ts";
import type { Env } from "../../env.ts";
import { Outbox } from "../outbox/outbox.ts";
import { deliverEffect } from "./effect-delivery.ts";
import { traceCandidate } from "./incident-trace.ts";
import { ServiceStore } from "./service-store.ts";
import { VerdictLog } from "./verdict-log.ts";

/** The alarm stays this far behind a commit, so it does not race the delivery made at once. */
const INLINE_GRACE_MS = 10_000;

export class ServiceWriter {
  readonly store: ServiceStore;
  readonly outbox: Outbox;
  readonly verdicts: VerdictLog;
  readonly #ctx: DurableObjectState;
  readonly #env: Env;
  /** Entries being delivered by this instance: a concurrent pass skips them. */
  readonly #inflight = new Set<number>();
  /** Other things the alarm must wake for (an expiring two-phase change). */
  wakeAlso: () => number | null = () => null;

  constructor(ctx: DurableObjectState, env: Env) {
    this.#ctx = ctx;
    this.#env = env;
    this.store = new ServiceStore(ctx.storage.sql);
    this.outbox = new Outbox(ctx.storage.sql);
    this.verdicts = new VerdictLog(ctx.storage.sql);
  }

  /**
   * Stores the decision, its history and its effects atomically, with the alarm that delivers
   * them should this object be evicted before it does so itself.
   */
  async commit(
    name: string,
    decision: Decision<unknown>,
    also: () => void = () => {},
  ): Promise<void> {
    const now = Date.now();
    this.#ctx.storage.transactionSync(() => {
      this.store.setMeta("name", name);
      this.store.save(decision, now);
      this.verdicts.record(decision.state.rollout);
      this.outbox.add(decision.effects, now);
      also();
    });
    await this.schedule(now + INLINE_GRACE_MS);
  }

  /** Delivers what is due, oldest first; `skip` leaves some kinds to a later pass. */
  async deliver(skip: (effect: Effect) => boolean = () => false): Promise<void> {
    const name = this.store.getMeta("name") ?? "unknown";
    const entries = this.outbox
      .due(Date.now())
      .filter((e) => !this.#inflight.has(e.id) && !skip(e.effect));
    // The registry keeps the highest sequence: only the newest pending publication matters.
    const newest = Math.max(
      -1,
      ...entries.filter((e) => e.effect.kind === "publish").map((e) => e.id),
    );
    for (const entry of entries) {
      if (entry.effect.kind === "publish" && entry.id !== newest) {
        this.outbox.done(entry.id);
        continue;
      }
      this.#inflight.add(entry.id);
      try {
        if (entry.effect.kind === "traceCandidate") {
          const again = await traceCandidate(this.#env, this.store, entry.effect, Date.now());
          if (again === null) this.outbox.done(entry.id);
          else this.outbox.postpone(entry.id, again);
          continue;
        }
        await deliverEffect(this.#env, entry.effect, `${name}#${entry.id}`);
        this.outbox.done(entry.id);
        if (entry.effect.kind === "publish") {
          const state = this.store.load(name);
          this.store.saveHead(acknowledge(state, entry.effect.publication.sequence, Date.now()));
        }
      } catch (error) {
        const outcome = this.outbox.failed(entry, Date.now());
        console.error(
          `keystone: delivering ${entry.effect.kind} of ${name} failed (${outcome === "dropped" ? "given up" : "will retry"}): ${String(error)}`,
        );
      } finally {
        this.#inflight.delete(entry.id);
      }
    }
    await this.schedule();
  }

  /** An object stored before the outbox kept a failed publication in meta `unpublished`: queue it. */
  migrateUnpublished(): void {
    const name = this.store.getMeta("unpublished");
    if (name === undefined) return;
    const { state, effect } = published(this.store.load(name));
    this.store.setMeta("name", name);
    this.store.saveHead(state);
    this.outbox.add([effect], Date.now());
    this.store.setMeta("unpublished", null);
    void this.schedule();
  }

  /** Sets the alarm to the next thing due (no earlier than `notBefore`), or clears it. */
  async schedule(notBefore = 0): Promise<void> {
    const wakes = [this.outbox.nextDue(), this.wakeAlso()].filter((t): t is number => t !== null);
    if (wakes.length === 0) return this.#ctx.storage.deleteAlarm();
    await this.#ctx.storage.setAlarm(Math.max(notBefore, Math.min(...wakes)));
  }
}
