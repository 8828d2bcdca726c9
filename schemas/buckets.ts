// A split's unit: percents in steps of 0.01, one bucket of 10,000 each. No schema library: the
// routing core lays splits out in buckets on the request path (schemas/split.ts is the schema).

export const BUCKETS = 10_000;

/** Bucket units (0..10000) of a percent. */
export function percentToBuckets(percent: number): number {
  return Math.round(percent * 100);
}
