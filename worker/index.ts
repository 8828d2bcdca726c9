// Worker entry: the admin API under /_keystone/ on the admin hosts (ADMIN_HOSTS), the data plane
// for everything else (/_keystone/ on any other host included), the cron. The admin side (API,
// status page, OpenAPI, their schemas), the Durable Objects' logic (durable-objects.ts) and the
// cron are loaded on first use, not when an isolate starts: a fresh isolate evaluates only what
// the data plane needs before it answers.
import { servesAdmin } from "./core/admin-hosts.ts";
import { DataPlane } from "./data-plane/handler.ts";
import { targetOf } from "./data-plane/request-target.ts";
import type { Env } from "./env.ts";

export { RegistryObject, ReleaseObject, ServiceObject, StatsObject } from "./durable-objects.ts";

const ADMIN_PREFIX = "/_keystone/";

let dataPlane: DataPlane | undefined;

type AdminApi = ReturnType<typeof import("./admin/app.ts").createAdminApi>;
let adminApi: Promise<AdminApi> | undefined;

function loadAdminApi(): Promise<AdminApi> {
  adminApi ??= Promise.all([import("./admin/app.ts"), import("./admin/auth.ts")]).then(
    ([{ createAdminApi }, { failedAdminAuth }]) =>
      // No data plane yet: the admin API answers with an idle isolate's counters.
      createAdminApi(
        () => dataPlane && { ...dataPlane.counters(), failedAdminAuth: failedAdminAuth() },
      ),
  );
  return adminApi;
}

export default {
  fetch(request, env, ctx) {
    const target = targetOf(request.url);
    if (target.pathname.startsWith(ADMIN_PREFIX) && servesAdmin(env.ADMIN_HOSTS, target.hostname))
      return loadAdminApi().then((api) => api.fetch(request, env, ctx));
    dataPlane ??= new DataPlane(env);
    return dataPlane.fetch(request, ctx, target);
  },
  async scheduled(controller, env) {
    const { runCron } = await import("./cron.ts");
    await runCron(controller.scheduledTime, env);
  },
} satisfies ExportedHandler<Env>;
