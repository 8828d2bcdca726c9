// The data plane: route table from the isolate cache, decision from the pure core, then proxy.
import type { IsolateCounters } from "../../schemas/api.ts";
import { type DecideContext, decideRoute, divertHalted, type Verdict } from "../core/decide.ts";
import { bucketKeyOf } from "../core/hash.ts";
import { type FlushPolicy, OutcomeRecorder } from "../core/metrics/outcome-recorder.ts";
import { VISITOR_LIMIT_ROUTE, VisitorLimit } from "../core/metrics/visitor-limit.ts";
import { MirrorGuard } from "../core/mirror/mirror-guard.ts";
import { pinToIssue } from "../core/pin-issue.ts";
import type { DataPlaneBindings } from "../env.ts";
import { ClientBody } from "./client-body.ts";
import { HaltedVersions } from "./halted-versions.ts";
import { withClientHeaders } from "./headers.ts";
import { Mirroring } from "./mirror.ts";
import { OutcomeFlusher } from "./outcome-flusher.ts";
import { forward, keystoneError, plainText } from "./proxy.ts";
import { factsFromRequest } from "./request-facts.ts";
import { type RequestTarget, targetOf } from "./request-target.ts";
import { RouteTableCache, type TableState } from "./table-cache.ts";

/** KV's own edge cache for the route keys; 30 s is the least KV accepts. */
const KV_CACHE_TTL_SECONDS = 30;

/** Flush outcomes every 5 s or 5,000 requests: a handful of DO calls per 10,000 requests. */
const DEFAULT_FLUSH: FlushPolicy = { maxRequests: 5_000, maxAgeMs: 5_000 };

export interface DataPlaneOptions {
  /** The clock; tests pass a controlled one. */
  now?: () => number;
  flush?: FlushPolicy;
  /**
   * Flush held outcomes `maxAgeMs` after the first of a batch even if no request follows (in
   * waitUntil). On by default; tests that flush by hand on a controlled clock turn it off.
   */
  flushDeadline?: boolean;
  /** The bindings to use instead of env's (fault tests wrap them). */
  routes?: DataPlaneBindings["ROUTES"];
  stats?: DataPlaneBindings["STATS"];
  /** Shadow traffic's per-isolate limits and breakers, and its sampling draw (tests pin them). */
  mirrorGuard?: MirrorGuard;
  mirrorDraw?: () => number;
}

export interface DataPlane {
  cache: RouteTableCache;
  halted: HaltedVersions;
  counters(): Omit<IsolateCounters, "failedAdminAuth">;
  recorder: OutcomeRecorder;
  flusher: OutcomeFlusher;
  mirroring: Mirroring;
  /** `target`: the request's URL when the caller has it (a URL will do), else parsed from it. */
  fetch(request: Request, ctx: ExecutionContext, target?: RequestTarget): Promise<Response>;
  /** Sends every held outcome now. */
  flushOutcomes(): Promise<void>;
}

const mintVisitorId = () => crypto.randomUUID();

function flushPolicyOf(env: DataPlaneBindings): FlushPolicy {
  const seconds = Number(env.METRICS_FLUSH_SECONDS);
  return env.METRICS_FLUSH_SECONDS !== undefined && Number.isFinite(seconds) && seconds >= 0
    ? { ...DEFAULT_FLUSH, maxAgeMs: seconds * 1000 }
    : DEFAULT_FLUSH;
}

