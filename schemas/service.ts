// One service of the config file: where it listens, its versions, and how traffic is split.
import * as z from "zod";
import { Condition } from "./condition.ts";
import { Notify, Rollout } from "./rollout.ts";
import { Split } from "./split.ts";

const HOST = /^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const NAME = /^[a-z0-9][a-z0-9-]*$/;
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export const ServiceName = z
  .string()
  .max(63)
  .regex(NAME, "use lowercase letters, digits and dashes ([a-z0-9-])");

export const Host = z
  .string()
  .toLowerCase()
  .regex(HOST, 'not a host name; use "shop.example.com" or "*.shop.example.com", no port');

export const Version = z.strictObject({
  origin: z.url({ protocol: /^https?$/, error: "not an http(s) URL" }),
  release: z.string().min(1).optional(),
  healthPath: z.string().startsWith("/").optional(),
  timeoutMs: z.number().int().min(1).max(300_000).default(30_000),
});

export const Sticky = z.strictObject({
  by: z
    .string()
    .regex(/^(cookie|ip|none|header:[A-Za-z0-9-]+)$/, "use cookie, header:<name>, ip or none")
    .default("cookie"),
  cookie: z.string().regex(COOKIE_NAME, "not a valid cookie name").optional(),
  maxAgeSeconds: z.number().int().positive().default(2_592_000),
});

export const Rule = z
  .strictObject({
    name: z.string().min(1),
    when: Condition,
    route: z.string().optional(),
    split: Split.optional(),
  })
  .superRefine((rule, ctx) => {
    if ((rule.route === undefined) === (rule.split === undefined)) {
      ctx.addIssue({ code: "custom", message: "a rule needs either route or split" });
    }
  });

export const Variant = z.strictObject({
  weight: z.number().min(0).max(100),
  version: z.string().optional(),
});

export const Experiment = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, "use letters, digits, _ . -"),
    when: Condition.optional(),
    variants: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/), Variant),
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
  });

const ServiceFields = z.strictObject({
  name: ServiceName,
  hosts: z.array(Host).min(1),
  pathPrefix: z.string().startsWith("/", "starts with /").default("/"),
  versions: z.record(z.string().regex(NAME, "use [a-z0-9-]"), Version),
  baseline: z.string(),
  split: Split,
  sticky: Sticky.default(Sticky.parse({})),
  rules: z.array(Rule).default([]),
  experiments: z.array(Experiment).default([]),
  rollout: Rollout.optional(),
  notify: z.array(Notify).default([]),
  /** Whether clients see x-keystone-version on responses. */
  exposeVersionHeader: z.boolean().default(true),
  /** Statuses counted as errors: "5xx" or exact codes such as "429". */
  errorStatuses: z
    .array(z.string().regex(/^[1-5](xx|\d\d)$/, 'use "5xx" or a code such as "429"'))
    .default(["5xx"]),
});

export const Service = ServiceFields.superRefine(checkReferences);

type ServiceShape = z.output<typeof ServiceFields>;

/** Every version a service names (baseline, splits, routes, pins, candidate) must exist. */
function checkReferences(service: ServiceShape, ctx: z.RefinementCtx): void {
  const known = new Set(Object.keys(service.versions));
  const need = (name: string | undefined, path: (string | number)[]) => {
    if (name !== undefined && !known.has(name)) {
      ctx.addIssue({
        code: "custom",
        path,
        message: `unknown version "${name}" (versions: ${[...known].join(", ") || "none"})`,
      });
    }
  };
  need(service.baseline, ["baseline"]);
  for (const name of Object.keys(service.split)) need(name, ["split", name]);
  service.rules.forEach((rule, i) => {
    need(rule.route, ["rules", i, "route"]);
    for (const name of Object.keys(rule.split ?? {})) need(name, ["rules", i, "split", name]);
  });
  service.experiments.forEach((experiment, i) => {
    for (const [variant, spec] of Object.entries(experiment.variants)) {
      need(spec.version, ["experiments", i, "variants", variant, "version"]);
    }
  });
  checkUnique(
    service.rules.map((r) => r.name),
    "rules",
    "rule",
    ctx,
  );
  checkUnique(
    service.experiments.map((e) => e.name),
    "experiments",
    "experiment",
    ctx,
  );
  if (service.rollout) checkRolloutVersions(service, known, ctx, need);
}

function checkRolloutVersions(
  service: ServiceShape,
  known: Set<string>,
  ctx: z.RefinementCtx,
  need: (name: string | undefined, path: (string | number)[]) => void,
): void {
  const rollout = service.rollout!;
  const rules = new Set(service.rules.map((rule) => rule.name));
  rollout.analysis.countRules?.forEach((name, i) => {
    if (!rules.has(name))
      ctx.addIssue({
        code: "custom",
        path: ["rollout", "analysis", "countRules", i],
        message: `unknown rule "${name}" (rules: ${[...rules].join(", ") || "none"})`,
      });
  });
  if (rollout.strategy === "blueGreen") {
    for (const colour of ["blue", "green"]) {
      if (!known.has(colour)) {
        ctx.addIssue({
          code: "custom",
          path: ["versions"],
          message: `a blueGreen rollout needs a version named "${colour}"`,
        });
      }
    }
    return;
  }
  need(rollout.candidate, ["rollout", "candidate"]);
  if (rollout.candidate !== undefined && rollout.candidate === service.baseline) {
    ctx.addIssue({
      code: "custom",
      path: ["rollout", "candidate"],
      message: "the candidate cannot be the baseline",
    });
  }
  if (rollout.candidate === undefined && known.size !== 2) {
    ctx.addIssue({
      code: "custom",
      path: ["rollout", "candidate"],
      message: "name the candidate version (needed when there are not exactly two versions)",
    });
  }
}

/** Reports each name used more than once, at the later position. */
export function checkUnique(
  names: string[],
  listPath: string,
  what: string,
  ctx: z.RefinementCtx,
  field = "name",
): void {
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    const first = seen.get(name);
    if (first === undefined) {
      seen.set(name, i);
      return;
    }
    ctx.addIssue({
      code: "custom",
      path: [listPath, i, field],
      message: `duplicate ${what} "${name}" (also at ${listPath}[${first}])`,
    });
  });
}

export type Service = z.infer<typeof Service>;
export type ServiceInput = z.input<typeof Service>;
export type Version = z.infer<typeof Version>;
export type Rule = z.infer<typeof Rule>;
export type Experiment = z.infer<typeof Experiment>;
export type Sticky = z.infer<typeof Sticky>;
