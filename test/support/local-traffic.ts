// Real HTTP traffic through a local Worker, and a rollout driven to its end by the real cron:
// shared by the real-Prometheus and the browser tests.
import { fireCron } from "./e2e-stack.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `count` requests as new visitors; returns how many each version answered. */
export async function burst(url: string, count: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  const stamp = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const response = await fetch(`${url}/`, {
        headers: { cookie: `ks_visitor=v-${i}-${stamp}` },
      });
      await response.arrayBuffer();
      const version = response.headers.get("x-keystone-version") ?? "none";
      seen.set(version, (seen.get(version) ?? 0) + 1);
    }),
  );
  return seen;
}

export interface Sent {
  /** When the answer arrived (ms). */
  at: number;
  version: string;
}

/**
 * Sends requests at a steady pace for `seconds`, each on its own schedule (a slow answer does not
 * delay the next), and logs when each answer arrived.
 */
export async function paced(url: string, perSecond: number, seconds: number): Promise<Sent[]> {
  const start = Date.now();
  const sent: Promise<Sent>[] = [];
  for (let i = 0; i < perSecond * seconds; i++) {
    const due = start + (i * 1000) / perSecond;
    if (due > Date.now()) await sleep(due - Date.now());
    sent.push(
      fetch(`${url}/`, { headers: { cookie: `ks_visitor=paced-${start}-${i}` } }).then(
        async (response) => {
          await response.arrayBuffer();
          return { at: Date.now(), version: response.headers.get("x-keystone-version") ?? "none" };
        },
      ),
    );
  }
  return Promise.all(sent);
}

/** Adds one tally of answers per version into another. */
export function tally(into: Map<string, number>, seen: Map<string, number>): void {
  for (const [version, n] of seen) into.set(version, (into.get(version) ?? 0) + n);
}

/**
 * Sends traffic and fires the cron until the service's rollout ends (or the deadline passes);
 * calls `onRound` after each tick. Returns the final phase and the answers per version.
 */
export async function driveRollout(
  url: string,
  adminToken: string,
  service: string,
  options: { requestsPerRound?: number; deadlineMs?: number; onRound?: () => Promise<void> } = {},
): Promise<{ phase: string; seen: Map<string, number> }> {
  const deadline = Date.now() + (options.deadlineMs ?? 90_000);
  const seen = new Map<string, number>();
  while (Date.now() < deadline) {
    tally(seen, await burst(url, options.requestsPerRound ?? 60));
    await sleep(2_200);
    await fireCron(url);
    await sleep(800);
    await options.onRound?.();
    const response = await fetch(`${url}/_keystone/v1/services/${service}/rollout`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const { state } = (await response.json()) as { state: { phase: string } | null };
    if (state && ["promoted", "rolledBack", "aborted"].includes(state.phase))
      return { phase: state.phase, seen };
  }
  return { phase: "timeout", seen };
}

/**
 * A config file with one canary-rollout service on this machine (host 127.0.0.1) in front of the
 * stack's stable and canary origins, both with a health path.
 */
export function localCanaryConfig(
  name: string,
  origins: { stable: string; canary: string },
  parts: {
    releases: [stable: string, canary: string];
    split: { stable: number; canary: number };
    steps: unknown[];
    analysis: Record<string, number>;
  },
) {
  const [stableRelease, canaryRelease] = parts.releases;
  return {
    services: [
      {
        name,
        hosts: ["127.0.0.1"],
        versions: {
          stable: { origin: origins.stable, release: stableRelease, healthPath: "/health" },
          canary: { origin: origins.canary, release: canaryRelease, healthPath: "/health" },
        },
        baseline: "stable",
        split: parts.split,
        rollout: { strategy: "canary", steps: parts.steps, analysis: parts.analysis },
      },
    ],
  };
}
