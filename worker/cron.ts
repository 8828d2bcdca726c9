// The cron trigger (every minute): tick every service with a rollout in progress.
import * as z from "zod";
import { registryOf, serviceObjectOf } from "./control-plane/stubs.ts";
import type { Env } from "./env.ts";

export async function runCron(scheduledTime: number, env: Env): Promise<void> {
  const names = z.array(z.string()).parse(await registryOf(env).activeRollouts());
  const results = await Promise.allSettled(
    names.map((name) => serviceObjectOf(env, name).tick(name, scheduledTime)),
  );
  results.forEach((result, i) => {
    if (result.status === "rejected")
      console.error(`keystone cron: tick of ${names[i]} failed: ${String(result.reason)}`);
  });
}
