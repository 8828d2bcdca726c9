// Worker entry: the admin API under /_keystone/, the data plane for everything else, the cron.
import { createAdminApi } from "./admin/app.ts";
import { runCron } from "./cron.ts";
import { createDataPlane, type DataPlane } from "./data-plane/handler.ts";
import type { Env } from "./env.ts";

export { RegistryObject } from "./control-plane/registry-object.ts";
export { ServiceObject } from "./control-plane/service-object.ts";
export { StatsObject } from "./control-plane/stats-object.ts";

const ADMIN_PREFIX = "/_keystone/";

let dataPlane: DataPlane | undefined;
const adminApi = createAdminApi(() => dataPlane?.counters());

export default {
  fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname.startsWith(ADMIN_PREFIX)) return adminApi.fetch(request, env, ctx);
    dataPlane ??= createDataPlane(env);
    return dataPlane.fetch(request, ctx, url);
  },
  async scheduled(controller, env) {
    await runCron(controller.scheduledTime, env);
  },
} satisfies ExportedHandler<Env>;
