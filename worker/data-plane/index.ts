// The data plane as a Worker of its own (worker/data-plane/wrangler.toml), for the service
// hostnames. Its script is the request path and nothing else: a fresh isolate compiles and runs
// what routing a request needs, not the admin API, the status page, the objects' logic, zod and
// RE2 that the control plane Worker (worker/index.ts) carries (docs/performance.md: the cold start
// this buys). The route table comes from the same KV namespace, outcomes go to the control plane's
// stats objects (bound by script_name), and /_keystone/ on an admin host is handed to the control
// plane Worker through its service binding, so one hostname can still serve both.
import { servesAdmin } from "../core/admin-hosts.ts";
import type { DataPlaneWorkerEnv } from "../env.ts";
import { DataPlane } from "./handler.ts";
import { targetOf } from "./request-target.ts";

const ADMIN_PREFIX = "/_keystone/";

let dataPlane: DataPlane | undefined;

export default {
  fetch(request, env, ctx) {
    const target = targetOf(request.url);
    if (target.pathname.startsWith(ADMIN_PREFIX) && servesAdmin(env.ADMIN_HOSTS, target.hostname))
      return env.CONTROL_PLANE.fetch(request);
    dataPlane ??= new DataPlane(env);
    return dataPlane.fetch(request, ctx, target);
  },
} satisfies ExportedHandler<DataPlaneWorkerEnv>;
