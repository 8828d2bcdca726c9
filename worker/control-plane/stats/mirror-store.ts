// The stats object's tables of mirrored comparisons (its version being the mirrored one): counts
// per second (what a rollout's mismatch check reads), rising totals (metrics), counts per path per minute (bounded: the
// busiest paths, the rest under "(other)"), and the last few sample diffs.
import {
  MAX_MIRROR_PATHS,
  type MirrorBatch,
  type MirrorCounts,
  type MirrorPathCounts,
  type MirrorSample,
  MirrorSample as MirrorSampleSchema,
  OTHER_PATHS,
} from "../../../schemas/mirror.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS mirror_buckets (
  start INTEGER PRIMARY KEY,
  compared INTEGER NOT NULL,
  mismatched INTEGER NOT NULL,
  failed INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS mirror_paths (
  minute INTEGER NOT NULL,
  path TEXT NOT NULL,
  compared INTEGER NOT NULL,
  mismatched INTEGER NOT NULL,
  PRIMARY KEY (minute, path)
);
CREATE TABLE IF NOT EXISTS mirror_totals (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  compared INTEGER NOT NULL,
  mismatched INTEGER NOT NULL,
  failed INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS mirror_samples (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  sample TEXT NOT NULL
);
`;

/** Sample diffs kept per version: enough to see what differs, never a log of traffic. */
const KEPT_SAMPLES = 20;
const MINUTE_MS = 60_000;

export class MirrorStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(SCHEMA);
  }

  add(batch: MirrorBatch): void {
    for (const [table, key] of [
      ["mirror_buckets", "start"],
      ["mirror_totals", "id"],
    ] as const)
      this.#sql.exec(
        `INSERT INTO ${table} (${key}, compared, mismatched, failed) VALUES (?, ?, ?, ?)
         ON CONFLICT (${key}) DO UPDATE SET compared = compared + excluded.compared,
           mismatched = mismatched + excluded.mismatched, failed = failed + excluded.failed`,
        table === "mirror_totals" ? 1 : batch.bucketStart,
        batch.compared,
        batch.mismatched,
        batch.failed,
      );
    const minute = batch.bucketStart - (batch.bucketStart % MINUTE_MS);
    for (const counts of batch.paths) this.#addPath(minute, counts);
    for (const sample of batch.samples)
      this.#sql.exec(
        "INSERT INTO mirror_samples (at, sample) VALUES (?, ?)",
        sample.at,
        JSON.stringify(sample),
      );
    if (batch.samples.length > 0)
      this.#sql.exec(
        "DELETE FROM mirror_samples WHERE id NOT IN (SELECT id FROM mirror_samples ORDER BY id DESC LIMIT ?)",
        KEPT_SAMPLES,
      );
  }

  /** A path new to its minute beyond the bound counts under "(other)": rows per minute stay bounded. */
  #addPath(minute: number, counts: MirrorPathCounts): void {
    const known =
      this.#sql
        .exec("SELECT 1 FROM mirror_paths WHERE minute = ? AND path = ?", minute, counts.path)
        .toArray().length > 0;
    const rows = Number(
      this.#sql.exec("SELECT COUNT(*) AS n FROM mirror_paths WHERE minute = ?", minute).one().n,
    );
    const path = known || rows < MAX_MIRROR_PATHS ? counts.path : OTHER_PATHS;
    this.#sql.exec(
      `INSERT INTO mirror_paths (minute, path, compared, mismatched) VALUES (?, ?, ?, ?)
       ON CONFLICT (minute, path) DO UPDATE SET compared = compared + excluded.compared,
         mismatched = mismatched + excluded.mismatched`,
      minute,
      path,
      counts.compared,
      counts.mismatched,
    );
  }

  /** Rising counts since this version's stats began (/_keystone/metrics). */
  totals(): MirrorCounts {
    const row = this.#sql.exec("SELECT * FROM mirror_totals WHERE id = 1").toArray()[0];
    return {
      compared: Number(row?.compared ?? 0),
      mismatched: Number(row?.mismatched ?? 0),
      failed: Number(row?.failed ?? 0),
    };
  }

  /** Comparisons in buckets starting in [from, to] (from rounded down to its second). */
  window(from: number, to: number): MirrorCounts {
    const row = this.#sql
      .exec(
        `SELECT COALESCE(SUM(compared), 0) AS compared, COALESCE(SUM(mismatched), 0) AS mismatched,
           COALESCE(SUM(failed), 0) AS failed FROM mirror_buckets WHERE start >= ? AND start <= ?`,
        from - (from % 1000),
        to,
      )
      .one();
    return {
      compared: Number(row.compared),
      mismatched: Number(row.mismatched),
      failed: Number(row.failed),
    };
  }

  /** Paths compared since `from` (by minute), busiest first. */
  paths(from: number, limit: number): MirrorPathCounts[] {
    return this.#sql
      .exec(
        `SELECT path, SUM(compared) AS compared, SUM(mismatched) AS mismatched FROM mirror_paths
         WHERE minute >= ? GROUP BY path ORDER BY SUM(mismatched) DESC, SUM(compared) DESC LIMIT ?`,
        from - (from % MINUTE_MS),
        limit,
      )
      .toArray()
      .map((row) => ({
        path: String(row.path),
        compared: Number(row.compared),
        mismatched: Number(row.mismatched),
      }));
  }

  /** Kept sample diffs since `from`, newest first. */
  samples(from: number): MirrorSample[] {
    return this.#sql
      .exec("SELECT sample FROM mirror_samples WHERE at >= ? ORDER BY id DESC", from)
      .toArray()
      .flatMap((row) => {
        const parsed = MirrorSampleSchema.safeParse(JSON.parse(String(row.sample)));
        return parsed.success ? [parsed.data] : [];
      });
  }

  /** Drops what is older than the cut-off; whether anything is left. */
  prune(before: number): boolean {
    this.#sql.exec("DELETE FROM mirror_buckets WHERE start < ?", before);
    this.#sql.exec("DELETE FROM mirror_paths WHERE minute < ?", before - (before % MINUTE_MS));
    this.#sql.exec("DELETE FROM mirror_samples WHERE at < ?", before);
    return Number(this.#sql.exec("SELECT COUNT(*) AS n FROM mirror_buckets").one().n) > 0;
  }
}
