// The request path alone: the data plane (routing core, proxy, recorder) as its own Worker, with
// no admin API, status page, Durable Object classes or CLI schemas. `npm run bench:bundle` weighs
// it: what a data plane Worker of its own would ship (docs/performance.md, "The request path's
// bundle").
import { createDataPlane, type DataPlane } from "../../worker/data-plane/handler.ts";
import type { Env } from "../../worker/env.ts";

let dataPlane: DataPlane | undefined;

export default {
  fetch(request, env, ctx) {
    dataPlane ??= createDataPlane(env);
    return dataPlane.fetch(request, ctx);
  },
} satisfies ExportedHandler<Env>;
