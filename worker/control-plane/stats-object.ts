// One Durable Object per (service, version): request counts, errors and a latency histogram in
// one-second buckets, filled by batched flushes from the data plane and read by window.
import { DurableObject } from "cloudflare:workers";
import type { HaltSignal, WindowQuery } from "../../schemas/stats.ts";
import type { StatsRpc } from "../contracts.ts";
import { type Histogram, mergeInto } from "../core/metrics/histogram.ts";
import type { OutcomeBatch } from "../core/metrics/outcome-recorder.ts";
import {
  emptyCounts,
  summarize,
  type WindowCounts,
  type WindowStats,
} from "../core/metrics/window-stats.ts";
import type { Env } from "../env.ts";

/** Buckets older than this are pruned: longer than any sensible bake time. */
const RETENTION_MS = 6 * 3_600_000;
const PRUNE_EVERY_MS = 3_600_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS buckets (
  start INTEGER PRIMARY KEY,
  requests INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  no_answer INTEGER NOT NULL,
  histogram TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS totals (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  requests INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  histogram TEXT NOT NULL
);
`;

export class StatsObject extends DurableObject<Env> implements StatsRpc {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
  }

  /**
   * Adds a batch of outcomes. The answer says whether this version is halted (its rollout was
   * rolled back or aborted): the flushing isolate then stops sending it traffic at once, without
   * waiting for the new route table to reach it through KV.
   */
  async record(batches: OutcomeBatch[]): Promise<{ halted: boolean }> {
    const sql = this.ctx.storage.sql;
    const totals = this.totals();
    for (const batch of batches) {
      const row = sql.exec("SELECT * FROM buckets WHERE start = ?", batch.bucketStart).toArray()[0];
      const histogram: Histogram = row ? (JSON.parse(String(row.histogram)) as Histogram) : {};
      mergeInto(histogram, batch.histogram);
      sql.exec(
        "INSERT OR REPLACE INTO buckets (start, requests, errors, no_answer, histogram) VALUES (?, ?, ?, ?, ?)",
        batch.bucketStart,
        Number(row?.requests ?? 0) + batch.requests,
        Number(row?.errors ?? 0) + batch.errors,
        Number(row?.no_answer ?? 0) + batch.noAnswer,
        JSON.stringify(histogram),
      );
      totals.requests += batch.requests;
      totals.errors += batch.errors;
      mergeInto(totals.histogram, batch.histogram);
    }
    sql.exec(
      "INSERT OR REPLACE INTO totals (id, requests, errors, histogram) VALUES (1, ?, ?, ?)",
      totals.requests,
      totals.errors,
      JSON.stringify(totals.histogram),
    );
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now() + PRUNE_EVERY_MS);
    return { halted: this.isHalted() };
  }

  /** Set by the service object when a rollout of this version is rolled back or aborted. */
  halt(signal: HaltSignal): void {
    this.ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO meta (key, value) VALUES ('halted', ?)",
      JSON.stringify(signal),
    );
  }

  /** Clears the halt of that rollout (sent when the next rollout starts); another's stays. */
  resume(rolloutId: string): void {
    const row = this.ctx.storage.sql
      .exec("SELECT value FROM meta WHERE key = 'halted'")
      .toArray()[0];
    const halted = row ? (JSON.parse(String(row.value)) as { rolloutId?: string }) : null;
    if (halted?.rolloutId === rolloutId)
      this.ctx.storage.sql.exec("DELETE FROM meta WHERE key = 'halted'");
  }

  isHalted(): boolean {
    return (
      this.ctx.storage.sql.exec("SELECT 1 FROM meta WHERE key = 'halted'").toArray().length > 0
    );
  }

  /**
   * Figures for buckets starting in [from, to]: from is rounded down to its one-second bucket.
   * Outcome routes are not kept here yet (the data-plane rewrite adds them), so `routes` is not
   * applied in this version.
   */
  window({ from, to }: WindowQuery): WindowStats {
    const counts = emptyCounts();
    const rows = this.ctx.storage.sql
      .exec("SELECT * FROM buckets WHERE start >= ? AND start <= ?", from - (from % 1000), to)
      .toArray();
    for (const row of rows) {
      counts.requests += Number(row.requests);
      counts.errors += Number(row.errors);
      counts.noAnswer += Number(row.no_answer);
      mergeInto(counts.histogram, JSON.parse(String(row.histogram)) as Histogram);
    }
    return summarize(counts, from, to);
  }

  /** Everything since this version's stats began: counters for /_keystone/metrics. */
  totals(): WindowCounts {
    const row = this.ctx.storage.sql.exec("SELECT * FROM totals WHERE id = 1").toArray()[0];
    if (!row) return emptyCounts();
    return {
      requests: Number(row.requests),
      errors: Number(row.errors),
      noAnswer: 0, // not kept in totals: Prometheus exports requests and errors only
      histogram: JSON.parse(String(row.histogram)) as Histogram,
    };
  }

  override async alarm(): Promise<void> {
    this.ctx.storage.sql.exec("DELETE FROM buckets WHERE start < ?", Date.now() - RETENTION_MS);
    const left = this.ctx.storage.sql.exec("SELECT COUNT(*) AS n FROM buckets").one();
    if (Number(left.n) > 0) await this.ctx.storage.setAlarm(Date.now() + PRUNE_EVERY_MS);
  }
}
