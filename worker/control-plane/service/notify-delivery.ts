// Posts a notification to its targets, each in the body it asked for: Keystone's JSON event
// (`{id, event, service, text, detail, at, incident?}`) or a Slack-compatible message. Every body
// is signed the same way (x-keystone-signature over "<timestamp>.<body>") when NOTIFY_SECRET is
// set; Slack and Mattermost do not check it, Keystone's own receivers should.

import { createHmac } from "node:crypto";
import type { NotifyFormat } from "../../../schemas/rollout.ts";
import { maskedUrl } from "../../../schemas/wire-values.ts";
import { publicAdminUrl, statusPageLinks } from "../../core/notify/public-url.ts";
import { type Notification, slackMessage } from "../../core/notify/slack-message.ts";
import type { Env } from "../../env.ts";
import { incidentWire } from "./wire.ts";

const NOTIFY_TIMEOUT_MS = 10_000;

function bodyOf(env: Env, effect: Notification, deliveryId: string, format: NotifyFormat): string {
  if (format === "slack") {
    const links = statusPageLinks(publicAdminUrl(env), effect.service, effect.incident?.id);
    return JSON.stringify(slackMessage(effect, links));
  }
  return JSON.stringify({
    id: deliveryId,
    event: effect.event,
    service: effect.service,
    text: effect.text,
    detail: effect.detail,
    at: new Date(effect.at).toISOString(),
    ...(effect.incident ? { incident: incidentWire(effect.incident) } : {}),
  });
}

function headersOf(env: Env, effect: Notification, deliveryId: string, body: string) {
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
  return headers;
}

/** Posts to every target; throws (so the outbox retries) when any did not answer 2xx. */
export async function notify(env: Env, effect: Notification, deliveryId: string): Promise<void> {
  if (!env.NOTIFY_SECRET)
    console.warn(
      `keystone: NOTIFY_SECRET is not set: ${effect.event} for ${effect.service} is sent unsigned`,
    );
  const failures = await Promise.all(
    effect.targets.map(async ({ url, format }) => {
      const body = bodyOf(env, effect, deliveryId, format);
      try {
        const response = await fetch(url, {
          method: "POST",
          body,
          headers: headersOf(env, effect, deliveryId, body),
          signal: AbortSignal.timeout(NOTIFY_TIMEOUT_MS),
        });
        await response.body?.cancel();
        // A webhook URL is a bearer secret (Slack's are): what may be stored or shown names its host.
        return response.ok ? undefined : `${maskedUrl(url)} answered ${response.status}`;
      } catch (error) {
        const message = (error instanceof Error ? error.message : String(error))
          .split(url)
          .join(maskedUrl(url));
        return `${maskedUrl(url)} failed: ${message}`;
      }
    }),
  );
  const failed = failures.filter((f) => f !== undefined);
  if (failed.length > 0) throw new Error(`notify ${effect.event}: ${failed.join("; ")}`);
}
