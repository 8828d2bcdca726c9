// Metrics a team already keeps, judged beside Keystone's own checks: a named query to a provider
// (Prometheus, Datadog, a JSON web endpoint) over templates of the rollout's names, with a
// condition on its value or a limit against the baseline's value (docs/analysis.md).
import * as z from "zod";
import { LOOPBACK_HOSTS } from "./config-words.ts";
import { parseCondition } from "./metric-condition.ts";

/** What a query template may name, filled from the rollout at each tick. */
const TEMPLATE_VARIABLES = [
  "service",
  "version",
  "release",
  "baseline",
  "candidate",
  "window",
] as const;

export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
export type TemplateValues = Record<TemplateVariable, string>;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Why a template cannot be filled (an unknown name, an unclosed brace), or undefined. */
export function templateProblem(text: string): string | undefined {
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? "";
    if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name))
      return `unknown template variable {{${name}}}: use ${TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(", ")}`;
  }
  const rest = text.replace(PLACEHOLDER, "");
  if (rest.includes("{{") || rest.includes("}}"))
    return "has an unclosed {{ or a stray }}: write variables as {{version}}";
  return undefined;
}

/** Fills a template; `encode` escapes each value (for a URL). */
export function fillTemplate(
  text: string,
  values: TemplateValues,
  encode: (value: string) => string = (value) => value,
): string {
  return text.replace(PLACEHOLDER, (_, name: string) =>
    encode(values[name.trim() as TemplateVariable] ?? ""),
  );
}

/**
 * Worker secrets a metric may send, by name. Only names under METRICS_ may be named, so a config
 * can never send one of Keystone's own keys (ADMIN_TOKEN, NOTIFY_SECRET…) to a provider.
 */
export const SecretName = z
  .string()
  .regex(
    /^METRICS_[A-Z0-9_]+$/,
    "a secret is named, never given: a Worker secret whose name starts with METRICS_ (such as METRICS_PROMETHEUS_TOKEN), set with wrangler secret put",
  );

const Template = z
  .string()
  .min(1)
  .max(4096)
  .superRefine((text, ctx) => {
    const problem = templateProblem(text);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** Sample values to check that a URL template still makes a URL. */
const SAMPLE: TemplateValues = {
  service: "shop",
  version: "canary",
  release: "v1",
  baseline: "stable",
  candidate: "canary",
  window: "5m",
};

function urlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(fillTemplate(text, SAMPLE, encodeURIComponent));
  } catch {
    return "not an http(s) URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "not an http(s) URL";
  if (url.username || url.password)
    return "a provider URL cannot hold credentials (user:pass@): name a METRICS_ secret instead";
  return undefined;
}

/**
 * A provider sent a secret over plain http to another machine: anyone on the path reads the key.
 * Plain http stays for this machine (a local Prometheus in development) and for calls with no key.
 */
function refuseKeyInTheClear(
  text: string | undefined,
  secret: string | undefined,
  ctx: z.RefinementCtx,
  path: string,
): void {
  if (text === undefined || secret === undefined) return;
  let url: URL;
  try {
    url = new URL(fillTemplate(text, SAMPLE, encodeURIComponent));
  } catch {
    return; // the URL's own check says why
  }
  if (url.protocol === "http:" && !LOOPBACK_HOSTS.has(url.hostname))
    ctx.addIssue({
      code: "custom",
      path: [path],
      message: `would send ${secret} in the clear: use an https URL (http only for 127.0.0.1, ::1 or localhost)`,
    });
}

/** An http(s) URL with no credentials; templates allowed where `templated`. */
const providerUrl = (templated: boolean) =>
  (templated ? Template : z.string().min(1).max(2048)).superRefine((text, ctx) => {
    const problem = urlProblem(text);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
    if (!templated && text.includes("{{"))
      ctx.addIssue({
        code: "custom",
        message: "takes no template variables: put them in the query",
      });
  });

export const PrometheusProvider = z
  .strictObject({
    address: providerUrl(false),
    query: Template,
    tokenSecret: SecretName.optional(),
  })
  .superRefine((provider, ctx) =>
    refuseKeyInTheClear(provider.address, provider.tokenSecret, ctx, "address"),
  );

export const DatadogProvider = z
  .strictObject({
    site: z
      .string()
      .regex(/^[a-z0-9.-]+\.[a-z]+$/, "a Datadog site such as datadoghq.com or datadoghq.eu")
      .optional(),
    address: providerUrl(false).optional(),
    query: Template,
    apiKeySecret: SecretName,
    appKeySecret: SecretName,
  })
  .superRefine((provider, ctx) => {
    if (provider.site !== undefined && provider.address !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["address"],
        message: "give site or address, not both",
      });
    refuseKeyInTheClear(provider.address, provider.apiKeySecret, ctx, "address");
  });

