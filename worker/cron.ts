// The cron trigger (every minute): a safety net. Active rollouts and running releases tick from
// their own objects' alarms; the cron wakes only those the registry holds as late (a tick due more
// than half an interval ago, or never reported), services first, so a release sees where its
// services stand. Ticks are idempotent, so waking one whose alarm fires meanwhile is harmless.
import * as z from "zod";
import { registryOf, releaseObjectOf, serviceObjectOf } from "./contracts.ts";
import { lateBefore, tickIntervalMs } from "./core/rollout/tick-schedule.ts";
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
  const dueBefore = lateBefore(scheduledTime, tickIntervalMs(env.ROLLOUT_TICK_SECONDS));
  const services = Names.parse(await registry.lateRollouts(dueBefore));
  await tickEach("service", services, (name) => serviceObjectOf(env, name).tick(scheduledTime));
  const releases = Names.parse(await registry.lateReleases(dueBefore));
  await tickEach("release", releases, (name) => releaseObjectOf(env, name).tick(scheduledTime));
}
