// A traffic split: percent per version, in steps of 0.01 (one bucket of 10,000), summing to 100.
import * as z from "zod";
import { BUCKETS, percentToBuckets } from "./buckets.ts";

export { BUCKETS, percentToBuckets } from "./buckets.ts";

export const Percent = z
  .number()
  .min(0, "a percent is at least 0")
  .max(100, "a percent is at most 100")
  .refine((p) => Math.abs(p * 100 - Math.round(p * 100)) < 1e-6, {
    message: "a percent has at most two decimals",
  });

export const Split = z.record(z.string(), Percent).superRefine((split, ctx) => {
  const total = Object.values(split).reduce((sum, p) => sum + percentToBuckets(p), 0);
  if (total !== BUCKETS) {
    ctx.addIssue({ code: "custom", message: `weights sum to ${total / 100}, must be 100` });
  }
});

export type Split = z.infer<typeof Split>;
