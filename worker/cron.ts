// The cron trigger (every minute): tick every service with a rollout in progress, then every
// running release (after the services, so a release sees where its services stand this minute).
import * as z from "zod";
import { registryOf, releaseObjectOf, serviceObjectOf } from "./contracts.ts";
import type { Env } from "./env.ts";

const Names = z.array(z.string());

async function tickEach(
  what: string,
  names: string[],
  tick: (name: string) => Promise<unknown>,
): Promise<void> {
  const results = await Promise.allSettled(names.map(tick));
  results.forEach((result, i) => {
    if (result.status === "rejected")
      console.error(`keystone cron: tick of ${what} ${names[i]} failed: ${String(result.reason)}`);
  });
}

export async function runCron(scheduledTime: number, env: Env): Promise<void> {
  const registry = registryOf(env);
  const services = Names.parse(await registry.activeRollouts());
  await tickEach("service", services, (name) =>
    serviceObjectOf(env, name).tick(name, scheduledTime),
  );
  const releases = Names.parse(await registry.activeReleases());
  await tickEach("release", releases, (name) =>
    releaseObjectOf(env, name).tick(name, scheduledTime),
  );
}
