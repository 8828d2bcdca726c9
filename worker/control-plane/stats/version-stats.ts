// One version's stats as its readers need them whole: read from every stats object its flushes
// spread over (worker/core/metrics/fan-out.ts) and merged (counts add, histograms merge). A shard
// that does not answer fails the read: a window is then inconclusive, never the healthy-looking
// part that did answer. The halt and mirrored comparisons live on the first object only.
import {
  type RouteCounts,
  RouteCounts as RouteCountsSchema,
  type SeriesQuery,
  type WindowQuery,
  WindowStats,
} from "../../../schemas/stats.ts";
import { statsObjectOf } from "../../contracts.ts";
import { addCounts } from "../../core/metrics/route-counts.ts";
import { mergeWindows } from "../../core/metrics/window-stats.ts";
import type { Env } from "../../env.ts";

export class VersionStats {
  readonly #env: Env;
  readonly #service: string;
  readonly #version: string;

  constructor(env: Env, service: string, version: string) {
    this.#env = env;
    this.#service = service;
    this.#version = version;
  }

  /** The figures of buckets starting in [from, to], over the routes asked, from every shard. */
  async window(query: WindowQuery): Promise<WindowStats> {
    const parts = await this.#eachShard(async (stats) =>
      WindowStats.parse(await stats.window(query)),
    );
    return parts.length === 1 ? parts[0]! : mergeWindows(parts, query.from, query.to);
  }

  /** Chart points: each the merge of the same point of every shard. */
  async series(query: SeriesQuery): Promise<WindowStats[]> {
    const parts = await this.#eachShard(async (stats) =>
      WindowStats.array().parse(await stats.series(query)),
    );
    if (parts.length === 1) return parts[0]!;
    return parts[0]!.map((point, i) =>
      mergeWindows(
        parts.map((part) => part[i]!),
        point.from,
        point.to,
      ),
    );
  }

  /** Rising counters per route, summed over the shards. */
  async totals(): Promise<RouteCounts[]> {
    const parts = await this.#eachShard(async (stats) =>
      RouteCountsSchema.array().parse(await stats.totals()),
    );
    const byRoute = new Map<string, RouteCounts>();
    for (const row of parts.flat()) byRoute.set(row.route, addCounts(byRoute.get(row.route), row));
    return [...byRoute.values()].sort((a, b) => a.route.localeCompare(b.route));
  }

  /** The last second in [from, to] with a request on `routes`, on any shard. */
  async lastRequest(query: WindowQuery): Promise<number | null> {
    const parts = await this.#eachShard((stats) => stats.lastRequest(query));
    const seen = parts.filter((at): at is number => typeof at === "number");
    return seen.length ? Math.max(...seen) : null;
  }

  async #eachShard<T>(
    read: (stats: ReturnType<typeof statsObjectOf>) => Promise<T> | T,
  ): Promise<T[]> {
    const first = statsObjectOf(this.#env, this.#service, this.#version);
    const shards = await first.fanOut();
    return Promise.all(
      Array.from({ length: shards }, async (_, shard) => {
        try {
          return await read(
            shard === 0 ? first : statsObjectOf(this.#env, this.#service, this.#version, shard),
          );
        } catch (error) {
          throw new Error(
            `stats shard ${shard} of ${this.#service}/${this.#version} did not answer (${String(error)}): the figures are inconclusive`,
          );
        }
      }),
    );
  }
}
