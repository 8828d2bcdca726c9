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

const mintVisitorId = () => crypto.randomUUID();

/** The outcome routes the visitor bound covers (and admitted: past it the route is visitor-limit). */
function isBounded(route: string): boolean {
  return route === "split" || route === "experiment" || route === "affinity";
}

function flushPolicyOf(env: DataPlaneBindings): FlushPolicy {
  const seconds = Number(env.METRICS_FLUSH_SECONDS);
  return env.METRICS_FLUSH_SECONDS !== undefined && Number.isFinite(seconds) && seconds >= 0
    ? { ...DEFAULT_FLUSH, maxAgeMs: seconds * 1000 }
    : DEFAULT_FLUSH;
}

/**
 * One isolate's data plane: it owns the route table cache, the outcomes held for the stats
 * objects, shadow traffic, the versions it has learned are halted and the visitor limit, and
 * serves each request from them: the table from the cache, the decision from the pure core, then
 * the proxy.
 */
export class DataPlane {
  readonly cache: RouteTableCache;
  readonly halted: HaltedVersions;
  readonly recorder: OutcomeRecorder;
  readonly flusher: OutcomeFlusher;
  readonly mirroring: Mirroring;
  readonly #now: () => number;
  readonly #policy: FlushPolicy;
  /** False in tests that flush by hand on a controlled clock. */
  readonly #flushDeadline: boolean;
  readonly #affinitySecret: string | undefined;
  readonly #visitorLimit = new VisitorLimit();
  /**
   * One context for every decision: decideRoute is synchronous, so setting `now` just before the
   * call is safe, and a request allocates no context or closure of its own.
   */
  readonly #decideContext: DecideContext;
  #generation = 0;
  #requestsServed = 0;
  /** One deadline at a time: armed by the first outcome held, it flushes the whole batch. */
  #deadlineArmed = false;

  constructor(env: DataPlaneBindings, options: DataPlaneOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#policy = options.flush ?? flushPolicyOf(env);
    this.#flushDeadline = options.flushDeadline !== false;
    this.#affinitySecret = env.AFFINITY_SECRET;
    this.recorder = new OutcomeRecorder(this.#policy);
    const routes = options.routes ?? env.ROUTES;
    const refreshSeconds = Number(env.ROUTE_REFRESH_SECONDS ?? "30");
    this.cache = new RouteTableCache({
      read: (key) => routes.get(key, { type: "text", cacheTtl: KV_CACHE_TTL_SECONDS }),
      refreshMs: (Number.isFinite(refreshSeconds) ? refreshSeconds : 30) * 1000,
      log: (message) => console.error(message),
      bucketKey: bucketKeyOf(env.BUCKET_SECRET),
    });
    this.halted = new HaltedVersions(this.cache);
    this.flusher = new OutcomeFlusher(options.stats ?? env.STATS, this.halted);
    this.mirroring = new Mirroring(
      options.mirrorGuard ?? new MirrorGuard(),
      this.#now,
      this.halted,
      options.mirrorDraw,
    );
    this.#decideContext = {
      now: 0,
      overrideSecret: env.OVERRIDE_SECRET,
      affinitySecret: env.AFFINITY_SECRET,
      mintVisitorId,
    };
  }

