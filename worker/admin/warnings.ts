// What an operator should know about this deployment: secrets whose absence turns a protection off.
import type { Env } from "../env.ts";

export function deploymentWarnings(env: Env): string[] {
  const warnings: string[] = [];
  if (!env.NOTIFY_SECRET)
    warnings.push("NOTIFY_SECRET is not set: notify events are sent unsigned (set the secret)");
  if (!env.OVERRIDE_SECRET)
    warnings.push(
      "OVERRIDE_SECRET is not set: x-keystone-override tokens are ignored and cannot be minted",
    );
  if (!env.AFFINITY_SECRET)
    warnings.push(
      "AFFINITY_SECRET is not set: sticky.affinity version pins and sticky.group visitor headers are off",
    );
  if (!env.BUCKET_SECRET)
    warnings.push(
      "BUCKET_SECRET is not set: visitor buckets use an unkeyed hash, so a client can work out which visitor ids land on a candidate (setting it moves every visitor once)",
    );
  return warnings;
}