/** `$.data.value`, `$.series[0].points[*].v`: keys, indexes and [*] for every element. */
const JSON_PATH = /^\$((\.[A-Za-z_][A-Za-z0-9_-]*)|(\[(\d+|\*|"[^"]*")\]))*$/;

export const WebProvider = z
  .strictObject({
    url: providerUrl(true),
    path: z
      .string()
      .regex(
        JSON_PATH,
        'a path from the document root such as $.data.value, $.items[0].count or $.series[*].value ([*]: every element; ["odd key"])',
      ),
    tokenSecret: SecretName.optional(),
  })
  .superRefine((provider, ctx) =>
    refuseKeyInTheClear(provider.url, provider.tokenSecret, ctx, "url"),
  );

const PROVIDERS = ["prometheus", "datadog", "web"] as const;

export const MetricProvider = z
  .strictObject({
    prometheus: PrometheusProvider.optional(),
    datadog: DatadogProvider.optional(),
    web: WebProvider.optional(),
  })
  .superRefine((provider, ctx) => {
    const given = PROVIDERS.filter((name) => provider[name] !== undefined);
    if (given.length !== 1)
      ctx.addIssue({
        code: "custom",
        message:
          given.length === 0
            ? "needs one of prometheus, datadog, web"
            : `has ${given.join(" and ")}: give exactly one provider`,
      });
  });

const Condition = z.string().superRefine((text, ctx) => {
  const parsed = parseCondition(text);
  if (!parsed.ok) ctx.addIssue({ code: "custom", message: `condition ${parsed.error}` });
});

/** The candidate's value against the baseline's, from the same query run for each. */
export const BaselineComparison = z
  .strictObject({
    maxRatio: z.number().positive().optional(),
    maxDifference: z.number().nonnegative().optional(),
    worseWhen: z.enum(["higher", "lower"]).default("higher"),
  })
  .superRefine((limits, ctx) => {
    if (limits.maxRatio === undefined && limits.maxDifference === undefined)
      ctx.addIssue({ code: "custom", message: "needs maxRatio or maxDifference (or both)" });
  });

export const AnalysisMetric = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "lowercase letters, digits and dashes, at most 63"),
    provider: MetricProvider,
    successCondition: Condition.optional(),
    failureCondition: Condition.optional(),
    baseline: BaselineComparison.optional(),
    failureLimit: z.number().int().nonnegative().default(0),
    inconclusiveLimit: z.number().int().nonnegative().default(3),
    dryRun: z.boolean().default(false),
  })
  .superRefine((metric, ctx) => {
    const conditions =
      metric.successCondition !== undefined || metric.failureCondition !== undefined;
    if (!conditions && !metric.baseline)
      ctx.addIssue({
        code: "custom",
        message: "needs successCondition or failureCondition, or a baseline comparison",
      });
    if (conditions && metric.baseline)
      ctx.addIssue({
        code: "custom",
        path: ["baseline"],
        message: "compare with the baseline or with conditions, not both",
      });
  });

export const AnalysisMetrics = z
  .array(AnalysisMetric)
  .max(10, "at most 10 metrics: each costs provider calls on every tick")
  .superRefine((metrics, ctx) => {
    const seen = new Set<string>();
    metrics.forEach((metric, i) => {
      if (seen.has(metric.name))
        ctx.addIssue({
          code: "custom",
          path: [i, "name"],
          message: `another metric is named ${metric.name}`,
        });
      seen.add(metric.name);
    });
  });

export type AnalysisMetric = z.infer<typeof AnalysisMetric>;
export type MetricProvider = z.infer<typeof MetricProvider>;
export type BaselineComparison = z.infer<typeof BaselineComparison>;
