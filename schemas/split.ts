// A traffic split: percent per version, in steps of 0.01 (one bucket of 10,000), summing to 100.
import * as z from "zod";

export const BUCKETS = 10_000;

export const Percent = z
  .number()
  .min(0, "a percent is at least 0")
  .max(100, "a percent is at most 100")
  .refine((p) => Math.abs(p * 100 - Math.round(p * 100)) < 1e-6, {
    message: "a percent has at most two decimals",
  });

/** Bucket units (0..10000) of a percent. */
export function percentToBuckets(percent: number): number {
  return Math.round(percent * 100);
}

export const Split = z.record(z.string(), Percent).superRefine((split, ctx) => {
  const total = Object.values(split).reduce((sum, p) => sum + percentToBuckets(p), 0);
  if (total !== BUCKETS) {
    ctx.addIssue({ code: "custom", message: `weights sum to ${total / 100}, must be 100` });
  }
});

export type Split = z.infer<typeof Split>;
