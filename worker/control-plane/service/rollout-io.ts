// The rollout's reads, kept out of the ledger: window stats from the stats objects (every shard,
// merged; parsed as they enter), and the gate and health checks the ledger asks for before an advance.
import { MirrorCounts } from "../../../schemas/mirror.ts";
import { shownUrl } from "../../../schemas/wire-values.ts";
import { statsObjectOf } from "../../contracts.ts";
import type { GateCheck, WindowQueries, Windows } from "../../core/ledger/tick.ts";
import type { Env } from "../../env.ts";
import { VersionStats } from "../stats/version-stats.ts";

const GATE_TIMEOUT_MS = 10_000;

export async function readWindows(
  env: Env,
  service: string,
  versions: { candidate: string; baseline: string },
  queries: WindowQueries,
): Promise<Windows> {
  const [candidate, baseline, mirror] = await Promise.all([
    new VersionStats(env, service, versions.candidate).window(queries.candidate),
    new VersionStats(env, service, versions.baseline).window(queries.baseline),
    // Flushes that carry mirrored comparisons always go to the first object.
    queries.mirror
      ? statsObjectOf(env, service, versions.candidate).mirrorWindow(queries.mirror)
      : undefined,
  ]);
  return {
    candidate,
    baseline,
    ...(mirror === undefined ? {} : { mirror: MirrorCounts.parse(mirror) }),
  };
}

/** Runs the checks; the failures, each in words (empty when all answered 2xx). */
export async function runChecks(checks: GateCheck[]): Promise<string[]> {
  const results = await Promise.all(
    checks.map(async ({ what, url, method, body }) => {
      try {
        const response = await fetch(url, {
          method,
          body,
          headers: body ? { "content-type": "application/json" } : {},
          signal: AbortSignal.timeout(GATE_TIMEOUT_MS),
        });
        await response.body?.cancel();
        return response.ok ? undefined : `${what} answered ${response.status}`;
      } catch (error) {
        // The runtime's message may quote the URL it was given: never its query or credentials.
        const message = (error instanceof Error ? error.message : String(error))
          .split(url)
          .join(shownUrl(url));
        return `${what} failed: ${message}`;
      }
    }),
  );
  return results.filter((failure): failure is string => failure !== undefined);
}
