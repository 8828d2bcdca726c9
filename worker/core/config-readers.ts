// What a read-token holder sees of a service's config: everything but the secrets a config may
// carry in URLs. Notify targets are bearer secrets (a Slack webhook URL is its own credential):
// readers see their scheme and host; gates, health checks and metric providers' URLs lose their
// query (where tokens go: an endpoint taking `?api_key=` has no other place for its key).
import type { Problem } from "../../schemas/problems.ts";
import { fail, ok, type Result } from "../../schemas/result.ts";
import type { Service } from "../../schemas/service.ts";
import { maskedUrl, shownUrl } from "../../schemas/wire-values.ts";

function withoutQuery(path: string): string {
  const query = path.indexOf("?");
  return query < 0 ? path : `${path.slice(0, query)}?…`;
}

/** What carries secrets, in a served config and in a spec (the file as applied) alike. */
type WithSecrets = Pick<Service, "notify" | "rollout"> & {
  versions: Record<string, { healthPath?: string | undefined }>;
};

type Rollout = NonNullable<Service["rollout"]>;

type Provider = NonNullable<Rollout["analysis"]["metrics"]>[number]["provider"];

/**
 * A metric provider's URL, which may carry a key in its query (a web provider's url, a Prometheus
 * or Datadog address), and where it is under the metric; undefined for a provider without one.
 */
function providerUrl(provider: Provider): { url: string; at: string } | undefined {
  if (provider.web) return { url: provider.web.url, at: "provider.web.url" };
  if (provider.prometheus)
    return { url: provider.prometheus.address, at: "provider.prometheus.address" };
  if (provider.datadog?.address !== undefined)
    return { url: provider.datadog.address, at: "provider.datadog.address" };
  return undefined;
}

function withProviderUrl(provider: Provider, url: string): Provider {
  if (provider.web) return { ...provider, web: { ...provider.web, url } };
  if (provider.prometheus)
    return { ...provider, prometheus: { ...provider.prometheus, address: url } };
  if (provider.datadog) return { ...provider, datadog: { ...provider.datadog, address: url } };
  return provider;
}

/** The analysis metrics with each provider's URL (see providerUrl) as `map` makes it. */
function withProviderUrls(
  rollout: Rollout,
  map: (url: string, metric: string, index: number, at: string) => string,
): Rollout {
  const metrics = rollout.analysis?.metrics;
  if (!metrics?.some((metric) => providerUrl(metric.provider))) return rollout;
  return {
    ...rollout,
    analysis: {
      ...rollout.analysis,
      metrics: metrics.map((metric, i) => {
        const found = providerUrl(metric.provider);
        return found
          ? {
              ...metric,
              provider: withProviderUrl(metric.provider, map(found.url, metric.name, i, found.at)),
            }
          : metric;
      }),
    },
  };
}

export function configForReaders<T extends WithSecrets>(config: T): T {
  const masked = configForReadersWithoutMetrics(config);
  return masked.rollout
    ? { ...masked, rollout: withProviderUrls(masked.rollout, withoutQuery) }
    : masked;
}

function configForReadersWithoutMetrics<T extends WithSecrets>(config: T): T {
  const gates = config.rollout?.gates;
  return {
    ...config,
    versions: Object.fromEntries(
      Object.entries(config.versions).map(([name, version]) => [
        name,
        version.healthPath === undefined
          ? version
          : { ...version, healthPath: withoutQuery(version.healthPath) },
      ]),
    ),
    notify: config.notify.map((target) => ({ ...target, url: maskedUrl(target.url) })),
    ...(config.rollout && gates
      ? {
          rollout: {
            ...config.rollout,
            gates: {
              beforeStep: gates.beforeStep.map(shownUrl),
              beforePromote: gates.beforePromote.map(shownUrl),
            },
          },
        }
      : {}),
  };
}

/** The config as a caller may see it: whole for the admin token. */
export function configFor<T extends WithSecrets>(
  scope: "read" | "admin" | undefined,
  config: T,
): T {
  return scope === "admin" ? config : configForReaders(config);
}

/**
 * Whether a config read back is in the readers' form (read with the read token, or holding no
 * secret at all): then a file is compared with it in that form too, so masking is no change.
 */
export function inReadersForm(config: WithSecrets): boolean {
  return JSON.stringify(configForReaders(config)) === JSON.stringify(config);
}

/** One kind of secret-bearing value: how readers see it, and whether a value is in that form. */
interface SecretForm {
  mask: (value: string) => string;
  isMasked: (value: string) => boolean;
}

