// The transactional outbox of a service object: effects are written in the same transaction as
// the state change that caused them, and delivered until acknowledged (with backoff), so nothing
// decided is lost when the object is evicted or a call fails between the write and the delivery.
import type * as z from "zod";
import { Effect } from "../../../schemas/ledger.ts";

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

export interface OutboxEntry<E = Effect> {
  id: number;
  effect: E;
  attempts: number;
}

/** A service object's outbox holds ledger effects; a release object's, its own (same table). */
export class Outbox<E extends { kind: string } = Effect> {
  readonly #sql: SqlStorage;
  readonly #schema: z.ZodType<E>;

  constructor(sql: SqlStorage, schema: z.ZodType<E> = Effect as unknown as z.ZodType<E>) {
    this.#sql = sql;
    this.#schema = schema;
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

  /** Entries due by `now`, oldest first. */
  due(now: number): OutboxEntry<E>[] {
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
  failed(entry: OutboxEntry<E>, now: number): "retry" | "dropped" {
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

  /** When the next entry is due, or null with nothing waiting. */
  nextDue(): number | null {
    const row = this.#sql.exec("SELECT MIN(due_at) AS due FROM outbox").one();
    return row.due === null ? null : Number(row.due);
  }

  size(): number {
    return Number(this.#sql.exec("SELECT COUNT(*) AS n FROM outbox").one().n);
  }
}
