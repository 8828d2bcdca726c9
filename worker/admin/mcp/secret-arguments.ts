// Finds a Worker secret inside an agent's tool arguments: an agent that pastes its bearer token
// (or another secret) into a reason or a config would have it stored in history and shown to every
// reader. Pure: the secrets are passed in.
import { formatPath } from "../../../schemas/problems.ts";
import type { Env } from "../../env.ts";

/** Shorter values would match ordinary text; no deployment's secret is this short. */
const MIN_SECRET_LENGTH = 8;

/** The Worker's secrets as a list: the tokens, and the keys signing what the Worker issues. */
export function workerSecrets(env: Env): string[] {
  return [
    env.ADMIN_TOKEN,
    env.READ_TOKEN,
    env.DEPLOY_WEBHOOK_SECRET,
    env.NOTIFY_SECRET,
    env.OVERRIDE_SECRET,
    env.AFFINITY_SECRET,
    env.BUCKET_SECRET,
  ].filter((secret): secret is string => (secret?.length ?? 0) >= MIN_SECRET_LENGTH);
}

/** Where in `value` (a path like `config.notify[0].url`) a secret appears, if anywhere. */
export function secretPath(value: unknown, secrets: readonly string[]): string | undefined {
  const walk = (item: unknown, at: (string | number)[]): (string | number)[] | undefined => {
    if (typeof item === "string") return secrets.some((s) => item.includes(s)) ? at : undefined;
    if (typeof item !== "object" || item === null) return undefined;
    for (const [key, inner] of Object.entries(item)) {
      if (secrets.some((s) => key.includes(s))) return [...at, key];
      const found = walk(inner, [...at, Array.isArray(item) ? Number(key) : key]);
      if (found) return found;
    }
    return undefined;
  };
  const found = walk(value, []);
  return found && formatPath(found);
}
