// A release file (YAML or JSON): several services rolled out as one, each with its candidate's new
// origin, release and strategy, and the condition on another service of the release that starts it.
import * as z from "zod";
import { NAME } from "./config-words.ts";
import { releaseCrossIssues } from "./release-checks.ts";
import { RolloutStrategy } from "./rollout.ts";
import { ServiceName } from "./service.ts";
import { HeaderValue, OriginUrl } from "./wire-values.ts";

export const ReleaseName = z
  .string()
  .max(63)
  .regex(NAME, "use lowercase letters, digits and dashes ([a-z0-9-])");

/** When a service starts: once another service of the release reached a step, or passed them all. */
export const StartCondition = z
  .strictObject({
    service: ServiceName,
    /** A step number as `rollout status` shows it (1 is the first step). */
    reached: z.number().int().min(1).optional(),
    passed: z.literal(true).optional(),
  })
  .superRefine((after, ctx) => {
    if ((after.reached === undefined) === (after.passed === undefined))
      ctx.addIssue({
        code: "custom",
        message: "give exactly one of reached: <step number> and passed: true",
      });
  });

export const ReleaseService = z.strictObject({
  service: ServiceName,
  origin: OriginUrl.optional(),
  release: HeaderValue.optional(),
  strategy: RolloutStrategy.optional(),
  after: StartCondition.optional(),
});

export const ReleaseFile = z
  .strictObject({
    name: ReleaseName,
    services: z.array(ReleaseService).min(1, "list at least one service"),
  })
  .superRefine((file, ctx) => {
    for (const issue of releaseCrossIssues(file))
      ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  });

export type StartCondition = z.infer<typeof StartCondition>;
export type ReleaseService = z.infer<typeof ReleaseService>;
export type ReleaseFile = z.infer<typeof ReleaseFile>;
