// A traffic split: percent per version, in steps of 0.01 (one bucket of 10,000), summing to 100.
import * as z from "zod";
import { BUCKETS, percentToBuckets } from "./buckets.ts";

export { BUCKETS, percentToBuckets } from "./buckets.ts";

/** Whether a percent is on the split's grid: steps of 0.01 (one bucket). */
const onGrid = (p: number) => Math.abs(p * 100 - Math.round(p * 100)) < 1e-6;

export const Percent = z
  .number()
  .min(0, "a percent is at least 0")
  .max(100, "a percent is at most 100")
  .refine(onGrid, { message: "a percent has at most two decimals" });

export const Split = z.record(z.string(), Percent).superRefine((split, ctx) => {
  // A weight off the grid or out of range is refused by itself: a sum of rounded weights would
  // only add a wrong total beside it ("sum to 100.01" for 50.005 + 49.995).
  const weights = Object.values(split);
  if (weights.some((p) => typeof p !== "number" || !onGrid(p) || p < 0 || p > 100)) return;
  const total = weights.reduce((sum, p) => sum + percentToBuckets(p), 0);
  if (total !== BUCKETS) {
    ctx.addIssue({ code: "custom", message: `weights sum to ${total / 100}, must be 100` });
  }
});

export type Split = z.infer<typeof Split>;