export function createDataPlane(env: DataPlaneBindings, options: DataPlaneOptions = {}): DataPlane {
  const now = options.now ?? Date.now;
  const policy = options.flush ?? flushPolicyOf(env);
  const recorder = new OutcomeRecorder(policy);
  const visitorLimit = new VisitorLimit();
  const halted = new HaltedVersions();
  const routes = options.routes ?? env.ROUTES;
  const refreshSeconds = Number(env.ROUTE_REFRESH_SECONDS ?? "30");
  const cache = new RouteTableCache({
    read: (key) => routes.get(key, { type: "text", cacheTtl: KV_CACHE_TTL_SECONDS }),
    refreshMs: (Number.isFinite(refreshSeconds) ? refreshSeconds : 30) * 1000,
    log: (message) => console.error(message),
    bucketKey: bucketKeyOf(env.BUCKET_SECRET),
  });
  let generation = 0;
  let requestsServed = 0;
  const sequenceOf = (service: string) => cache.loaded?.services.get(service)?.sequence ?? -1;
  const flusher = new OutcomeFlusher(options.stats ?? env.STATS, (service, version, halt) =>
    halted.learn(service, version, halt, sequenceOf(service)),
  );
  const mirroring = new Mirroring(
    options.mirrorGuard ?? new MirrorGuard(),
    now,
    (service, version, sequence) => halted.isHalted(service, version, sequence),
    options.mirrorDraw,
  );
  const flushOutcomes = () => flusher.send(recorder.drain(), mirroring.recorder.drain());
  // One deadline at a time: armed by the first outcome held, it flushes the whole batch.
  let deadlineArmed = false;
  const armDeadline = (ctx: ExecutionContext) => {
    if (deadlineArmed || options.flushDeadline === false) return;
    deadlineArmed = true;
    const deadline = new Promise((resolve) => setTimeout(resolve, policy.maxAgeMs));
    ctx.waitUntil(
      deadline.then(() => {
        deadlineArmed = false;
        return recorder.holding || mirroring.recorder.holding ? flushOutcomes() : undefined;
      }),
    );
  };
  // One context for every decision: decideRoute is synchronous, so setting `now` just before the
  // call is safe, and a request allocates no context or closure of its own.
  const decideContext: DecideContext = {
    now: 0,
    overrideSecret: env.OVERRIDE_SECRET,
    affinitySecret: env.AFFINITY_SECRET,
    mintVisitorId,
  };

  /**
   * The route an outcome is recorded under: its own, or "visitor-limit" when it is one analysis
   * counts (split, experiment, affinity) of a service with a rollout policy and its visitor or
   * client address has counted its share of the step's window in this isolate.
   */
  function analysedRoute(verdict: Verdict, request: Request): string {
    const route = verdict.outcomeRoute;
    const limit = verdict.service.visitorLimit;
    if (
      limit === undefined ||
      (route !== "split" && route !== "experiment" && route !== "affinity")
    )
      return route;
    // A client with no sticky key of its own (a minted id, sticky by none) is a new visitor each
    // time: its address's bound is what holds it. Loopback is this machine (npm start, its demo
    // and load tools), never a client Cloudflare saw: no address bound there.
    const ip = request.headers.get("cf-connecting-ip");
    const address = ip === null || ip === "::1" || ip.startsWith("127.") ? null : ip;
    const { name, sequence } = verdict.service;
    return visitorLimit.admit(name, sequence, verdict.visitorKey, address, limit)
      ? route
      : VISITOR_LIMIT_ROUTE;
  }

  async function serve(
    request: Request,
    ctx: ExecutionContext,
    target: RequestTarget,
    state: TableState,
  ): Promise<Response> {
    if (!state.table) {
      return keystoneError(
        503,
        `no routing config is loaded: ${state.publicProblem}`,
        state.problem,
      );
    }
    requestsServed++;
    generation = state.table.generation;
    decideContext.now = now();
    const decided = decideRoute(factsFromRequest(request, target), state.table, decideContext);
    const verdict =
      decided &&
      (halted.empty
        ? decided
        : divertHalted(decided, (s, v) => halted.isHalted(s, v, decided.service.sequence)));
    if (!verdict) {
      return plainText(
        404,
        `keystone: no service is configured for ${target.host}${target.pathname}\n`,
      );
    }
    const body =
      request.body === null
        ? undefined
        : new ClientBody(request.body, request.headers.get("content-length"), now);
    const flight = mirroring.begin(request, target, verdict, body);
    const started = now();
    const { response, answered, latencyMs, clientFault } = await forward(
      request,
      target,
      verdict,
      now,
      body,
    );
    const { service, version } = verdict;
    const route = analysedRoute(verdict, request);
    if (clientFault) recorder.recordClientFault(service.name, version.name, route, started);
    else
      recorder.record(
        service.name,
        version.name,
        route,
        started,
        latencyMs,
        service.isError(response.status),
        answered,
      );
    if (recorder.shouldFlush(now())) ctx.waitUntil(flushOutcomes());
    else armDeadline(ctx);
    // A WebSocket upgrade must be returned as is: re-wrapping the response drops the socket.
    if (response.status === 101 || response.webSocket) return response;
    const served = flight
      ? mirroring.finish(flight, response, answered, ctx, () => {
          if (mirroring.recorder.due(now(), policy)) ctx.waitUntil(flushOutcomes());
          else armDeadline(ctx);
        })
      : response;
    const pin = pinToIssue(verdict, env.AFFINITY_SECRET, now());
    return withClientHeaders(served, verdict, target, pin);
  }

  return {
    cache,
    halted,
    counters: () => ({
      requestsServed,
      routeTableReads: cache.reads,
      statsFlushCalls: flusher.calls,
      droppedOutcomeBatches: flusher.droppedBatches,
      droppedOutcomes: recorder.droppedOutcomes + flusher.droppedOutcomes,
      tableGeneration: generation || null,
      haltedVersions: halted.list(),
      rejectedEntries: cache.rejectedEntries,
      rejectedServices: cache.rejectedServices,
      mirror: {
        started: mirroring.guard.started,
        capped: mirroring.guard.capped,
        skippedByBreaker: mirroring.guard.skippedByBreaker,
        droppedCopies: mirroring.droppedCopies,
        breakersOpen: mirroring.guard.open(now()),
        droppedOutcomes: mirroring.recorder.dropped,
      },
    }),
    recorder,
    flusher,
    mirroring,
    flushOutcomes,
    fetch(request, ctx, target = targetOf(request.url)) {
      const at = now();
      // A table that needs no refresh is served without waiting on anything.
      const table = cache.fresh(at, target.hostname);
      if (table) return serve(request, ctx, target, table);
      return cache
        .current(at, target.hostname, (work) => ctx.waitUntil(work))
        .then((state) => serve(request, ctx, target, state));
    },
  };
}