  /** `target`: the request's URL when the caller has it (a URL will do), else parsed from it. */
  fetch(
    request: Request,
    ctx: ExecutionContext,
    target: RequestTarget = targetOf(request.url),
  ): Promise<Response> {
    const at = this.#now();
    // A table that needs no refresh is served without waiting on anything.
    const table = this.cache.fresh(at, target.hostname);
    if (table) return this.#serve(request, ctx, target, table);
    return this.cache
      .current(at, target.hostname, (work) => ctx.waitUntil(work))
      .then((state) => this.#serve(request, ctx, target, state));
  }

  /** Sends every held outcome now. */
  flushOutcomes(): Promise<void> {
    return this.flusher.send(this.recorder.drain(), this.mirroring.recorder.drain());
  }

  counters(): Omit<IsolateCounters, "failedAdminAuth"> {
    const { cache, flusher, recorder, mirroring } = this;
    return {
      requestsServed: this.#requestsServed,
      routeTableReads: cache.reads,
      statsFlushCalls: flusher.calls,
      droppedOutcomeBatches: flusher.droppedBatches,
      droppedOutcomes: recorder.droppedOutcomes + flusher.droppedOutcomes,
      tableGeneration: this.#generation || null,
      haltedVersions: this.halted.list(),
      rejectedEntries: cache.rejectedEntries,
      rejectedServices: cache.rejectedServices,
      mirror: {
        started: mirroring.guard.started,
        capped: mirroring.guard.capped,
        skippedByBreaker: mirroring.guard.skippedByBreaker,
        droppedCopies: mirroring.droppedCopies,
        breakersOpen: mirroring.guard.open(this.#now()),
        droppedOutcomes: mirroring.recorder.dropped,
      },
    };
  }

  async #serve(
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
    this.#requestsServed++;
    this.#generation = state.table.generation;
    const now = this.#now;
    this.#decideContext.now = now();
    const decided = decideRoute(
      factsFromRequest(request, target),
      state.table,
      this.#decideContext,
    );
    const verdict = decided && (this.halted.empty ? decided : divertHalted(decided, this.halted));
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
    const { service, version } = verdict;
    const route = this.#analysedRoute(verdict, request);
    // A copy feeds the rollout's mirror check: with a rollout policy only requests the visitor
    // bound admitted are copied, so no visitor's flood (nor a rule's) decides that check either.
    const flight =
      service.visitorLimit === undefined || isBounded(route)
        ? this.mirroring.begin(request, target, verdict, body)
        : undefined;
    const started = now();
    const { response, answered, latencyMs, clientFault } = await forward(
      request,
      target,
      verdict,
      now,
      body,
    );
    const recorder = this.recorder;
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
    if (recorder.shouldFlush(now())) ctx.waitUntil(this.flushOutcomes());
    else this.#armDeadline(ctx);
    // A WebSocket upgrade must be returned as is: re-wrapping the response drops the socket.
    if (response.status === 101 || response.webSocket) return response;
    let served = response;
    if (flight) {
      const mirrored = this.mirroring.finish(flight, response, answered);
      served = mirrored.served;
      ctx.waitUntil(mirrored.comparison.then(() => this.#comparisonHeld(ctx)));
    }
    const pin = pinToIssue(verdict, this.#affinitySecret, now());
    return withClientHeaders(served, verdict, target, pin);
  }

  /** A mirrored comparison is held: flushed with the outcomes when due, by the deadline if not. */
  #comparisonHeld(ctx: ExecutionContext): void {
    if (this.mirroring.recorder.due(this.#now(), this.#policy)) ctx.waitUntil(this.flushOutcomes());
    else this.#armDeadline(ctx);
  }

  #armDeadline(ctx: ExecutionContext): void {
    if (this.#deadlineArmed || !this.#flushDeadline) return;
    this.#deadlineArmed = true;
    const deadline = new Promise((resolve) => setTimeout(resolve, this.#policy.maxAgeMs));
    ctx.waitUntil(
      deadline.then(() => {
        this.#deadlineArmed = false;
        return this.recorder.holding || this.mirroring.recorder.holding
          ? this.flushOutcomes()
          : undefined;
      }),
    );
  }

  /**
   * The route an outcome is recorded under: its own, or "visitor-limit" when it is one analysis
   * counts (split, experiment, affinity) of a service with a rollout policy and its visitor or
   * client address has counted its share of the step's window in this isolate.
   */
  #analysedRoute(verdict: Verdict, request: Request): string {
    const route = verdict.outcomeRoute;
    const limit = verdict.service.visitorLimit;
    if (limit === undefined || !isBounded(route)) return route;
    // A client with no sticky key of its own (a minted id, sticky by none) is a new visitor each
    // time: its address's bound is what holds it. Loopback is this machine (npm start, its demo
    // and load tools), never a client Cloudflare saw: no address bound there.
    const ip = request.headers.get("cf-connecting-ip");
    const address = ip === null || ip === "::1" || ip.startsWith("127.") ? null : ip;
    const { name, sequence } = verdict.service;
    return this.#visitorLimit.admit(name, sequence, verdict.visitorKey, address, limit)
      ? route
      : VISITOR_LIMIT_ROUTE;
  }
}
