// How many stats objects a version's flushes spread over, chosen from the flush rate the busiest
// one sees: a Durable Object serves about 1,000 requests a second before it answers
// `overloaded`, so the fan-out doubles whenever one object takes more than half the target of
// 500 flushes a second. It never shrinks while data may sit in the objects it spread to (the
// tick reads all of them). Pure: callers pass times.
import { MAX_STATS_SHARDS } from "../../../schemas/stats-limits.ts";

/** Flushes a second one object may take before the fan-out doubles. */
export const GROW_AT_FLUSHES_PER_SECOND = 250;
/** How long a rate is measured over before it counts. */
export const RATE_WINDOW_MS = 10_000;

/** The fan-out after a shard measured `flushesPerSecond` under fan-out `current`. */
export function grownFanOut(current: number, flushesPerSecond: number): number {
  if (flushesPerSecond <= GROW_AT_FLUSHES_PER_SECOND) return current;
  return Math.min(MAX_STATS_SHARDS, current * 2);
}

/** Which shard an isolate flushes to: `seed` (uniform in [0, 1), drawn once per isolate). */
export function shardOf(seed: number, shards: number): number {
  return Math.min(shards - 1, Math.floor(seed * shards));
}

/**
 * After the fan-out changes, flushes are not metered for this long: isolates learn the new
 * fan-out at their next answer (one flush interval, 5 s), and a rate measured while some still
 * send to the old shard would grow the fan-out again for nothing.
 */
export const SETTLE_MS = 10_000;

/** Counts one object's flushes over consecutive windows; says the rate when a window closes. */
export class FlushRateMeter {
  #windowStart = Number.NaN;
  #count = 0;
  #fanOut: number | undefined;

  /**
   * Notes one flush at `now` under fan-out `fanOut`; the rate of the window it closed (flushes a
   * second), if it closed one.
   */
  note(now: number, fanOut: number): number | undefined {
    if (this.#fanOut !== fanOut) {
      this.#windowStart = this.#fanOut === undefined ? now : now + SETTLE_MS;
      this.#count = 0;
      this.#fanOut = fanOut;
    }
    if (now < this.#windowStart) return undefined;
    this.#count++;
    const elapsed = now - this.#windowStart;
    // A window closes after RATE_WINDOW_MS, or as soon as it holds more flushes than the growth
    // rate allows over a whole window (no need to wait to know it is too many).
    const tooMany = this.#count > (GROW_AT_FLUSHES_PER_SECOND * RATE_WINDOW_MS) / 1000;
    if (elapsed < RATE_WINDOW_MS && !tooMany) return undefined;
    const rate = (this.#count * 1000) / Math.max(elapsed, 1);
    this.#windowStart = now;
    this.#count = 0;
    return rate;
  }
}
