// The rollout's I/O, kept out of the state machine: window stats from the stats objects, gate and
// health checks before a step, and signed notifications.
import { createHmac } from "node:crypto";
import type { NotifyEvent } from "../../schemas/rollout.ts";
import type { RolloutState } from "../../schemas/rollout-state.ts";
import type { Service } from "../../schemas/service.ts";
import type { WindowStats } from "../core/metrics/window-stats.ts";
import { statsObjectName } from "../data-plane/outcome-flusher.ts";
import type { Env } from "../env.ts";

const GATE_TIMEOUT_MS = 10_000;
const NOTIFY_ATTEMPTS = 3;

export async function stepWindows(
  env: Env,
  service: string,
  state: RolloutState,
  now: number,
): Promise<{ candidate: WindowStats; baseline: WindowStats }> {
  const window = (version: string) =>
    // Every outcome route for now; choosing which routes analysis counts is the rollout's call.
    env.STATS.get(env.STATS.idFromName(statsObjectName(service, version))).window({
      from: state.stepStartedAt,
      to: now,
    });
  const [candidate, baseline] = await Promise.all([
    window(state.candidate),
    window(state.baseline),
  ]);
  return { candidate, baseline };
}

/** Health path and gate URLs that must answer 2xx before a step or promotion; the failures. */
export async function checkGates(
  config: Service,
  state: RolloutState,
  promoting: boolean,
): Promise<string[]> {
  const candidate = config.versions[state.candidate]!;
  const checks: Promise<string | undefined>[] = [];
  if (candidate.healthPath) {
    const url = `${candidate.origin.replace(/\/+$/, "")}${candidate.healthPath}`;
    checks.push(call(url, "GET", undefined, `health check ${url}`));
  }
  const gates = promoting
    ? config.rollout?.gates?.beforePromote
    : config.rollout?.gates?.beforeStep;
  const body = JSON.stringify({
    service: config.name,
    candidate: state.candidate,
    step: state.stepIndex + 1,
    weight: state.weight,
    promoting,
  });
  for (const url of gates ?? []) checks.push(call(url, "POST", body, `gate ${url}`));
  return (await Promise.all(checks)).filter((failure): failure is string => failure !== undefined);
}

async function call(
  url: string,
  method: string,
  body: string | undefined,
  what: string,
  headers: Record<string, string> = body ? { "content-type": "application/json" } : {},
): Promise<string | undefined> {
  try {
    const response = await fetch(url, {
      method,
      body,
      headers,
      signal: AbortSignal.timeout(GATE_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return response.ok ? undefined : `${what} answered ${response.status}`;
  } catch (error) {
    return `${what} failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export interface Notification {
  event: NotifyEvent;
  service: string;
  text: string;
  state: RolloutState | null;
}

/**
 * Posts the event to every notify URL that asked for it: JSON with a Slack-compatible `text`,
 * signed `x-keystone-signature: sha256=<HMAC(NOTIFY_SECRET, "<timestamp>.<body>")>`.
 * Bounded retries; a failure is logged, never thrown.
 */
export async function notify(
  env: Env,
  config: Service,
  notification: Notification,
  now: number,
): Promise<void> {
  const targets = config.notify.filter((n) => n.events.includes(notification.event));
  const body = JSON.stringify({ ...notification, at: new Date(now).toISOString() });
  const timestamp = String(Math.floor(now / 1000));
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-keystone-event": notification.event,
    "x-keystone-timestamp": timestamp,
  };
  if (env.NOTIFY_SECRET)
    headers["x-keystone-signature"] =
      `sha256=${createHmac("sha256", env.NOTIFY_SECRET).update(`${timestamp}.${body}`).digest("hex")}`;
  await Promise.all(
    targets.map(async ({ url }) => {
      for (let attempt = 1; attempt <= NOTIFY_ATTEMPTS; attempt++) {
        const failure = await call(url, "POST", body, `notify ${url}`, headers);
        if (failure === undefined) return;
        if (attempt === NOTIFY_ATTEMPTS)
          console.error(`keystone: ${failure} (gave up after ${attempt} attempts)`);
        else await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }),
  );
}
