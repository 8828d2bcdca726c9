// What a read-token holder sees of a service's config: everything but the secrets a config may
// carry in URLs. Notify targets are bearer secrets (a Slack webhook URL is its own credential):
// readers see their scheme and host; gates and health checks lose their query (where tokens go).
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

export function configForReaders<T extends WithSecrets>(config: T): T {
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
