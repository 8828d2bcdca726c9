// One Durable Object per (service, version): request counts, errors and a latency histogram in
// one-second buckets per outcome route, filled by batched flushes from the data plane, read by
// window (the rollout's analysis, which picks the routes it counts) and totals (metrics).
//
// A busy version spreads over several such objects (shards): isolates each pick one, the first
// (shard 0) decides the fan-out when a shard reports more flushes than one object should take,
// and tells the others the fan-out and the halt they answer flushes with. The tick reads every
// shard and merges them (worker/control-plane/stats/version-stats.ts).
import { DurableObject } from "cloudflare:workers";
import type { MirrorCounts, MirrorReadout } from "../../../schemas/mirror.ts";
import {
  type FlushAnswer,
  HaltSignal,
  MAX_STATS_SHARDS,
  OutcomeFlush,
  type RouteCounts,
  SeriesQuery,
  WindowQuery,
} from "../../../schemas/stats.ts";
import { type StatsRpc, statsObjectOf } from "../../contracts.ts";
import { FlushRateMeter, grownFanOut } from "../../core/metrics/fan-out.ts";
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
  readonly #rate = new FlushRateMeter();

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
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      this.#learnShard(flush);
      if (!this.#store.claimFlush(flush.id, now)) return;
      for (const batch of flush.batches) this.#store.addBatch(batch);
      for (const batch of flush.mirror ?? []) this.#mirror.add(batch);
    });
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(now + PRUNE_EVERY_MS);
    const rate = this.#rate.note(now, this.#store.fanOut());
    if (rate !== undefined && grownFanOut(this.#store.fanOut(), rate) > this.#store.fanOut())
      this.ctx.waitUntil(this.#askToGrow());
    const shards = this.#store.fanOut();
    return { halt: this.#store.halt(), ...(shards > 1 ? { shards } : {}) };
  }

  /**
   * Set by the service object when a rollout of this version is rolled back or aborted: isolates
   * divert the version while their table holds the service below `sequence`. The shards are told
   * before this returns, so a delivered halt reaches every isolate whichever shard it flushes to.
   */
  async halt(signal: HaltSignal): Promise<void> {
    this.#store.setHalt(HaltSignal.parse(signal));
    await this.#tellShards();
  }

  /** Clears the halt of that rollout (a halt of another rollout stays), on every shard. */
  async resume(rolloutId: string): Promise<void> {
    if (this.#store.halt()?.rolloutId === rolloutId) this.#store.setHalt(null);
    await this.#tellShards();
  }

  fanOut(): number {
    return this.#store.fanOut();
  }

  /**
   * On the first object: doubles the fan-out if it still is what the busy shard saw (two shards
   * reporting the same rate grow it once), then tells every shard. The new fan-out is stored
   * before any isolate can learn it, so the tick never misses a shard that holds outcomes.
   */
  async grow(seen: number): Promise<number> {
    const current = this.#store.fanOut();
    if (Number(seen) === current && current < MAX_STATS_SHARDS) {
      this.#store.setFanOut(current * 2);
      await this.#tellShards();
    }
    return this.#store.fanOut();
  }

  adopt(shards: number, halt: HaltSignal | null): void {
    const fanOut = Math.min(MAX_STATS_SHARDS, Math.max(1, Math.floor(Number(shards))));
    if (fanOut > this.#store.fanOut()) this.#store.setFanOut(fanOut);
    this.#store.setHalt(halt === null ? null : HaltSignal.parse(halt));
  }

  /** The first flush says which version and shard this object holds (batches name the version). */
  #learnShard(flush: OutcomeFlush): void {
    const batch = flush.batches[0] ?? flush.mirror?.[0];
    if (!batch || this.#store.shard()) return;
    this.#store.setShard({
      service: batch.service,
      version: batch.version,
      index: flush.shard ?? 0,
    });
  }

  /** A shard that measured too many flushes asks the first object to grow the fan-out. */
  async #askToGrow(): Promise<void> {
    const shard = this.#store.shard();
    if (!shard) return;
    try {
      const shards =
        shard.index === 0
          ? await this.grow(this.#store.fanOut())
          : await statsObjectOf(this.env, shard.service, shard.version).grow(this.#store.fanOut());
      if (shards > this.#store.fanOut()) this.#store.setFanOut(shards);
    } catch (error) {
      console.error(`keystone: stats ${shard.service}/${shard.version} could not grow: ${error}`);
    }
  }

  /** From the first object: the fan-out and the halt to every other shard. */
  async #tellShards(): Promise<void> {
    const shard = this.#store.shard();
    const shards = this.#store.fanOut();
    if (shard?.index !== 0 || shards === 1) return;
    const halt = this.#store.halt();
    await Promise.all(
      Array.from({ length: shards - 1 }, (_, i) =>
        statsObjectOf(this.env, shard.service, shard.version, i + 1).adopt(shards, halt),
      ),
    );
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
