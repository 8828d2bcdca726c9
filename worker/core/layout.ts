// Bucket ranges of a split. The baseline fills from the bottom and every other version from the
// top, so raising a candidate's weight only moves baseline visitors into it, never back out.
import { BUCKETS, percentToBuckets } from "../../schemas/buckets.ts";

export interface BucketRange {
  name: string;
  /** Inclusive start, exclusive end, within 0..10000. */
  start: number;
  end: number;
}

/**
 * @param weights percent per name (missing names get 0)
 * @param bottom the name laid from bucket 0 up (the baseline)
 * @param topOrder the other names, first one nearest the top (the rollout candidate first)
 */
export function layoutSplit(
  weights: Record<string, number>,
  bottom: string,
  topOrder: readonly string[],
): BucketRange[] {
  const ranges: BucketRange[] = [];
  let top = BUCKETS;
  for (const name of topOrder) {
    if (name === bottom) continue;
    const size = percentToBuckets(weights[name] ?? 0);
    ranges.push({ name, start: top - size, end: top });
    top -= size;
  }
  ranges.push({ name: bottom, start: 0, end: top });
  return ranges.filter((r) => r.end > r.start);
}

/** Ranges laid in order from bucket 0, for experiment variants (weights in percent, any precision). */
export function layoutInOrder(weights: readonly [string, number][]): BucketRange[] {
  const ranges: BucketRange[] = [];
  let cumulative = 0;
  let start = 0;
  for (const [name, weight] of weights) {
    cumulative += weight;
    const end = Math.min(BUCKETS, Math.round(cumulative * 100));
    if (end > start) ranges.push({ name, start, end });
    start = end;
  }
  return ranges;
}

export function nameAt(ranges: readonly BucketRange[], bucket: number): string {
  for (const range of ranges) {
    if (bucket >= range.start && bucket < range.end) return range.name;
  }
  // Unreachable for a validated split (ranges cover 0..9999); the last range is the safe answer.
  return ranges[ranges.length - 1]!.name;
}
