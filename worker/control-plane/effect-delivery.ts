// Delivers one outbox effect to its receiver. Every receiver tolerates a second delivery: the
// registry keeps the highest sequence per service, a stats object's halt and resume are keyed by
// rollout id, and notifications carry the effect's id (x-keystone-delivery) for receivers to
// deduplicate. A throw means "not acknowledged": the outbox retries it later.
import { createHmac } from "node:crypto";
import type { Effect, PublishAck } from "../../schemas/ledger.ts";
import type { Env } from "../env.ts";
import { registryOf, statsObjectOf } from "./stubs.ts";

const NOTIFY_TIMEOUT_MS = 10_000;

/** The registry's acknowledgement for a publication; nothing for the other effects. */
export async function deliverEffect(
  env: Env,
  effect: Effect,
  deliveryId: string,
): Promise<PublishAck | undefined> {
  switch (effect.kind) {
    case "publish":
      return registryOf(env).publish(effect.publication);
    case "halt":
      await statsObjectOf(env, effect.service, effect.version).halt(effect.signal);
      return undefined;
    case "resume":
      await statsObjectOf(env, effect.service, effect.version).resume(effect.rolloutId);
      return undefined;
    case "notify":
      await notify(env, effect, deliveryId);
      return undefined;
  }
}

/**
 * Posts the event to its targets: JSON with a Slack-compatible `text`, signed
 * `x-keystone-signature: sha256=<HMAC(NOTIFY_SECRET, "<timestamp>.<body>")>` when the secret is set.
 */
async function notify(
  env: Env,
  effect: Extract<Effect, { kind: "notify" }>,
  deliveryId: string,
): Promise<void> {
  const body = JSON.stringify({
    id: deliveryId,
    event: effect.event,
    service: effect.service,
    text: effect.text,
    detail: effect.detail,
    at: new Date(effect.at).toISOString(),
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-keystone-event": effect.event,
    "x-keystone-delivery": deliveryId,
    "x-keystone-timestamp": timestamp,
  };
  if (env.NOTIFY_SECRET)
    headers["x-keystone-signature"] =
      `sha256=${createHmac("sha256", env.NOTIFY_SECRET).update(`${timestamp}.${body}`).digest("hex")}`;
  else
    console.warn(
      `keystone: NOTIFY_SECRET is not set: ${effect.event} for ${effect.service} is sent unsigned`,
    );
  const failures = await Promise.all(
    effect.targets.map(async (url) => {
      try {
        const response = await fetch(url, {
          method: "POST",
          body,
          headers,
          signal: AbortSignal.timeout(NOTIFY_TIMEOUT_MS),
        });
        await response.body?.cancel();
        return response.ok ? undefined : `${url} answered ${response.status}`;
      } catch (error) {
        return `${url} failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    }),
  );
  const failed = failures.filter((f) => f !== undefined);
  if (failed.length > 0) throw new Error(`notify ${effect.event}: ${failed.join("; ")}`);
}
