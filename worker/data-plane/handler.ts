// The data plane: route table from the isolate cache, decision from the pure core, then proxy.
import type { IsolateCounters } from "../../schemas/api.ts";
import { ROUTES_KEY } from "../../schemas/routes-doc.ts";
import { decideRoute, divertHalted } from "../core/decide.ts";
import { type FlushPolicy, OutcomeRecorder } from "../core/metrics/outcome-recorder.ts";
import type { Env } from "../env.ts";
import { HaltedVersions } from "./halted-versions.ts";
import { withClientHeaders } from "./headers.ts";
import { OutcomeFlusher } from "./outcome-flusher.ts";
import { forward, plainText } from "./proxy.ts";
import { factsFromRequest } from "./request-facts.ts";
import { RouteTableCache } from "./table-cache.ts";

/** KV's own edge cache for the route key; 30 s is the least KV accepts. */
const KV_CACHE_TTL_SECONDS = 30;

/** Flush outcomes every 5 s or 5,000 requests: a handful of DO calls per 10,000 requests. */
const DEFAULT_FLUSH: FlushPolicy = { maxRequests: 5_000, maxAgeMs: 5_000 };

export interface DataPlaneOptions {
  /** The clock; tests pass a controlled one. */
  now?: () => number;
  flush?: FlushPolicy;
}

export interface DataPlane {
  cache: RouteTableCache;
  counters(): IsolateCounters;
  recorder: OutcomeRecorder;
  flusher: OutcomeFlusher;
  fetch(request: Request, ctx: ExecutionContext, url?: URL): Promise<Response>;
  /** Sends every held outcome now. */
  flushOutcomes(): Promise<void>;
}

export function createDataPlane(env: Env, options: DataPlaneOptions = {}): DataPlane {
  const now = options.now ?? Date.now;
  const flushSeconds = Number(env.METRICS_FLUSH_SECONDS);
  const recorder = new OutcomeRecorder(
    options.flush ??
      (Number.isFinite(flushSeconds) && env.METRICS_FLUSH_SECONDS !== undefined
        ? { ...DEFAULT_FLUSH, maxAgeMs: flushSeconds * 1000 }
        : DEFAULT_FLUSH),
  );
  const halted = new HaltedVersions();
  let generation = 0;
  let requestsServed = 0;
  const flusher = new OutcomeFlusher(env, (service, version) =>
    halted.halt(service, version, generation, now()),
  );
  const flushOutcomes = () => flusher.send(recorder.drain());
  const refreshSeconds = Number(env.ROUTE_REFRESH_SECONDS ?? "30");
  const cache = new RouteTableCache({
    read: () => env.ROUTES.get(ROUTES_KEY, { type: "text", cacheTtl: KV_CACHE_TTL_SECONDS }),
    refreshMs: (Number.isFinite(refreshSeconds) ? refreshSeconds : 30) * 1000,
    log: (message) => console.error(message),
  });
  const overrideSecret = env.OVERRIDE_SECRET;
  return {
    cache,
    counters: () => ({
      requestsServed,
      routeTableReads: cache.reads,
      statsFlushCalls: flusher.calls,
      droppedOutcomeBatches: flusher.droppedBatches,
      droppedOutcomes: recorder.droppedOutcomes,
      tableGeneration: generation || null,
      haltedVersions: halted.list(),
    }),
    recorder,
    flusher,
    flushOutcomes,
    async fetch(request, ctx, url = new URL(request.url)) {
      const state = await cache.current(now(), (work) => ctx.waitUntil(work));
      if (!state.table) {
        return plainText(503, `keystone: no routing config is loaded: ${state.problem}\n`);
      }
      requestsServed++;
      generation = state.table.generation;
      const decided = decideRoute(factsFromRequest(request, url), state.table, {
        now: now(),
        overrideSecret,
        mintVisitorId: () => crypto.randomUUID(),
      });
      const verdict =
        decided && divertHalted(decided, (s, v) => halted.isHalted(s, v, generation, now()));
      if (!verdict) {
        return plainText(
          404,
          `keystone: no service is configured for ${url.host}${url.pathname}\n`,
        );
      }
      const started = now();
      const { response, answered } = await forward(request, url, verdict);
      const { service, version } = verdict;
      recorder.record(
        service.name,
        version.name,
        started,
        now() - started,
        service.isError(response.status),
        answered,
      );
      if (recorder.shouldFlush(now())) ctx.waitUntil(flushOutcomes());
      // A WebSocket upgrade must be returned as is: re-wrapping the response drops the socket.
      if (response.status === 101 || response.webSocket) return response;
      return withClientHeaders(response, verdict, url);
    },
  };
}
