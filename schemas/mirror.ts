// Shadow traffic: a service's mirror config, and what crosses between the data plane, the stats
// objects, the admin API and the CLI about mirrored comparisons. Every list and text is bounded,
// so a flood of distinct paths or a huge diff can never grow what is sent or stored.
import * as z from "zod";
import { FIELD_PATH, HEADER_NAME, METHOD } from "./config-words.ts";
import {
  MAX_DIFF_VALUE,
  MAX_DIFFERENCES,
  MAX_MIRROR_PATHS,
  MAX_MIRROR_SAMPLES,
} from "./mirror-limits.ts";
import { Percent } from "./split.ts";

export {
  MAX_DIFF_VALUE,
  MAX_DIFFERENCES,
  MAX_MIRROR_PATHS,
  MAX_MIRROR_SAMPLES,
  OTHER_PATHS,
} from "./mirror-limits.ts";

const Count = z.number().int().nonnegative();

/** A JSON field: dotted names from the root (`meta.requestId`, `items.*.updatedAt`), or one name for that key at any depth. */
export const FieldPath = z
  .string()
  .max(200)
  .regex(
    FIELD_PATH,
    'use dotted field names ("meta.requestId"), * for any key or index ("items.*.id")',
  );

const HeaderName = z.string().toLowerCase().regex(HEADER_NAME, "not a header name");

const Method = z.string().toUpperCase().regex(METHOD, "not an HTTP method");

export const MirrorCompare = z.strictObject({
  /** Response headers compared (status always is). */
  headers: z.array(HeaderName).default(["content-type"]),
  /** json: field by field (a body that is not JSON, or longer than maxBodyBytes, byte by byte); bytes; none. */
  body: z.enum(["json", "bytes", "none"]).default("json"),
  /** JSON fields left out of the comparison (timestamps, ids). */
  ignoreFields: z.array(FieldPath).default([]),
  /** JSON fields compared but never shown in a kept diff. */
  redactFields: z.array(FieldPath).default([]),
  /** How much of each body is read and compared; a longer one is compared byte by byte that far. */
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .max(1_048_576, "at most 1 MiB of a body is compared")
    .default(262_144),
});

export const Mirror = z.strictObject({
  /** The version that gets a copy of sampled requests served by the others. */
  version: z.string(),
  /** Share of requests mirrored (each request sampled on its own). */
  percent: Percent.refine((p) => p > 0, "a mirror percent must be above 0"),
  /** Methods mirrored; anything but GET and HEAD is an opt-in. */
  methods: z.array(Method).min(1).default(["GET", "HEAD"]),
  /** Whether a request with a body may be mirrored (its body is then sent twice). */
  withBody: z.boolean().default(false),
  /** The mirrored origin's time to answer; beyond it the copy counts as failed. */
  timeoutMs: z.number().int().min(100).max(30_000).default(5_000),
  compare: MirrorCompare.default(MirrorCompare.parse({})),
});

/** One way the mirrored response differed: where, and the two values (redacted, truncated). */
export const MirrorDifference = z.object({
  where: z.string().max(300),
  primary: z
    .string()
    .max(MAX_DIFF_VALUE + 1)
    .nullable(),
  mirror: z
    .string()
    .max(MAX_DIFF_VALUE + 1)
    .nullable(),
});

/** A kept diff: the request (path without its query) and how the two responses differed. */
export const MirrorSample = z.object({
  at: z.number(),
  method: z.string().max(20),
  path: z.string().max(300),
  primaryVersion: z.string(),
  primaryStatus: z.number().int(),
  mirrorStatus: z.number().int(),
  differences: z.array(MirrorDifference).max(MAX_DIFFERENCES),
});

/** Comparisons of one normalised path (`/items/:id`). */
export const MirrorPathCounts = z.object({
  path: z.string().max(300),
  compared: Count,
  mismatched: Count,
});

/** Mirrored comparisons of one version in one second, as an isolate flushes them. */
export const MirrorBatch = z.object({
  service: z.string(),
  /** The mirrored version. */
  version: z.string(),
  bucketStart: z.number().int(),
  compared: Count,
  mismatched: Count,
  /** Copies the mirrored origin never answered (refused, reset, timed out): not compared. */
  failed: Count,
  paths: z.array(MirrorPathCounts).max(MAX_MIRROR_PATHS + 1),
  samples: z.array(MirrorSample).max(MAX_MIRROR_SAMPLES),
});

/** A version's comparisons over a window: what `maxMirrorMismatchPercent` reads. */
export const MirrorCounts = z.object({ compared: Count, mismatched: Count, failed: Count });

/** A version's comparisons since a time, as its stats object reads them out. */
export const MirrorReadout = z.object({
  totals: MirrorCounts,
  paths: z.array(MirrorPathCounts),
  samples: z.array(MirrorSample),
});

/** `?minutes=N`: how far back the report looks (default 60; comparisons are kept 6 hours). */
export const MirrorReportQuery = z.object({
  minutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(360, "comparisons are kept 360 minutes")
    .default(60)
    .describe("how many minutes back to report, 1 to 360 (default 60)"),
});

/** `GET /services/{name}/mirror`: what `keystone mirror report` prints. */
export const MirrorReport = z.object({
  service: z.string(),
  /** The mirror as configured now (null: none). */
  mirror: z.object({ version: z.string(), percent: z.number() }).nullable(),
  totals: MirrorCounts.extend({ mismatchPercent: z.number().nullable() }),
  /** Busiest paths first. */
  paths: z.array(MirrorPathCounts),
  /** Newest first. */
  samples: z.array(MirrorSample.extend({ at: z.iso.datetime() })),
});

export type FieldPath = z.infer<typeof FieldPath>;
export type MirrorCompare = z.infer<typeof MirrorCompare>;
export type Mirror = z.infer<typeof Mirror>;
export type MirrorDifference = z.infer<typeof MirrorDifference>;
export type MirrorSample = z.infer<typeof MirrorSample>;
export type MirrorPathCounts = z.infer<typeof MirrorPathCounts>;
export type MirrorBatch = z.infer<typeof MirrorBatch>;
export type MirrorCounts = z.infer<typeof MirrorCounts>;
export type MirrorReadout = z.infer<typeof MirrorReadout>;
export type MirrorReport = z.infer<typeof MirrorReport>;
