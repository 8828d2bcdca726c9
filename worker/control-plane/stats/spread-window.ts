// A version's window read from every stats object its flushes spread over, merged (counts add,
// histograms merge) before anyone judges it. A shard that does not answer fails the read: the
// window is inconclusive, never taken as the healthy-looking part that did answer.
import { WindowStats } from "../../../schemas/stats.ts";
import { statsObjectOf } from "../../contracts.ts";
import { mergeWindows } from "../../core/metrics/window-stats.ts";
import type { Env } from "../../env.ts";

export async function readSpreadWindow(
  env: Env,
  service: string,
  version: string,
  query: { from: number; to: number; routes?: string[] | undefined },
): Promise<WindowStats> {
  const first = statsObjectOf(env, service, version);
  const shards = await first.fanOut();
  const parts = await Promise.all(
    Array.from({ length: shards }, async (_, shard) => {
      const object = shard === 0 ? first : statsObjectOf(env, service, version, shard);
      try {
        return WindowStats.parse(await object.window(query));
      } catch (error) {
        throw new Error(
          `stats shard ${shard} of ${service}/${version} did not answer (${String(error)}): the window is inconclusive`,
        );
      }
    }),
  );
  return parts.length === 1 ? parts[0]! : mergeWindows(parts, query.from, query.to);
}
