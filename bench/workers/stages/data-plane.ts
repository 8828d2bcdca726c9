// The whole data plane (createDataPlane: every step together) without the admin API and the cron:
// what the stages add up to, against Keystone as deployed.
import { createDataPlane, type DataPlane } from "../../../worker/data-plane/handler.ts";
import type { Env } from "../../../worker/env.ts";

export { StatsObject } from "../../../worker/control-plane/stats/stats-object.ts";

let dataPlane: DataPlane | undefined;

export default {
  fetch(request, env, ctx) {
    dataPlane ??= createDataPlane(env);
    return dataPlane.fetch(request, ctx);
  },
} satisfies ExportedHandler<Env>;
