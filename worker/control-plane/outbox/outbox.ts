// The transactional outbox of a writer (a service's or a release's): effects are written in the
// same transaction as the state change that caused them, and delivered until acknowledged (with
// backoff), so nothing decided is lost when the object is evicted or a call fails between the
// write and the delivery. Both writers deliver through the one loop here.
import type * as z from "zod";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  effect TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  due_at INTEGER NOT NULL
);
`;

/** Backoff after a failed delivery: 1 s, 2 s, 4 s … up to 5 minutes. */
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 5 * 60_000;
/** Notifications go to outside URLs: they are given up (and logged) after this many attempts. */
const NOTIFY_ATTEMPTS = 5;
/**
 * Deliveries in one pass. A writer has a few effects per decision; more than this in one go means
 * a bug (an outcome queueing effects without end): the pass stops and the alarm takes the rest.
 */
const MAX_PER_PASS = 200;

export interface OutboxEntry<E> {
  id: number;
  effect: E;
  attempts: number;
}

/** The writer whose effects an outbox holds: it knows where each one goes. */
export interface Courier<E> {
  /** Names the writer in the log of a failed delivery. */
  readonly owner: string;
  /**
   * Sends one entry's effect and settles the entry (`done` or `postpone`) in the transaction that
   * stores what the delivery changed. A throw means "not acknowledged": the entry is retried.
   */
  send(entry: OutboxEntry<E>): Promise<void>;
}

/**
 * How far behind a commit a writer's alarm is set: the delivery made at once comes first, the
 * alarm only retries what it left (both writers, one rule).
 */
export const ALARM_GRACE_MS = 10_000;

/** A service object's outbox holds ledger effects; a release object's, its own (same table). */
export class Outbox<E extends { kind: string }> {
  readonly #sql: SqlStorage;
  readonly #schema: z.ZodType<E>;
  /** Of effects of this kind only the newest due one is sent (the older are done unsent). */
  readonly #latestOnly: E["kind"] | undefined;
  /** Entries being delivered by this instance: a concurrent pass skips them. */
  readonly #inflight = new Set<number>();

  constructor(sql: SqlStorage, schema: z.ZodType<E>, options: { latestOnly?: E["kind"] } = {}) {
    this.#sql = sql;
    this.#schema = schema;
    this.#latestOnly = options.latestOnly;
    this.#sql.exec(SCHEMA);
  }

  /** Queues effects, due now (call inside the transaction that stores their cause). */
  add(effects: readonly E[], now: number): void {
    for (const effect of effects)
      this.#sql.exec(
        "INSERT INTO outbox (effect, due_at) VALUES (?, ?)",
        JSON.stringify(effect),
        now,
      );
  }

  /**
   * The one delivery loop: due entries oldest first, each sent at most once a pass (entries the
   * pass's own deliveries queue included) and never while another pass of this instance holds
   * it; effects of the `holdBack` kind are left to a later pass.
   */
  async deliver(courier: Courier<E>, holdBack?: E["kind"]) {
    const tried = new Set<number>();
    for (let n = 0; n < MAX_PER_PASS; n++) {
      const due = this.#due(Date.now()).filter(
        (e) => !this.#inflight.has(e.id) && !tried.has(e.id) && e.effect.kind !== holdBack,
      );
      const next = due[0];
      if (!next) return;
      tried.add(next.id);
      const kind = next.effect.kind;
      if (kind === this.#latestOnly && due.some((e) => e.effect.kind === kind && e.id > next.id)) {
        this.done(next.id);
        continue;
      }
      this.#inflight.add(next.id);
      try {
        await courier.send(next);
      } catch (error) {
        const outcome = this.#failed(next, Date.now());
        console.error(
          `keystone: ${courier.owner}: delivering ${kind} failed (${outcome === "dropped" ? "given up" : "will retry"}): ${String(error)}`,
        );
      } finally {
        this.#inflight.delete(next.id);
      }
    }
  }

  /** Entries due by `now`, oldest first. */
  #due(now: number): OutboxEntry<E>[] {
    return this.#sql
      .exec("SELECT * FROM outbox WHERE due_at <= ? ORDER BY id", now)
      .toArray()
      .map((row) => ({
        id: Number(row.id),
        effect: this.#schema.parse(JSON.parse(String(row.effect))),
        attempts: Number(row.attempts),
      }));
  }

  /** Acknowledged: never delivered again. */
  done(id: number): void {
    this.#sql.exec("DELETE FROM outbox WHERE id = ?", id);
  }

  /** A failed delivery: retried later, or (a notification out of attempts) given up. */
  #failed(entry: OutboxEntry<E>, now: number): "retry" | "dropped" {
    const attempts = entry.attempts + 1;
    if (entry.effect.kind === "notify" && attempts >= NOTIFY_ATTEMPTS) {
      this.done(entry.id);
      return "dropped";
    }
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempts - 1));
    this.#sql.exec(
      "UPDATE outbox SET attempts = ?, due_at = ? WHERE id = ?",
      attempts,
      now + delay,
      entry.id,
    );
    return "retry";
  }

  /** Not a failure: the entry is due again at `dueAt` (a trace that is not settled yet). */
  postpone(id: number, dueAt: number): void {
    this.#sql.exec("UPDATE outbox SET due_at = ? WHERE id = ?", dueAt, id);
  }

  /**
   * When the next entry is due, or null with nothing waiting. An entry this instance is
   * delivering is due again only ALARM_GRACE_MS from `now`, as the backstop should the object be
   * evicted mid-delivery: due at once, the alarm would fire, pass over it and be set again, over
   * and over until the delivery ended (a notification's receiver taking seconds: hundreds of
   * alarms a second).
   */
  nextDue(now: number): number | null {
    const waiting = [...this.#inflight];
    const row = this.#sql
      .exec(
        `SELECT MIN(due_at) AS due FROM outbox WHERE id NOT IN (${waiting.map(() => "?").join(",")})`,
        ...waiting,
      )
      .one();
    const due = row.due === null ? null : Number(row.due);
    if (waiting.length === 0) return due;
    return Math.min(due ?? Number.POSITIVE_INFINITY, now + ALARM_GRACE_MS);
  }
}
