// The data plane: route table from the isolate cache, decision from the pure core, then proxy.
import { ROUTES_KEY } from "../../schemas/routes-doc.ts";
import { decideRoute } from "../core/decide.ts";
import type { Env } from "../env.ts";
import { withClientHeaders } from "./headers.ts";
import { forward, plainText } from "./proxy.ts";
import { factsFromRequest } from "./request-facts.ts";
import { RouteTableCache } from "./table-cache.ts";

/** KV's own edge cache for the route key; 30 s is the least KV accepts. */
const KV_CACHE_TTL_SECONDS = 30;

export interface DataPlane {
  cache: RouteTableCache;
  fetch(request: Request, ctx: ExecutionContext, url?: URL): Promise<Response>;
}

export function createDataPlane(env: Env): DataPlane {
  const refreshSeconds = Number(env.ROUTE_REFRESH_SECONDS ?? "30");
  const cache = new RouteTableCache({
    read: () => env.ROUTES.get(ROUTES_KEY, { type: "text", cacheTtl: KV_CACHE_TTL_SECONDS }),
    refreshMs: (Number.isFinite(refreshSeconds) ? refreshSeconds : 30) * 1000,
    log: (message) => console.error(message),
  });
  const overrideSecret = env.OVERRIDE_SECRET;
  return {
    cache,
    async fetch(request, ctx, url = new URL(request.url)) {
      const state = await cache.current(Date.now(), (work) => ctx.waitUntil(work));
      if (!state.table) {
        return plainText(503, `keystone: no routing config is loaded: ${state.problem}\n`);
      }
      const verdict = decideRoute(factsFromRequest(request, url), state.table, {
        now: Date.now(),
        overrideSecret,
        mintVisitorId: () => crypto.randomUUID(),
      });
      if (!verdict) {
        return plainText(
          404,
          `keystone: no service is configured for ${url.host}${url.pathname}\n`,
        );
      }
      const { response } = await forward(request, url, verdict);
      // A WebSocket upgrade must be returned as is: re-wrapping the response drops the socket.
      if (response.status === 101 || response.webSocket) return response;
      return withClientHeaders(response, verdict, url);
    },
  };
}
