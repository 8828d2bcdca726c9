// SQLite tables of one service's Durable Object: revisions of its config, and its event history.
import type { HistoryEntry } from "../../schemas/api.ts";
import { RolloutState } from "../../schemas/rollout-state.ts";
import { Service } from "../../schemas/service.ts";

type JsonValue = import("zod").z.core.util.JSONType;

export type StoredEvent = Omit<HistoryEntry, "detail"> & { detail: string | null };

import type { StoredRevision } from "./changes.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS revisions (
  number INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  author TEXT,
  reason TEXT,
  config TEXT
);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  revision INTEGER,
  author TEXT,
  reason TEXT,
  detail TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

export interface EventInput {
  type: string;
  revision?: number | null;
  author?: string | undefined;
  reason?: string | undefined;
  detail?: Record<string, JsonValue> | undefined;
}

type Row = Record<string, SqlStorageValue>;

export class ServiceStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    this.#sql.exec(SCHEMA);
  }

  latest(): StoredRevision | undefined {
    const row = this.#sql.exec("SELECT * FROM revisions ORDER BY number DESC LIMIT 1").toArray()[0];
    return row && toRevision(row);
  }

  revision(number: number): StoredRevision | undefined {
    const row = this.#sql.exec("SELECT * FROM revisions WHERE number = ?", number).toArray()[0];
    return row && toRevision(row);
  }

  /** Stores a revision and its history event together. */
  addRevision(at: number, kind: string, config: Service | null, event: EventInput): number {
    const number = (this.latest()?.number ?? 0) + 1;
    this.#sql.exec(
      "INSERT INTO revisions (number, at, kind, author, reason, config) VALUES (?, ?, ?, ?, ?, ?)",
      number,
      at,
      kind,
      event.author ?? null,
      event.reason ?? null,
      config === null ? null : JSON.stringify(config),
    );
    this.addEvent(at, { ...event, revision: number });
    return number;
  }

  addEvent(at: number, event: EventInput): void {
    this.#sql.exec(
      "INSERT INTO events (at, type, revision, author, reason, detail) VALUES (?, ?, ?, ?, ?, ?)",
      at,
      event.type,
      event.revision ?? null,
      event.author ?? null,
      event.reason ?? null,
      event.detail ? JSON.stringify(event.detail) : null,
    );
  }

  /** Events oldest first; detail stays JSON text so it crosses RPC as a plain string. */
  history(limit = 1000): StoredEvent[] {
    return this.#sql
      .exec("SELECT * FROM events ORDER BY id DESC LIMIT ?", limit)
      .toArray()
      .reverse()
      .map((row) => ({
        at: new Date(Number(row.at)).toISOString(),
        type: String(row.type),
        revision: row.revision === null ? null : Number(row.revision),
        author: row.author === null ? null : String(row.author),
        reason: row.reason === null ? null : String(row.reason),
        detail: row.detail === null ? null : String(row.detail),
      }));
  }

  /** How many events of each of these types were recorded. */
  countEvents(types: readonly string[]): Record<string, number> {
    const counts = Object.fromEntries(types.map((t) => [t, 0]));
    const rows = this.#sql.exec(
      `SELECT type, COUNT(*) AS n FROM events WHERE type IN (${types.map(() => "?").join(",")}) GROUP BY type`,
      ...types,
    );
    for (const row of rows) counts[String(row.type)] = Number(row.n);
    return counts;
  }

  getMeta(key: string): string | undefined {
    const row = this.#sql.exec("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
    return row ? String(row.value) : undefined;
  }

  setMeta(key: string, value: string): void {
    this.#sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }

  rollout(): RolloutState | null {
    const text = this.getMeta("rollout");
    return text === undefined ? null : RolloutState.parse(JSON.parse(text));
  }

  /** Stores the rollout state; every write bumps a version so an interleaved tick can tell. */
  setRollout(state: RolloutState | null): void {
    if (state === null) this.#sql.exec("DELETE FROM meta WHERE key = 'rollout'");
    else this.setMeta("rollout", JSON.stringify(state));
    this.setMeta("rolloutVersion", String(this.rolloutVersion() + 1));
  }

  rolloutVersion(): number {
    return Number(this.getMeta("rolloutVersion") ?? 0);
  }
}

function toRevision(row: Row): StoredRevision {
  return {
    number: Number(row.number),
    at: Number(row.at),
    kind: String(row.kind),
    // Parsed, not cast: a row is trusted no more than a KV value.
    config: row.config === null ? null : Service.parse(JSON.parse(String(row.config))),
  };
}
