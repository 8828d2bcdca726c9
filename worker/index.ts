// Worker entry: one isolate-wide data plane, created on first use from the bindings.
import { createDataPlane, type DataPlane } from "./data-plane/handler.ts";
import type { Env } from "./env.ts";

let dataPlane: DataPlane | undefined;

export default {
  fetch(request, env, ctx) {
    dataPlane ??= createDataPlane(env);
    return dataPlane.fetch(request, ctx);
  },
} satisfies ExportedHandler<Env>;
