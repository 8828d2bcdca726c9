// What a read-token holder sees of a service's config: everything but the secrets a config may
// carry in URLs. Notify targets are bearer secrets (a Slack webhook URL is its own credential):
// readers see their scheme and host; gates, health checks and web metric providers lose their
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

/** The analysis metrics with each web provider's URL as `map` makes it. */
function withWebUrls(
  rollout: Rollout,
  map: (url: string, metric: string, index: number) => string,
): Rollout {
  const metrics = rollout.analysis?.metrics;
  if (!metrics?.some((metric) => metric.provider.web)) return rollout;
  return {
    ...rollout,
    analysis: {
      ...rollout.analysis,
      metrics: metrics.map((metric, i) => {
        const web = metric.provider.web;
        return web
          ? {
              ...metric,
              provider: { ...metric.provider, web: { ...web, url: map(web.url, metric.name, i) } },
            }
          : metric;
      }),
    },
  };
}

export function configForReaders<T extends WithSecrets>(config: T): T {
  const masked = configForReadersWithoutMetrics(config);
  return masked.rollout
    ? { ...masked, rollout: withWebUrls(masked.rollout, withoutQuery) }
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
const WEB_URL: SecretForm = HEALTH_PATH;

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
  const restore = (value: string, form: SecretForm, storedValues: string[], path: string) => {
    if (!form.isMasked(value)) return value;
    const match = storedValues.find((candidate) => form.mask(candidate) === value);
    if (match !== undefined) return match;
    problems.push({
      path,
      message: `"${value}" is how the read token shows a secret, and no stored value has that form: give the real value (keystone get -o yaml with the admin token shows it)`,
    });
    return value;
  };
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
  const withWeb: T = restored.rollout
    ? {
        ...restored,
        rollout: withWebUrls(restored.rollout, (url, metric, i) => {
          const was = storedMetrics.find((m) => m.name === metric)?.provider.web?.url;
          return restore(
            url,
            WEB_URL,
            was === undefined ? [] : [was],
            `rollout.analysis.metrics[${i}].provider.web.url`,
          );
        }),
      }
    : restored;
  return problems.length === 0
    ? ok(withWeb)
    : fail(
        "invalid",
        `service "${(config as { name?: string }).name ?? ""}": a masked value cannot be applied`,
        problems,
      );
}
