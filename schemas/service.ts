// One service of the config file: where it listens, its versions, and how traffic is split.
import * as z from "zod";
import { Condition, regexChecks } from "./condition.ts";
import {
  COOKIE_NAME,
  ERROR_STATUS,
  EXPERIMENT_NAME,
  HOST,
  NAME,
  STICKY_BY,
} from "./config-words.ts";
import { serviceCrossIssues } from "./cross-checks.ts";
import { Mirror } from "./mirror.ts";
import { Notify, Rollout } from "./rollout.ts";
import { Split } from "./split.ts";
import { HeaderValue, OriginUrl } from "./wire-values.ts";

export const ServiceName = z
  .string()
  .max(63)
  .regex(NAME, "use lowercase letters, digits and dashes ([a-z0-9-])");

export const Host = z
  .string()
  .toLowerCase()
  .regex(HOST, 'not a host name; use "shop.example.com" or "*.shop.example.com", no port');

export const Version = z.strictObject({
  origin: OriginUrl,
  /** Sent to the origin as x-keystone-release, so it must be a valid header value. */
  release: HeaderValue.optional(),
  healthPath: z.string().startsWith("/").optional(),
  timeoutMs: z.number().int().min(1).max(300_000).default(30_000),
});

/**
 * Version affinity: a visitor served a version keeps it for `maxAgeSeconds`, whatever the weights
 * do, through a signed pin (cookie or header). Pins cannot be revoked one by one: keep them short.
 */
export const Affinity = z.strictObject({
  maxAgeSeconds: z.number().int().positive().max(604_800).default(3_600),
});

export const Sticky = z.strictObject({
  by: z.string().regex(STICKY_BY, "use cookie, header:<name>, ip or none").default("cookie"),
  cookie: z.string().regex(COOKIE_NAME, "not a valid cookie name").optional(),
  maxAgeSeconds: z.number().int().positive().default(2_592_000),
  affinity: Affinity.optional(),
  /** Services of one group share the visitor key and bucket salt: a visitor is on one track in all. */
  group: z
    .string()
    .max(63)
    .regex(NAME, "use lowercase letters, digits and dashes ([a-z0-9-])")
    .optional(),
});

export const Rule = z
  .strictObject({
    name: z.string().min(1).max(200, "at most 200 characters"),
    when: Condition,
    route: z.string().optional(),
    split: Split.optional(),
  })
  .superRefine((rule, ctx) => {
    if ((rule.route === undefined) === (rule.split === undefined)) {
      ctx.addIssue({ code: "custom", message: "a rule needs either route or split" });
    }
    for (const { at, message } of regexChecks.costlyRegexes(rule.when, ["when"]))
      ctx.addIssue({ code: "custom", path: at, message: `rule "${rule.name}": ${message}` });
  });

export const Variant = z.strictObject({
  weight: z.number().min(0).max(100),
  version: z.string().optional(),
});

export const Experiment = z
  .strictObject({
    name: z
      .string()
      .max(63, "at most 63 characters")
      .regex(EXPERIMENT_NAME, "use letters, digits, _ . -"),
    when: Condition.optional(),
    variants: z.record(
      z
        .string()
        .max(63, "variant names have at most 63 characters")
        .regex(EXPERIMENT_NAME, "variant names use letters, digits, _ . -"),
      Variant,
    ),
  })
  .superRefine((experiment, ctx) => {
    const total = Object.values(experiment.variants).reduce((s, v) => s + v.weight, 0);
    if (Math.abs(total - 100) > 1e-9) {
      ctx.addIssue({
        code: "custom",
        path: ["variants"],
        message: `weights sum to ${total}, must be 100`,
      });
    }
    for (const { at, message } of experiment.when
      ? regexChecks.costlyRegexes(experiment.when, ["when"])
      : [])
      ctx.addIssue({
        code: "custom",
        path: at,
        message: `experiment "${experiment.name}": ${message}`,
      });
  });

/** A track's name: a key of `versions`. */
export const TrackName = z.string().max(63, "at most 63 characters").regex(NAME, "use [a-z0-9-]");

/** A service's fields, before the checks across them (the config file's spec extends these). */
export const ServiceFields = z.strictObject({
  name: ServiceName,
  hosts: z.array(Host).min(1),
  pathPrefix: z.string().startsWith("/", "starts with /").default("/"),
  versions: z.record(TrackName, Version),
  baseline: z.string(),
  split: Split,
  sticky: Sticky.default(Sticky.parse({})),
  rules: z.array(Rule).default([]),
  experiments: z.array(Experiment).default([]),
  rollout: Rollout.optional(),
  notify: z.array(Notify).default([]),
  /** Shadow traffic: copies of sampled requests to a version, its responses compared, never served. */
  mirror: Mirror.optional(),
  /**
   * X-Forwarded-For to the origin: `append` adds CF-Connecting-IP to what the client sent,
   * `replace` sends CF-Connecting-IP alone (use it when the origin trusts the header).
   */
  forwardedFor: z.enum(["append", "replace"]).default("append"),
  /** Whether clients see x-keystone-version on responses. */
  exposeVersionHeader: z.boolean().default(true),
  /** Statuses counted as errors: "5xx" or exact codes such as "429". */
  errorStatuses: z
    .array(z.string().regex(ERROR_STATUS, 'use "5xx" or a code such as "429"'))
    .default(["5xx"]),
});

/** Cross-field checks (names that must exist or be unique, colours, candidate, origin loops). */
export const Service = ServiceFields.superRefine((service, ctx) => {
  for (const issue of serviceCrossIssues(service))
    ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
});

export type Service = z.infer<typeof Service>;
export type ServiceInput = z.input<typeof Service>;
export type Version = z.infer<typeof Version>;
export type Rule = z.infer<typeof Rule>;
export type Experiment = z.infer<typeof Experiment>;
export type Sticky = z.infer<typeof Sticky>;
export type Affinity = z.infer<typeof Affinity>;
