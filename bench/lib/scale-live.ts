// bench:scale's live runs, in workerd through Miniflare (bench/workers/scale-driver.ts): a fleet
// of simulated isolates flushing for real, a spread window read as the tick reads it, a thousand
// rollouts ticking from their own alarms, and services applied in files.
import type { ServiceInput } from "../../schemas/service.ts";
import { admin } from "./keystone-client.ts";

const log = (line: string) => process.stderr.write(`${line}\n`);

export async function driver<T>(url: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${url}/__scale/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`/__scale/${path}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

export interface LiveFleet {
  isolates: number;
  flushes: number;
  sent: number;
  counted: number;
  dropped: number;
  elapsedMs: number;
  shards: number;
  flushesPerSecond: number;
  busiestPerSecond: number;
}

/** `isolates` real flushers, each flushing `rounds` times, as fast as workerd takes them. */
export async function liveFleet(url: string, isolates: number, rounds: number): Promise<LiveFleet> {
  const requestsPerFlush = 5;
  const run = await driver<{
    sent: number;
    flushes: number;
    dropped: number;
    elapsedMs: number;
    shards: number;
    flushesPerShard: number[];
  }>(url, "fleet", {
    service: "fleet",
    version: "canary",
    isolates,
    rounds,
    requestsPerFlush,
    concurrency: 50,
  });
  const counted = run.flushesPerShard.reduce((a, b) => a + b, 0) * requestsPerFlush;
  const seconds = run.elapsedMs / 1000;
  return {
    isolates,
    flushes: run.flushes,
    sent: run.sent,
    counted,
    dropped: run.dropped,
    elapsedMs: run.elapsedMs,
    shards: run.shards,
    flushesPerSecond: run.flushes / seconds,
    // Over the whole run: the shards added on the way took flushes only after they existed.
    busiestPerSecond: Math.max(...run.flushesPerShard) / seconds,
  };
}

/** The tick's read of one version spread over `shards` objects, a 10-minute step in each. */
export async function spreadRead(
  url: string,
  shards: number,
): Promise<{ shards: number; readMs: number[]; requests: number }> {
  const service = `read-${shards}`;
  const from = Date.now() - 600_000;
  await driver(url, "fill", { service, version: "canary", shards, seconds: 600, from });
  const readMs: number[] = [];
  let requests = 0;
  for (let i = 0; i < 7; i++) {
    const read = await driver<{ readMs: number; requests: number }>(url, "read", {
      service,
      version: "canary",
      from,
      to: Date.now(),
    });
    readMs.push(read.readMs);
    requests = read.requests;
  }
  return { shards, readMs, requests };
}

export function rolloutServiceConfig(name: string, origin: string): ServiceInput {
  return {
    name,
    hosts: [`${name}.scale.test`],
    versions: { stable: { origin, release: "v1" }, canary: { origin, release: "v2" } },
    baseline: "stable",
    split: { stable: 100, canary: 0 },
    rollout: {
      strategy: "canary",
      steps: [{ weight: 10, bake: "10m" }],
      analysis: { minRequests: 100, maxErrorRatePercent: 5 },
    } as ServiceInput["rollout"],
  };
}

/** Runs `work` over `items`, `concurrency` at a time. */
export async function inBatches<T>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += concurrency)
    await Promise.all(items.slice(i, i + concurrency).map(work));
}

export interface TickRun {
  rollouts: number;
  applySeconds: number;
  startSeconds: number;
  /** Ticks seen (each rollout's lastTickAt changing), and how late each came after it was due. */
  ticks: number;
  lateness: { median: number; p99: number; max: number };
  /** Ticks that came more than one interval after they were due (target: none). */
  lateByMoreThanATick: number;
  /** Rollouts with fewer than two ticks seen when the watch ended. */
  unfinished: number;
  /** Rollouts the registry held as late (what the cron would wake) when the watch ended. */
  lateForCron: number;
  watchedSeconds: number;
}

type Times = { name: string; stepStartedAt: number | null; lastTickAt: number | null }[];

/**
 * Watches rollouts' ticks: every `everyMs`, each rollout's last tick; a change is a tick, due an
 * interval after the one before (the first, an interval after its step started). Ticks are an
 * interval apart and the watch looks far more often, so it sees every one.
 */
class TickWatch {
  readonly lateness: number[] = [];
  readonly #seen = new Map<string, { last: number; ticks: number }>();
  readonly #url: string;
  readonly #intervalMs: number;

  constructor(url: string, intervalMs: number) {
    this.#url = url;
    this.#intervalMs = intervalMs;
  }

  async look(names: string[]): Promise<void> {
    for (const r of await driver<Times>(this.#url, "ticks", { names })) {
      if (r.stepStartedAt === null || r.lastTickAt === null) continue;
      const seen = this.#seen.get(r.name) ?? { last: r.stepStartedAt, ticks: 0 };
      if (r.lastTickAt > seen.last) {
        this.lateness.push(r.lastTickAt - (seen.last + this.#intervalMs));
        seen.last = r.lastTickAt;
        seen.ticks++;
      }
      this.#seen.set(r.name, seen);
    }
  }

  ticksOf(name: string): number {
    return this.#seen.get(name)?.ticks ?? 0;
  }
}

/** `count` services applied (in files of 100), each rollout started, then two ticks of each watched. */
export async function tickFleet(
  url: string,
  origin: string,
  count: number,
  intervalMs: number,
): Promise<TickRun> {
  const names = Array.from({ length: count }, (_, i) => `tick-${String(i).padStart(5, "0")}`);
  const applySeconds = await applyInFiles(
    url,
    names.map((name) => rolloutServiceConfig(name, origin)),
    100,
  );
  log(`  applied ${count} services in ${applySeconds.toFixed(1)} s`);
  const watch = new TickWatch(url, intervalMs);
  const started: string[] = [];
  let starting = true;
  const watching = (async () => {
    while (starting) {
      await watch.look([...started]);
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    }
  })();
  const startedAt = performance.now();
  await inBatches(names, 8, async (name) => {
    await admin(url, "POST", `/services/${name}/rollout/start`, {});
    started.push(name);
  });
  starting = false;
  await watching;
  const startSeconds = (performance.now() - startedAt) / 1000;
  log(`  started ${count} rollouts in ${startSeconds.toFixed(1)} s; watching their ticks`);
  const deadline = performance.now() + 2.5 * intervalMs;
  while (performance.now() < deadline && names.some((name) => watch.ticksOf(name) < 2)) {
    await watch.look(names);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  }
  const watchedSeconds = (performance.now() - startedAt) / 1000;
  const lateness = [...watch.lateness].sort((a, b) => a - b);
  const at = (q: number) =>
    lateness[Math.min(lateness.length - 1, Math.floor(q * lateness.length))] ?? Number.NaN;
  const { late } = await driver<{ late: string[] }>(url, "late", {});
  return {
    rollouts: count,
    applySeconds,
    startSeconds,
    ticks: lateness.length,
    lateness: { median: at(0.5), p99: at(0.99), max: lateness.at(-1) ?? Number.NaN },
    lateByMoreThanATick: lateness.filter((ms) => ms > intervalMs).length,
    unfinished: names.filter((name) => watch.ticksOf(name) < 2).length,
    lateForCron: late.length,
    watchedSeconds,
  };
}

/** Services added through the file endpoint, `perFile` a file, as `keystone apply` sends them. */
export async function applyInFiles(
  url: string,
  configs: ServiceInput[],
  perFile: number,
): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < configs.length; i += perFile)
    await admin(url, "POST", "/apply", {
      services: configs.slice(i, i + perFile).map((config) => ({ config })),
    });
  return (performance.now() - started) / 1000;
}
