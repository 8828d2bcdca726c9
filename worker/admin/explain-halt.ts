// `explain` and the fast-abort halt: a version halted by a rollout that ended badly is diverted to
// the baseline by every isolate whose table still holds the service below the halt's sequence.
// Explain says so, and answers as those isolates do, while the published table is below it.
import type { ExplainResult } from "../../schemas/api.ts";
import { ROUTES_KEY, RoutesDocEnvelope } from "../../schemas/routes-doc.ts";
import type { Service } from "../../schemas/service.ts";
import type { HaltSignal } from "../../schemas/stats.ts";
import { statsObjectOf } from "../contracts.ts";
import type { Env } from "../env.ts";

/** The sequence the route document in KV holds the service at (-1: not in it). */
async function publishedSequence(env: Env, service: string): Promise<number> {
  const raw = await env.ROUTES.get(ROUTES_KEY, "text");
  const doc = raw === null ? undefined : RoutesDocEnvelope.safeParse(JSON.parse(raw));
  if (!doc?.success) return -1;
  for (const entry of doc.data.services) {
    const { name, sequence } = (entry ?? {}) as { name?: unknown; sequence?: unknown };
    if (name === service) return typeof sequence === "number" ? sequence : 0;
  }
  return -1;
}

/** The explanation as the isolates would answer it under a halt holding now. */
export function applyHalt(
  result: ExplainResult,
  config: Service,
  halt: HaltSignal | null,
  published: number,
): ExplainResult {
  if (!halt || result.version === config.baseline || published >= halt.sequence) return result;
  return {
    ...result,
    version: config.baseline,
    release: config.versions[config.baseline]?.release ?? null,
    reason: { kind: "halted", from: result.version, rolloutId: halt.rolloutId },
    why: [
      ...result.why,
      `${result.version} is halted: rollout ${halt.rolloutId} ended badly; isolates holding this service below sequence ${halt.sequence} (KV has ${published}) send its traffic to ${config.baseline}`,
    ],
  };
}

export async function explainWithHalt(
  env: Env,
  config: Service,
  result: ExplainResult,
): Promise<ExplainResult> {
  if (result.version === config.baseline) return result;
  const stats = statsObjectOf(env, config.name, result.version);
  const halt = await stats.currentHalt();
  if (!halt) return result;
  return applyHalt(result, config, halt, await publishedSequence(env, config.name));
}
