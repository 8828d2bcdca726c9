// Finds a Worker secret inside an agent's tool arguments: an agent that pastes its bearer token
// (or another secret) into a reason or a config would have it stored in history and shown to every
// reader. Pure: the secrets are passed in.
import { formatPath } from "../../../schemas/problems.ts";
import type { Env } from "../../env.ts";
import type { Scope } from "../auth.ts";

/** Shorter values would match ordinary text; no deployment's secret is this short. */
const MIN_SECRET_LENGTH = 8;

const longEnough = (secret: string | undefined): secret is string =>
  (secret?.length ?? 0) >= MIN_SECRET_LENGTH;

/**
 * The Worker's secrets a caller of `scope` is checked for: for the admin token, the tokens and the
 * keys signing what the Worker issues; for the read token, only its own. The refusal says a secret
 * was found, so it answers "is this string a secret?": searched for the admin token and the keys,
 * it let a read-token holder try some 30,000 guesses of them in one 1 MiB call, never counted as
 * refused tokens (auth.ts bounds bearer guesses at 10 a minute). A read token's calls store
 * nothing (its writes are refused 403), so nothing a reader pastes reaches history.
 */
export function workerSecrets(env: Env, scope: Scope): string[] {
  if (scope === "read") return [env.READ_TOKEN].filter(longEnough);
  return [
    env.ADMIN_TOKEN,
    env.READ_TOKEN,
    env.DEPLOY_WEBHOOK_SECRET,
    env.NOTIFY_SECRET,
    env.OVERRIDE_SECRET,
    env.AFFINITY_SECRET,
    env.BUCKET_SECRET,
  ].filter(longEnough);
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