const NOTIFY_URL: SecretForm = { mask: maskedUrl, isMasked: (url) => url === maskedUrl(url) };
const GATE_URL: SecretForm = { mask: shownUrl, isMasked: (url) => url.endsWith("?…") };
const HEALTH_PATH: SecretForm = { mask: withoutQuery, isMasked: (path) => path.endsWith("?…") };
const PROVIDER_URL: SecretForm = HEALTH_PATH;

/**
 * A config with the masked values readers were shown (`get -o yaml` with the read token) put back
 * to the stored secrets they stand for, so applying that output keeps the secrets instead of
 * storing "https://hooks.slack.com/…", and a reader's plan compares what readers can see only.
 * A masked value that stands for nothing stored is refused, naming where it is.
 */
export function restoreMaskedSecrets<T extends WithSecrets>(
  config: T,
  stored: WithSecrets | null | undefined,
): Result<T> {
  const problems: Problem[] = [];
  const restored = mapSecrets(config, stored, (value, form, storedValues, path) => {
    if (!form.isMasked(value)) return value;
    const match = storedValues.find((candidate) => form.mask(candidate) === value);
    if (match !== undefined) return match;
    problems.push({
      path,
      message: `"${value}" is how the read token shows a secret, and no stored value has that form: give the real value (keystone get -o yaml with the admin token shows it)`,
    });
    return value;
  });
  return problems.length === 0
    ? ok(restored)
    : fail(
        "invalid",
        `service "${(config as { name?: string }).name ?? ""}": a masked value cannot be applied`,
        problems,
      );
}

/**
 * A reader's config as a plan compares it with what is stored: a secret whose readers' form is a
 * stored secret's stands for that stored value (so a plan cannot confirm a guessed webhook path or
 * token, nor tell a masked value from the real one), and any other is new and kept as given (its
 * masked form already differs from everything stored: apply would store it).
 */
export function secretsAsReadersCompare<T extends WithSecrets>(
  config: T,
  stored: WithSecrets | null | undefined,
): T {
  return mapSecrets(
    config,
    stored,
    (value, form, storedValues) =>
      storedValues.find((candidate) => form.mask(candidate) === form.mask(value)) ?? value,
  );
}

/** Each secret-bearing value of `config` as `restore` makes it, given the stored values of its kind. */
function mapSecrets<T extends WithSecrets>(
  config: T,
  stored: WithSecrets | null | undefined,
  restore: (value: string, form: SecretForm, storedValues: string[], path: string) => string,
): T {
  const storedNotify = (stored?.notify ?? []).map((target) => target.url);
  const storedGates = stored?.rollout?.gates;
  const gates = config.rollout?.gates;
  const restored: T = {
    ...config,
    versions: Object.fromEntries(
      Object.entries(config.versions).map(([name, version]) => {
        const was = stored?.versions[name]?.healthPath;
        return [
          name,
          version.healthPath === undefined
            ? version
            : {
                ...version,
                healthPath: restore(
                  version.healthPath,
                  HEALTH_PATH,
                  was === undefined ? [] : [was],
                  `versions.${name}.healthPath`,
                ),
              },
        ];
      }),
    ),
    notify: config.notify.map((target, i) => ({
      ...target,
      url: restore(target.url, NOTIFY_URL, storedNotify, `notify[${i}].url`),
    })),
    ...(config.rollout && gates
      ? {
          rollout: {
            ...config.rollout,
            gates: {
              beforeStep: gates.beforeStep.map((url, i) =>
                restore(
                  url,
                  GATE_URL,
                  storedGates?.beforeStep ?? [],
                  `rollout.gates.beforeStep[${i}]`,
                ),
              ),
              beforePromote: gates.beforePromote.map((url, i) =>
                restore(
                  url,
                  GATE_URL,
                  storedGates?.beforePromote ?? [],
                  `rollout.gates.beforePromote[${i}]`,
                ),
              ),
            },
          },
        }
      : {}),
  };
  const storedMetrics = stored?.rollout?.analysis?.metrics ?? [];
  const withUrls: T = restored.rollout
    ? {
        ...restored,
        rollout: withProviderUrls(restored.rollout, (url, metric, i, at) => {
          const stored = storedMetrics.find((m) => m.name === metric)?.provider;
          const was = stored && providerUrl(stored);
          return restore(
            url,
            PROVIDER_URL,
            was && was.at === at ? [was.url] : [],
            `rollout.analysis.metrics[${i}].${at}`,
          );
        }),
      }
    : restored;
  return withUrls;
}
