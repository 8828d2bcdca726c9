// SQLite tables of one release object: its state (meta) and its history, per run. Everything read
// back is parsed with its schema.
import {
  type ReleaseEvent,
  ReleaseEventType,
  ReleaseState,
} from "../../../schemas/release-state.ts";
import type { ReleaseDecision } from "../../core/release/release.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run INTEGER NOT NULL,
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  service TEXT,
  rollout_id TEXT,
  author TEXT,
  reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

const text = (value: SqlStorageValue | undefined) =>
  value === null || value === undefined ? null : String(value);

export class ReleaseStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    this.#sql.exec(SCHEMA);
  }

  load(): ReleaseState | null {
    const row = this.#sql.exec("SELECT value FROM meta WHERE key = 'state'").toArray()[0];
    return row ? ReleaseState.parse(JSON.parse(String(row.value))) : null;
  }

  saveState(state: ReleaseState): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO meta (key, value) VALUES ('state', ?)",
      JSON.stringify(state),
    );
  }

  /** Stores a decision's state and events (the caller wraps it in a transaction). */
  save(decision: ReleaseDecision): void {
    for (const event of decision.events)
      this.#sql.exec(
        "INSERT INTO events (run, at, type, service, rollout_id, author, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
        decision.state.startedAt,
        event.at,
        event.type,
        event.service,
        event.rolloutId,
        event.author,
        event.reason,
      );
    this.saveState(decision.state);
  }

  /** The history of one run, oldest first. */
  events(run: number): ReleaseEvent[] {
    return this.#sql
      .exec("SELECT * FROM events WHERE run = ? ORDER BY id", run)
      .toArray()
      .map((row) => ({
        at: Number(row.at),
        type: ReleaseEventType.parse(row.type),
        service: text(row.service),
        rolloutId: text(row.rollout_id),
        author: text(row.author),
        reason: String(row.reason),
      }));
  }
}
