// Drives rollouts inside workerd: the admin API, a data plane on a controlled clock, and the
// Worker's real scheduled() handler fired at chosen times.
import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { Judgement } from "../../../schemas/judgement.ts";
import type { RolloutState } from "../../../schemas/rollout-state.ts";
import type { ServiceInput } from "../../../schemas/service.ts";
import type { RolloutVerdicts } from "../../../schemas/verdict-log.ts";
import { serviceObjectOf } from "../../../worker/contracts.ts";
import { DataPlane } from "../../../worker/data-plane/handler.ts";
import worker from "../../../worker/index.ts";
import { flushRegistry } from "./route-kv.ts";

export const MINUTE = 60_000;

export class RolloutHarness {
  /** Controlled time = real time + offset, so latencies stay real while tests move the clock. */
  offset = 0;
  readonly plane = new DataPlane(env, {
    now: () => this.now(),
    flush: { maxRequests: 1_000_000, maxAgeMs: 3_600_000 },
    flushDeadline: false,
  });
  readonly service: string;

  constructor(service: string) {
    this.service = service;
  }

  now(): number {
    return Date.now() + this.offset;
  }

  advance(ms: number): void {
    this.offset += ms;
  }

  api(method: string, path: string, body?: unknown): Promise<Response> {
    return exports.default.fetch(`https://admin.test/_keystone/v1${path}`, {
      method,
      headers: { authorization: "Bearer test-admin-token", "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async apply(config: ServiceInput): Promise<void> {
    const response = await this.api("PUT", `/services/${config.name}`, { config });
    if (!response.ok) throw new Error(`apply failed: ${await response.text()}`);
    await this.syncRoutes();
  }

  async command(action: string, body: unknown = {}): Promise<Response> {
    const response = await this.api("POST", `/services/${this.service}/rollout/${action}`, body);
    await this.syncRoutes();
    return response;
  }

  async state(): Promise<RolloutState> {
    const status = (await (await this.api("GET", `/services/${this.service}/rollout`)).json()) as {
      state: RolloutState;
    };
    return status.state;
  }

  /** Publishes to KV now (skipping the 1 s coalescing) and makes the data plane read it. */
  async syncRoutes(): Promise<void> {
    await flushRegistry();
    await this.plane.cache.refresh(this.now());
  }

  /** Sends `count` requests (in parallel batches) and flushes their outcomes to the stats objects. */
  async traffic(
    count: number,
    headers: Record<string, string> = {},
    path = "/",
  ): Promise<Map<string, number>> {
    const versions = new Map<string, number>();
    for (let sent = 0; sent < count; sent += 50) {
      const batch = Array.from({ length: Math.min(50, count - sent) }, async (_, i) => {
        const ctx = createExecutionContext();
        const response = await this.plane.fetch(
          new Request(`https://${this.service}.test${path}`, {
            headers: {
              cookie: `ks_${this.service}=visitor-${sent + i}-${this.offset}`,
              ...headers,
            },
          }),
          ctx,
        );
        await response.arrayBuffer();
        await waitOnExecutionContext(ctx);
        const version = response.headers.get("x-keystone-version") ?? "none";
        versions.set(version, (versions.get(version) ?? 0) + 1);
      });
      await Promise.all(batch);
    }
    await this.plane.flushOutcomes();
    return versions;
  }

  /** Visitor ids (`<prefix>-<n>-visitor`) the split sends to `version`, each found by a request. */
  async visitorsOn(version: string, count: number, prefix = "probe"): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; ids.length < count; i++) {
      const id = `${prefix}-${i}-visitor`;
      const ctx = createExecutionContext();
      const response = await this.plane.fetch(
        new Request(`https://${this.service}.test/`, {
          headers: { cookie: `ks_${this.service}=${id}` },
        }),
        ctx,
      );
      await response.arrayBuffer();
      await waitOnExecutionContext(ctx);
      if (response.headers.get("x-keystone-version") === version) ids.push(id);
    }
    return ids;
  }

  /** A version's stats window from `from` to now, over the routes given. */
  window(version: string, from: number, routes: string[] = ["split"]) {
    const stats = env.STATS.get(env.STATS.idFromName(`${this.service}/${version}`));
    return stats.window({ from, to: this.now(), routes });
  }

  /** The judgement of the latest judged verdict (what `rollout explain` prints first). */
  async lastJudgement(): Promise<Judgement | undefined> {
    const response = await this.api("GET", `/services/${this.service}/rollout/verdicts?last=20`);
    const { verdicts } = (await response.json()) as RolloutVerdicts;
    return verdicts.findLast((entry) => entry.verdict.judgement)?.verdict.judgement ?? undefined;
  }

  /**
   * The rollout's tick at the controlled time, as its object's alarm makes it (the alarm reads the
   * real clock, so tests call the same tick with theirs), then the Worker's cron at that time: the
   * safety net, which wakes any other rollout late by then.
   */
  async tick(): Promise<void> {
    const at = this.now();
    await serviceObjectOf(env, this.service).tick(at);
    await worker.scheduled(createScheduledController({ scheduledTime: at }), env);
    await this.syncRoutes();
  }

  async history(): Promise<
    { type: string; detail: Record<string, unknown> | null; reason: string | null }[]
  > {
    const body = (await (await this.api("GET", `/services/${this.service}/history`)).json()) as {
      history: { type: string; detail: Record<string, unknown> | null; reason: string | null }[];
    };
    return body.history;
  }
}

/**
 * A canary of two one-minute steps (20 %, then 50 %) in front of the healthy canary origin,
 * applied and started: a rollout for tests of how it is ticked and judged.
 */
export async function startedCanary(
  name: string,
  analysis: Record<string, unknown>,
): Promise<RolloutHarness> {
  const h = new RolloutHarness(name);
  await h.apply(
    rolloutService(name, env.CANARY_ORIGIN, {
      strategy: "canary",
      steps: [
        { weight: 20, bake: "1m" },
        { weight: 50, bake: "1m" },
      ],
      analysis,
    }),
  );
  const started = await h.command("start");
  if (started.status !== 200) throw new Error(`start failed: ${await started.text()}`);
  return h;
}

export function rolloutService(
  name: string,
  canaryOrigin: string,
  rollout: Record<string, unknown>,
  extra: Partial<ServiceInput> = {},
): ServiceInput {
  return {
    name,
    hosts: [`${name}.test`],
    versions: {
      stable: { origin: env.STABLE_ORIGIN, release: "v1" },
      canary: { origin: canaryOrigin, release: "v2", timeoutMs: 10_000 },
    },
    baseline: "stable",
    split: { stable: 100, canary: 0 },
    rollout: rollout as ServiceInput["rollout"],
    ...extra,
  };
}

/**
 * A blue/green service in front of the real origins (blue: stable, green: canary), green at 0 %
 * and reachable through a preview rule anyone can match (the header x-preview: 1).
 */
export function blueGreenService(
  name: string,
  rollout: Record<string, unknown>,
  extra: Partial<ServiceInput> = {},
): ServiceInput {
  return rolloutService(
    name,
    env.CANARY_ORIGIN,
    { strategy: "blueGreen", ...rollout },
    {
      versions: { blue: { origin: env.STABLE_ORIGIN }, green: { origin: env.CANARY_ORIGIN } },
      baseline: "blue",
      split: { blue: 100, green: 0 },
      rules: [
        { name: "preview", when: { header: { name: "x-preview", equals: "1" } }, route: "green" },
      ],
      ...extra,
    },
  );
}

/**
 * What a real origin received on `path` (a notify target): the number of requests, waiting up to
 * 5 s for the first (notifications leave in the background), and the last one.
 */
export async function received(
  origin: string,
  path: string,
): Promise<{ hits: number; last: { headers: Record<string, string>; body: string } | null }> {
  const hits = async () =>
    ((await (await fetch(`${origin}/__hits`)).json()) as Record<string, number>)[path] ?? 0;
  for (let tries = 0; tries < 100 && (await hits()) === 0; tries++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  const last = (await (
    await fetch(`${origin}/__last?path=${encodeURIComponent(path)}`)
  ).json()) as { headers: Record<string, string>; body: string } | null;
  return { hits: await hits(), last };
}
