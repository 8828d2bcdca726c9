// bench:scale's Worker: Keystone as deployed (its fetch, scheduled and Durable Objects), plus routes
// under /__scale/ that run inside workerd what the benchmark measures there: a fleet of simulated
// isolates (each a real OutcomeFlusher, with its own shard seed) flushing to one version's stats
// objects, a version's spread window read as the tick reads it, the rollouts' tick times, and an
// isolate's route table (the data plane's RouteTableCache) loading hosts and refreshing.
// Bench-only: never deployed.
import type { OutcomeBatch } from "../../schemas/stats.ts";
import { registryOf, serviceObjectOf, statsObjectOf } from "../../worker/contracts.ts";
import { VersionStats } from "../../worker/control-plane/stats/version-stats.ts";
import { lateBefore, tickIntervalMs } from "../../worker/core/rollout/tick-schedule.ts";
import { OutcomeFlusher } from "../../worker/data-plane/outcome-flusher.ts";
import { RouteTableCache } from "../../worker/data-plane/table-cache.ts";
import type { Env } from "../../worker/env.ts";
import keystone from "../../worker/index.ts";

export {
  RegistryObject,
  ReleaseObject,
  ServiceObject,
  StatsObject,
} from "../../worker/index.ts";

function batch(service: string, version: string, at: number, requests: number): OutcomeBatch {
  return {
    service,
    version,
    route: "split",
    bucketStart: at - (at % 1000),
    requests,
    errors: 0,
    noAnswer: 0,
    clientFaults: 0,
    histogram: { 80: requests },
  };
}

interface FleetRun {
  service: string;
  version: string;
  isolates: number;
  rounds: number;
  requestsPerFlush: number;
  concurrency: number;
}

/** Every simulated isolate flushes once per round, `concurrency` flushes in flight at a time. */
async function runFleet(env: Env, run: FleetRun) {
  const isolates = Array.from({ length: run.isolates }, () => new OutcomeFlusher(env.STATS));
  let sent = 0;
  const started = Date.now();
  for (let round = 0; round < run.rounds; round++) {
    for (let i = 0; i < isolates.length; i += run.concurrency) {
      await Promise.all(
        isolates.slice(i, i + run.concurrency).map((isolate) => {
          sent += run.requestsPerFlush;
          return isolate.send([batch(run.service, run.version, Date.now(), run.requestsPerFlush)]);
        }),
      );
    }
  }
  const elapsedMs = Date.now() - started;
  const shards = await statsObjectOf(env, run.service, run.version).fanOut();
  const perShard = await Promise.all(
    Array.from({ length: shards }, async (_, shard) => {
      const totals = await statsObjectOf(env, run.service, run.version, shard).totals();
      return totals.reduce((sum, row) => sum + row.requests, 0) / run.requestsPerFlush;
    }),
  );
  return {
    sent,
    flushes: run.isolates * run.rounds,
    dropped: isolates.reduce((sum, isolate) => sum + isolate.droppedOutcomes, 0),
    elapsedMs,
    shards,
    flushesPerShard: perShard,
  };
}

/** A version spread over `shards` objects, each holding `seconds` one-second buckets. */
async function fillSpread(
  env: Env,
  run: { service: string; version: string; shards: number; seconds: number; from: number },
) {
  const first = statsObjectOf(env, run.service, run.version);
  await first.record({
    id: crypto.randomUUID(),
    batches: [batch(run.service, run.version, run.from, 1)],
  });
  while ((await first.fanOut()) < run.shards) await first.grow(await first.fanOut());
  await Promise.all(
    Array.from({ length: run.shards }, (_, shard) => {
      const batches = Array.from({ length: run.seconds }, (_, s) =>
        batch(run.service, run.version, run.from + s * 1000, 10),
      );
      return statsObjectOf(env, run.service, run.version, shard).record({
        id: crypto.randomUUID(),
        batches,
        ...(shard ? { shard } : {}),
      });
    }),
  );
}

/** The tick's read of one version: every shard's window, merged. */
async function readSpread(
  env: Env,
  run: { service: string; version: string; from: number; to: number },
) {
  const started = performance.now();
  const window = await new VersionStats(env, run.service, run.version).window({
    from: run.from,
    to: run.to,
    routes: ["split"],
  });
  return { readMs: performance.now() - started, requests: window.requests };
}

/** Each named service's rollout: when its step started and when it last ticked. */
async function tickTimes(env: Env, names: string[]) {
  return Promise.all(
    names.map(async (name) => {
      const rollout = await serviceObjectOf(env, name).rolloutState();
      return {
        name,
        stepStartedAt: rollout?.stepStartedAt ?? null,
        lastTickAt: rollout?.lastTickAt ?? null,
      };
    }),
  );
}

/** An isolate's route table as the data plane keeps it, reading this Worker's KV. */
function isolateCache(env: Env): RouteTableCache {
  // No refresh of its own: the benchmark asks for one after each change it makes.
  return new RouteTableCache({ read: (key) => env.ROUTES.get(key, "text"), refreshMs: 3_600_000 });
}

const noWork = () => {};

/** The warm isolate of the publication part: every host loaded, then refreshed after changes. */
let warm: RouteTableCache | undefined;

/**
 * load: a new isolate serving every host given (each host's shards and service read and
 * compiled); refresh: the warm isolate's refresh after a change; cold: a new isolate's first
 * request for one host, `repeat` times.
 */
async function isolate(
  env: Env,
  run: { action: "load" | "refresh" | "cold"; hosts: string[]; repeat?: number },
) {
  if (run.action === "load") {
    warm = isolateCache(env);
    for (const host of run.hosts) await warm.current(Date.now(), host, noWork);
  } else if (run.action === "refresh") {
    await warm!.refresh(Date.now());
  } else {
    let last: RouteTableCache | undefined;
    for (let i = 0; i < (run.repeat ?? 1); i++) {
      last = isolateCache(env);
      await last.current(Date.now(), run.hosts[0]!, noWork);
    }
    return { services: last?.loaded?.services.size ?? 0, reads: last?.reads ?? 0 };
  }
  return { services: warm!.loaded?.services.size ?? 0, reads: warm!.reads };
}

async function drive(request: Request, env: Env): Promise<Response> {
  const path = new URL(request.url).pathname;
  const body = request.method === "POST" ? await request.json() : {};
  const answer = (value: unknown) => Response.json(value);
  switch (path) {
    case "/__scale/fleet":
      return answer(await runFleet(env, body as FleetRun));
    case "/__scale/fill":
      await fillSpread(env, body as Parameters<typeof fillSpread>[1]);
      return answer({ ok: true });
    case "/__scale/read":
      return answer(await readSpread(env, body as Parameters<typeof readSpread>[1]));
    case "/__scale/ticks":
      return answer(await tickTimes(env, (body as { names: string[] }).names));
    case "/__scale/late": {
      const now = Date.now();
      const late = await registryOf(env).lateRollouts(
        lateBefore(now, tickIntervalMs(env.ROLLOUT_TICK_SECONDS)),
      );
      return answer({ now, late });
    }
    case "/__scale/isolate":
      return answer(await isolate(env, body as Parameters<typeof isolate>[1]));
    case "/__scale/generation":
      return answer({ generation: await registryOf(env).generation() });
    default:
      return new Response("not found", { status: 404 });
  }
}

export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname.startsWith("/__scale/")) return drive(request, env);
    return keystone.fetch(request, env, ctx);
  },
  scheduled(controller, env) {
    return keystone.scheduled(controller, env);
  },
} satisfies ExportedHandler<Env>;
