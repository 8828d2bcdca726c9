// The stats object's SQLite tables: one-second buckets per outcome route, rising totals per
// route, the ids of recent flushes (so a retried flush counts once), the version's halt, and
// where this object stands in the version's spread (its shard, the fan-out it knows).
import type { HaltSignal, OutcomeBatch, RouteCounts } from "../../../schemas/stats.ts";
import { HaltSignal as HaltSignalSchema } from "../../../schemas/stats.ts";
import { addCounts } from "../../core/metrics/route-counts.ts";
import type { TimedRow } from "../../core/metrics/series.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS route_buckets (
  start INTEGER NOT NULL,
  route TEXT NOT NULL,
  requests INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  no_answer INTEGER NOT NULL,
  histogram TEXT NOT NULL,
  client_faults INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (start, route)
);
CREATE TABLE IF NOT EXISTS route_totals (
  route TEXT PRIMARY KEY,
  requests INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  no_answer INTEGER NOT NULL,
  histogram TEXT NOT NULL,
  client_faults INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS flushes (id TEXT PRIMARY KEY, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/**
 * Tables of the first schema (no routes): their figures move to route "split" (what analysis
 * counted them as), and an old halt without rollout or sequence is dropped.
 */
const UPGRADE_FROM_UNROUTED = `
INSERT OR IGNORE INTO route_buckets (start, route, requests, errors, no_answer, histogram)
  SELECT start, 'split', requests, errors, no_answer, histogram FROM buckets;
DROP TABLE buckets;
INSERT OR IGNORE INTO route_totals (route, requests, errors, no_answer, histogram)
  SELECT 'split', requests, errors, 0, histogram FROM totals;
DROP TABLE totals;
DELETE FROM meta WHERE key = 'halted';
`;

/** Tables of the routed schema before client faults were counted apart gain the column. */
const ADD_CLIENT_FAULTS = `
ALTER TABLE route_buckets ADD COLUMN client_faults INTEGER NOT NULL DEFAULT 0;
ALTER TABLE route_totals ADD COLUMN client_faults INTEGER NOT NULL DEFAULT 0;
`;

type Row = Record<string, SqlStorageValue>;

/** A stats object's place: the version it counts and its index among the version's objects. */
export interface StatsShard {
  service: string;
  version: string;
  index: number;
}

function countsOf(row: Row): RouteCounts {
  return {
    route: String(row.route),
    requests: Number(row.requests),
    errors: Number(row.errors),
    noAnswer: Number(row.no_answer),
    clientFaults: Number(row.client_faults),
    histogram: JSON.parse(String(row.histogram)) as RouteCounts["histogram"],
  };
}

export class StatsStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(SCHEMA);
    const old = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'buckets'");
    if (old.toArray().length > 0) sql.exec(UPGRADE_FROM_UNROUTED);
    const columns = sql.exec("SELECT name FROM pragma_table_info('route_buckets')").toArray();
    if (!columns.some((column) => column.name === "client_faults")) sql.exec(ADD_CLIENT_FAULTS);
  }

  /** Records a flush id; false when it was seen before (a retry whose first try got through). */
  claimFlush(id: string, now: number): boolean {
    if (this.#sql.exec("SELECT 1 FROM flushes WHERE id = ?", id).toArray().length > 0) return false;
    this.#sql.exec("INSERT INTO flushes (id, at) VALUES (?, ?)", id, now);
    return true;
  }

  addBatch(batch: OutcomeBatch): void {
    const counts = { ...batch };
    const bucket = this.#sql
      .exec(
        "SELECT * FROM route_buckets WHERE start = ? AND route = ?",
        batch.bucketStart,
        batch.route,
      )
      .toArray()[0];
    this.#put("route_buckets", batch.bucketStart, addCounts(bucket && countsOf(bucket), counts));
    const total = this.#sql
      .exec("SELECT * FROM route_totals WHERE route = ?", batch.route)
      .toArray()[0];
    this.#put("route_totals", undefined, addCounts(total && countsOf(total), counts));
  }

  #put(table: "route_buckets" | "route_totals", start: number | undefined, row: RouteCounts) {
    const values = [
      row.route,
      row.requests,
      row.errors,
      row.noAnswer,
      JSON.stringify(row.histogram),
      row.clientFaults,
    ];
    if (start === undefined)
      this.#sql.exec(
        "INSERT OR REPLACE INTO route_totals (route, requests, errors, no_answer, histogram, client_faults) VALUES (?, ?, ?, ?, ?, ?)",
        ...values,
      );
    else
      this.#sql.exec(
        `INSERT OR REPLACE INTO ${table} (start, route, requests, errors, no_answer, histogram, client_faults) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        start,
        ...values,
      );
  }

  /** Rows of buckets starting in [from, to], every route. */
  buckets(from: number, to: number): RouteCounts[] {
    return this.#sql
      .exec("SELECT * FROM route_buckets WHERE start >= ? AND start <= ?", from, to)
      .toArray()
      .map(countsOf);
  }

  /** Buckets starting in [from, to] with their start, every route. */
  timedBuckets(from: number, to: number): TimedRow[] {
    return this.#sql
      .exec("SELECT * FROM route_buckets WHERE start >= ? AND start <= ?", from, to)
      .toArray()
      .map((row) => ({ start: Number(row.start), counts: countsOf(row) }));
  }

  /** Start of the last bucket in [from, to] with a request on one of `routes`; null with none. */
  lastRequest(from: number, to: number, routes: readonly string[]): number | null {
    const marks = routes.map(() => "?").join(", ");
    const row = this.#sql
      .exec(
        `SELECT MAX(start) AS last FROM route_buckets WHERE start >= ? AND start <= ? AND requests > 0 AND route IN (${marks})`,
        from,
        to,
        ...routes,
      )
      .one();
    return row.last === null ? null : Number(row.last);
  }

  totals(): RouteCounts[] {
    return this.#sql.exec("SELECT * FROM route_totals ORDER BY route").toArray().map(countsOf);
  }

  halt(): HaltSignal | null {
    const row = this.#sql.exec("SELECT value FROM meta WHERE key = 'halt'").toArray()[0];
    if (!row) return null;
    const parsed = HaltSignalSchema.safeParse(JSON.parse(String(row.value)));
    return parsed.success ? parsed.data : null;
  }

  setHalt(signal: HaltSignal | null): void {
    if (signal === null) this.#sql.exec("DELETE FROM meta WHERE key = 'halt'");
    else
      this.#sql.exec(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('halt', ?)",
        JSON.stringify(signal),
      );
  }

  /** Over how many objects the version's flushes spread, as this object knows it (1 at first). */
  fanOut(): number {
    const row = this.#sql.exec("SELECT value FROM meta WHERE key = 'shards'").toArray()[0];
    return row ? Number(row.value) : 1;
  }

  setFanOut(shards: number): void {
    this.#sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('shards', ?)", String(shards));
  }

  /** Which version and shard this object holds, learned from the flushes it takes. */
  shard(): StatsShard | undefined {
    const row = this.#sql.exec("SELECT value FROM meta WHERE key = 'shard'").toArray()[0];
    return row ? (JSON.parse(String(row.value)) as StatsShard) : undefined;
  }

  setShard(shard: StatsShard): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO meta (key, value) VALUES ('shard', ?)",
      JSON.stringify(shard),
    );
  }

  /** Drops buckets and flush ids older than their cut-offs; whether any bucket is left. */
  prune(bucketsBefore: number, flushesBefore: number): boolean {
    this.#sql.exec("DELETE FROM route_buckets WHERE start < ?", bucketsBefore);
    this.#sql.exec("DELETE FROM flushes WHERE at < ?", flushesBefore);
    const left = this.#sql.exec("SELECT COUNT(*) AS n FROM route_buckets").one();
    return Number(left.n) > 0;
  }
}
