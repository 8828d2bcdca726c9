// Log-scale latency histogram: bucket i ≥ 1 holds [γ^(i−1), γ^i) ms with γ = 1.04 and is read
// back as its geometric middle γ^(i−½), so any latency from 1 ms up reads back within ±2 % of
// itself. Bucket 0 holds everything under 1 ms, read back as 0. Sparse: only buckets seen are
// stored, as "index": count.
//
// No buckets below 1 ms, on purpose: the data plane times a request with Date.now(), which counts
// whole milliseconds (and on Cloudflare advances only when I/O completes), so every latency it
// records is a whole number of ms and "under 1 ms" is always exactly 0 ms. Finer buckets would
// stay empty, and bucket 0 keeps the meaning stored histograms already give it.

const GAMMA = 1.04;
const LOG_GAMMA = Math.log(GAMMA);

/** Bucket index → count. */
export type Histogram = Record<number, number>;

export function bucketIndex(latencyMs: number): number {
  return latencyMs < 1 ? 0 : Math.floor(Math.log(latencyMs) / LOG_GAMMA) + 1;
}

/** The value a bucket stands for: its geometric middle (0 for sub-millisecond). */
export function bucketValue(index: number): number {
  return index === 0 ? 0 : GAMMA ** (index - 1 + 0.5);
}

export function addLatency(histogram: Histogram, latencyMs: number, count = 1): void {
  const index = bucketIndex(latencyMs);
  histogram[index] = (histogram[index] ?? 0) + count;
}

export function mergeInto(target: Histogram, source: Histogram): void {
  for (const [index, count] of Object.entries(source)) {
    target[Number(index)] = (target[Number(index)] ?? 0) + count;
  }
}

/** The q-quantile (0..1) in ms, or null for an empty histogram. */
export function quantile(histogram: Histogram, q: number): number | null {
  const entries = Object.entries(histogram)
    .map(([index, count]) => [Number(index), count] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const [index, count] of entries) {
    seen += count;
    if (seen >= rank) return bucketValue(index);
  }
  return bucketValue(entries[entries.length - 1]![0]);
}

/** Count of samples at or below `boundMs`, for Prometheus `le` buckets. */
export function countAtOrBelow(histogram: Histogram, boundMs: number): number {
  let count = 0;
  for (const [index, n] of Object.entries(histogram))
    if (bucketValue(Number(index)) <= boundMs) count += n;
  return count;
}
