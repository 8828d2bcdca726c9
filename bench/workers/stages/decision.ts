// Bare proxy + table lookup and decision: the isolate's route-table cache, request facts,
// decideRoute and the halted-version check, as the data plane runs them.
import { decideRoute, divertHalted } from "../../../worker/core/decide.ts";
import { HaltedVersions } from "../../../worker/data-plane/halted-versions.ts";
import { factsFromRequest } from "../../../worker/data-plane/request-facts.ts";
import { RouteTableCache } from "../../../worker/data-plane/table-cache.ts";
import { bareForward, type StageEnv } from "./shared.ts";

let cache: RouteTableCache | undefined;
const halted = new HaltedVersions();

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    cache ??= new RouteTableCache({ read: async () => env.ROUTES_DOC, refreshMs: 30_000 });
    const state = await cache.current(Date.now(), (work) => ctx.waitUntil(work));
    if (!state.table) return new Response(state.problem, { status: 503 });
    const decided = decideRoute(factsFromRequest(request, url), state.table, {
      now: Date.now(),
      overrideSecret: "bench-override-secret",
      mintVisitorId: () => crypto.randomUUID(),
    });
    const verdict =
      decided && divertHalted(decided, (s, v) => halted.isHalted(s, v, decided.service.sequence));
    if (!verdict) return new Response("no service", { status: 404 });
    return bareForward(request, env, url);
  },
} satisfies ExportedHandler<StageEnv>;
