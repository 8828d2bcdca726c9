// One Durable Object per (service, version): request counts, errors and a latency histogram in
// one-second buckets per outcome route, filled by batched flushes from the data plane, read by
// window (the rollout's analysis, which picks the routes it counts) and totals (metrics).
import { DurableObject } from "cloudflare:workers";
import type { MirrorCounts, MirrorReadout } from "../../../schemas/mirror.ts";
import {
  type FlushAnswer,
  HaltSignal,
  OutcomeFlush,
  type RouteCounts,
  SeriesQuery,
  WindowQuery,
} from "../../../schemas/stats.ts";
import type { StatsRpc } from "../../contracts.ts";
import { sumRoutes } from "../../core/metrics/route-counts.ts";
import { seriesOf } from "../../core/metrics/series.ts";
import { summarize, type WindowStats } from "../../core/metrics/window-stats.ts";
import type { Env } from "../../env.ts";
import { MirrorStore } from "./mirror-store.ts";
import { StatsStore } from "./stats-store.ts";

/** Buckets older than this are pruned: longer than any sensible bake time. */
const RETENTION_MS = 6 * 3_600_000;
const PRUNE_EVERY_MS = 3_600_000;
/** Flush ids are kept this long: far beyond the flusher's retries (under a second apart). */
const FLUSH_ID_RETENTION_MS = 3_600_000;

export class StatsObject extends DurableObject<Env> implements StatsRpc {
  readonly #store: StatsStore;
  readonly #mirror: MirrorStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new StatsStore(ctx.storage.sql);
    this.#mirror = new MirrorStore(ctx.storage.sql);
  }

  /**
   * Adds a flush of outcome batches, once per flush id (a retry of a flush that got through is
   * not counted again). The answer carries this version's halt: the flushing isolate diverts the
   * version at once, without waiting for the route table that carries the rollback.
   */
  async record(input: OutcomeFlush): Promise<FlushAnswer> {
    const flush = OutcomeFlush.parse(input);
    this.ctx.storage.transactionSync(() => {
      if (!this.#store.claimFlush(flush.id, Date.now())) return;
      for (const batch of flush.batches) this.#store.addBatch(batch);
      for (const batch of flush.mirror ?? []) this.#mirror.add(batch);
    });
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now() + PRUNE_EVERY_MS);
    return { halt: this.#store.halt() };
  }

  /**
   * Set by the service object when a rollout of this version is rolled back or aborted: isolates
   * divert the version while their table holds the service below `sequence`.
   */
  halt(signal: HaltSignal): void {
    this.#store.setHalt(HaltSignal.parse(signal));
  }

  /** Clears the halt of that rollout (a halt of another rollout stays). */
  resume(rolloutId: string): void {
    if (this.#store.halt()?.rolloutId === rolloutId) this.#store.setHalt(null);
  }

  currentHalt(): HaltSignal | null {
    return this.#store.halt();
  }

  /** Figures for buckets starting in [from, to] (from rounded down to its second), routes asked. */
  window(input: WindowQuery): WindowStats {
    const { from, to, routes } = WindowQuery.parse(input);
    const rows = this.#store.buckets(from - (from % 1000), to);
    return summarize(sumRoutes(rows, routes), from, to);
  }

  /** Consecutive windows of `stepMs` (the status page's chart points), in one call. */
  series(input: SeriesQuery): WindowStats[] {
    const query = SeriesQuery.parse(input);
    return seriesOf(this.#store.timedBuckets(query.from, query.to), query);
  }

  /** Start of the last second in [from, to] in which one of `routes` reached this version. */
  lastRequest(input: WindowQuery): number | null {
    const { from, to, routes } = WindowQuery.parse(input);
    return this.#store.lastRequest(from - (from % 1000), to, routes ?? ["split", "experiment"]);
  }

  /** Rising counters per outcome route since this version's stats began (/_keystone/metrics). */
  totals(): RouteCounts[] {
    return this.#store.totals();
  }

  mirrorWindow(input: WindowQuery): MirrorCounts {
    const { from, to } = WindowQuery.parse(input);
    return this.#mirror.window(from, to);
  }

  mirrorTotals(): MirrorCounts {
    return this.#mirror.totals();
  }

  mirrorReadout(from: number, pathLimit: number): MirrorReadout {
    return {
      totals: this.#mirror.window(from, Number.MAX_SAFE_INTEGER),
      paths: this.#mirror.paths(from, pathLimit),
      samples: this.#mirror.samples(from),
    };
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const counts = this.#store.prune(now - RETENTION_MS, now - FLUSH_ID_RETENTION_MS);
    const mirrored = this.#mirror.prune(now - RETENTION_MS);
    if (counts || mirrored) await this.ctx.storage.setAlarm(now + PRUNE_EVERY_MS);
  }
}
