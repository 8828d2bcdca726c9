// Bare proxy + table lookup and decision: the isolate's route-table cache, request facts,
// decideRoute and the halted-version check, as the data plane runs them (worker/data-plane/handler.ts:
// the URL split without a URL object, a fresh table without a promise, one decide context).
import { ROUTES_KEY } from "../../../schemas/route-doc-format.ts";
import { type DecideContext, decideRoute, divertHalted } from "../../../worker/core/decide.ts";
import { HaltedVersions } from "../../../worker/data-plane/halted-versions.ts";
import { factsFromRequest } from "../../../worker/data-plane/request-facts.ts";
import { type RequestTarget, targetOf } from "../../../worker/data-plane/request-target.ts";
import { RouteTableCache, type TableState } from "../../../worker/data-plane/table-cache.ts";
import type { StageEnv } from "./shared.ts";

let cache: RouteTableCache | undefined;
const halted = new HaltedVersions();
const context: DecideContext = {
  now: 0,
  overrideSecret: "bench-override-secret",
  mintVisitorId: () => crypto.randomUUID(),
};

function serve(request: Request, env: StageEnv, target: RequestTarget, state: TableState) {
  if (!state.table) return new Response(state.problem, { status: 503 });
  context.now = Date.now();
  const decided = decideRoute(factsFromRequest(request, target), state.table, context);
  const verdict = decided && (halted.empty ? decided : divertHalted(decided, halted));
  if (!verdict) return new Response("no service", { status: 404 });
  return fetch(env.ORIGIN + target.pathname + target.search, request);
}

export default {
  fetch(request, env, ctx) {
    const target = targetOf(request.url);
    // The whole document of every service (no head): as an older registry published it.
    cache ??= new RouteTableCache({
      read: async (key) => (key === ROUTES_KEY ? env.ROUTES_DOC : null),
      refreshMs: 30_000,
    });
    const now = Date.now();
    const fresh = cache.fresh(now, target.hostname);
    if (fresh) return serve(request, env, target, fresh);
    return cache
      .current(now, target.hostname, (work) => ctx.waitUntil(work))
      .then((state) => serve(request, env, target, state));
  },
} satisfies ExportedHandler<StageEnv>;
