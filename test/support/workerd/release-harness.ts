// Drives releases inside workerd: several services on one controlled clock, each with its own
// data plane, the admin API, and the Worker's real scheduled() fired at chosen times.
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { ReleaseStatus } from "../../../schemas/api-responses.ts";
import { registryOf, releaseObjectOf, serviceObjectOf } from "../../../worker/contracts.ts";
import worker from "../../../worker/index.ts";
import { RolloutHarness, rolloutService } from "./rollout-harness.ts";

export const twoSteps = {
  strategy: "canary",
  steps: [
    { weight: 20, bake: "2m" },
    { weight: 50, bake: "2m" },
  ],
  analysis: { minRequests: 20, maxErrorRatePercent: 5, failureLimit: 0 },
};

export class ReleaseHarness {
  readonly services: Map<string, RolloutHarness>;

  constructor(names: string[]) {
    this.services = new Map(names.map((name) => [name, new RolloutHarness(name)]));
  }

  get first(): RolloutHarness {
    return [...this.services.values()][0]!;
  }

  of(name: string): RolloutHarness {
    return this.services.get(name)!;
  }

  now(): number {
    return this.first.now();
  }

  advance(ms: number): void {
    for (const h of this.services.values()) h.advance(ms);
  }

  /** Applies each service with a two-step canary policy; `origins` picks a candidate's origin. */
  async apply(origins: Record<string, string> = {}): Promise<void> {
    for (const [name, h] of this.services)
      await h.apply(rolloutService(name, origins[name] ?? env.CANARY_ORIGIN, twoSteps));
  }

  api(method: string, path: string, body?: unknown): Promise<Response> {
    return this.first.api(method, path, body);
  }

  async start(file: unknown): Promise<Response> {
    const response = await this.api("POST", "/releases", { file, author: "ana" });
    for (const h of this.services.values()) await h.syncRoutes();
    return response;
  }

  async status(name: string): Promise<ReleaseStatus> {
    const response = await this.api("GET", `/releases/${name}`);
    if (!response.ok) throw new Error(`release status: ${await response.text()}`);
    return (await response.json()) as ReleaseStatus;
  }

  /** Each service's standing: `running 1/2`, `waiting`, `held 2/2`, `promoted`. */
  async standing(name: string): Promise<Record<string, string>> {
    const { release } = await this.status(name);
    return Object.fromEntries(
      release.services.map((s) => [
        s.service,
        s.rollout && ["running", "held"].includes(s.status)
          ? `${s.status} ${s.rollout.step}/${s.rollout.stepCount}`
          : s.status,
      ]),
    );
  }

  /** Traffic to every service whose rollout runs, so each step's window holds its minimum. */
  async traffic(count: number): Promise<void> {
    for (const h of this.services.values()) await h.traffic(count);
  }

  /**
   * Every service's and running release's tick at the controlled time, services first, as their
   * objects' alarms make them (on the real clock, so tests call the same ticks with theirs), then
   * the cron at that time; every data plane reads the result.
   */
  async tick(at = this.now()): Promise<void> {
    for (const name of this.services.keys()) await serviceObjectOf(env, name).tick(at);
    for (const name of await registryOf(env).activeReleases())
      await releaseObjectOf(env, name).tick(at);
    await worker.scheduled(createScheduledController({ scheduledTime: at }), env);
    for (const h of this.services.values()) await h.syncRoutes();
  }

  /** A bake's worth of traffic, then a tick. */
  async bakeAndTick(): Promise<void> {
    this.advance(30_000);
    await this.traffic(150);
    this.advance(2 * 60_000);
    await this.tick();
  }
}

export function releaseFile(name: string, services: object[]): object {
  return { name, services };
}
