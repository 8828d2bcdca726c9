// What a tick asks the metric providers, as plain data: each metric's query filled for the
// version it measures, the request that carries it, and the secrets it needs by name (their values
// are read by the caller, never kept here). Pure: the caller passes `now`.
import {
  type AnalysisMetric,
  fillTemplate,
  type TemplateValues,
} from "../../../schemas/analysis-metrics.ts";
import type { MetricProviderKind } from "../../../schemas/metric-check.ts";
import { isActive, type RolloutState } from "../../../schemas/rollout-state.ts";
import type { Service } from "../../../schemas/service.ts";
import { shownUrl } from "../../../schemas/wire-values.ts";

/** A header whose value is a Worker secret: `prefix` + the secret's value. */
export interface SecretHeader {
  header: string;
  secret: string;
  prefix: string;
}

export interface ProviderCall {
  metric: string;
  /** Which version the query measures. */
  version: "candidate" | "baseline";
  provider: MetricProviderKind;
  /** The query as a person reads it (the web provider's URL); never holds a secret. */
  query: string;
  url: string;
  secretHeaders: SecretHeader[];
  /**
   * The literal values of the configured address's (or web URL's) own query: where a provider
   * that takes `?api_key=` gets its key. Readers see that query as `?…`, so a failure message
   * (a provider quoting the request it refused) must not show them either.
   */
  queryValues: string[];
  /** The web provider's path to the value. */
  path?: string;
}

/** The step's window as a duration a query language reads: whole seconds, at least 1 (`90s`). */
function windowText(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))}s`;
}

const bearer = (secret: string | undefined): SecretHeader[] =>
  secret ? [{ header: "authorization", secret, prefix: "Bearer " }] : [];

/**
 * The API's `path` under the address, with the address's own query (a gateway's `?token=`, kept
 * as written) before Keystone's parameters. Appending the path to the address whole put it inside
 * that query (`/?token=K/api/v1/query?query=…`): every call asked the address's root.
 */
function endpointUrl(address: string, path: string, params: URLSearchParams): string {
  const withoutFragment = address.split("#")[0]!;
  const at = withoutFragment.indexOf("?");
  const base = at < 0 ? withoutFragment : withoutFragment.slice(0, at);
  const own = at < 0 ? "" : withoutFragment.slice(at + 1);
  return `${base.replace(/\/+$/, "")}${path}?${own ? `${own}&` : ""}${params}`;
}

/** A config value this short is no credential (and masking it would garble messages). */
const MIN_HIDDEN_LENGTH = 8;

/**
 * The values written in a configured URL's query (a template's `{{…}}` values are Keystone's
 * names, not secrets), as written and decoded, each at least MIN_HIDDEN_LENGTH long.
 */
function queryValuesOf(url: string): string[] {
  const start = url.indexOf("?");
  if (start < 0) return [];
  const end = url.indexOf("#", start);
  const values = new Set<string>();
  for (const pair of url.slice(start + 1, end < 0 ? undefined : end).split("&")) {
    const equals = pair.indexOf("=");
    const raw = equals < 0 ? pair : pair.slice(equals + 1);
    if (raw.includes("{{")) continue;
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw.replaceAll("+", " "));
    } catch {
      // not percent-encoded text: the raw form is what can be quoted
    }
    for (const value of [raw, decoded, encodeURIComponent(decoded)])
      if (value.length >= MIN_HIDDEN_LENGTH) values.add(value);
  }
  return [...values];
}

function callOf(
  metric: AnalysisMetric,
  version: ProviderCall["version"],
  values: TemplateValues,
  from: number,
  to: number,
): ProviderCall {
  const { prometheus, datadog, web } = metric.provider;
  const base = { metric: metric.name, version };
  if (prometheus) {
    const query = fillTemplate(prometheus.query, values);
    const params = new URLSearchParams({ query, time: String(to / 1000) });
    return {
      ...base,
      provider: "prometheus",
      query,
      url: endpointUrl(prometheus.address, "/api/v1/query", params),
      secretHeaders: bearer(prometheus.tokenSecret),
      queryValues: queryValuesOf(prometheus.address),
    };
  }
  if (datadog) {
    const query = fillTemplate(datadog.query, values);
    const address = datadog.address ?? `https://api.${datadog.site ?? "datadoghq.com"}`;
    const params = new URLSearchParams({
      from: String(Math.floor(from / 1000)),
      to: String(Math.ceil(to / 1000)),
      query,
    });
    return {
      ...base,
      provider: "datadog",
      query,
      url: endpointUrl(address, "/api/v1/query", params),
      secretHeaders: [
        { header: "dd-api-key", secret: datadog.apiKeySecret, prefix: "" },
        { header: "dd-application-key", secret: datadog.appKeySecret, prefix: "" },
      ],
      queryValues: queryValuesOf(address),
    };
  }
  const page = web!;
  const url = fillTemplate(page.url, values, encodeURIComponent);
  return {
    ...base,
    provider: "web",
    // Its query may hold the endpoint's key (`?api_key=`): shown as readers see URLs, `?…`.
    query: `${shownUrl(url)} ${page.path}`,
    url,
    secretHeaders: bearer(page.tokenSecret),
    queryValues: queryValuesOf(page.url),
    path: page.path,
  };
}

/** The template values for measuring `version` in a rollout. */
function templateValues(
  config: Service,
  rollout: Pick<RolloutState, "candidate" | "baseline">,
  version: string,
  windowMs: number,
): TemplateValues {
  return {
    service: config.name,
    version,
    release: config.versions[version]?.release ?? "",
    baseline: rollout.baseline,
    candidate: rollout.candidate,
    window: windowText(windowMs),
  };
}

/**
 * Every call a tick makes over the window [from, to]: the candidate's query for each metric, and
 * the baseline's too for a baseline comparison.
 */
export function providerCalls(
  config: Service,
  rollout: Pick<RolloutState, "candidate" | "baseline">,
  from: number,
  to: number,
): ProviderCall[] {
  const metrics = config.rollout?.analysis.metrics ?? [];
  return metrics.flatMap((metric) => {
    const values = (version: string) => templateValues(config, rollout, version, to - from);
    const candidate = callOf(metric, "candidate", values(rollout.candidate), from, to);
    return metric.baseline
      ? [candidate, callOf(metric, "baseline", values(rollout.baseline), from, to)]
      : [candidate];
  });
}

/** Without a running rollout, `analysis test` measures this far back. */
const TRIAL_WINDOW_MS = 5 * 60_000;

/**
 * What `keystone analysis test` measures now: the running rollout's versions over its step so
 * far, else the policy's candidate (or the first track that is not the baseline) against the
 * baseline over the last 5 minutes. Undefined when there is nothing to measure.
 */
export function trialCalls(
  config: Service,
  rollout: RolloutState | null,
  now: number,
): { candidate: string; baseline: string; window: string; calls: ProviderCall[] } | undefined {
  const live = isActive(rollout) ? rollout : undefined;
  const baseline = live?.baseline ?? config.baseline;
  const candidate =
    live?.candidate ??
    config.rollout?.candidate ??
    Object.keys(config.versions).find((name) => name !== baseline);
  if (!candidate) return undefined;
  const from = live ? live.stepStartedAt : now - TRIAL_WINDOW_MS;
  return {
    candidate,
    baseline,
    window: windowText(now - from),
    calls: providerCalls(config, { candidate, baseline }, from, now),
  };
}
