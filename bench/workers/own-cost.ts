// npm run bench:own, in one isolate: Keystone's request path (the data plane's own fetch, as
// deployed) and the proxy floor's (bench/workers/proxy-floor.js), each run K times per incoming
// request with the origin call answered in the isolate, so that what is timed is the Worker's own
// JavaScript and runtime calls (headers, timers, Request and Response objects), without the
// socket, the origin or Miniflare's outbound hop whose noise hides a few µs under load.
// GET /<b|p|none><K>. The stand-in for fetch builds the Request the runtime would (headers and
// signal included) and answers 200.
import { DataPlane } from "../../worker/data-plane/handler.ts";
import type { DataPlaneBindings } from "../../worker/env.ts";
import floor from "./proxy-floor.js";

const runtimeFetch = globalThis.fetch;
let answering = false;
globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
  if (!answering) return runtimeFetch(input, init);
  new Request(input, init);
  return Promise.resolve(new Response("ok", { headers: { "content-type": "text/plain" } }));
};

let dataPlane: DataPlane | undefined;

export default {
  async fetch(request, env, ctx) {
    // No outcome leaves the isolate while timing: flushes are the control plane's cost, not the path's.
    dataPlane ??= new DataPlane(env, {
      flush: { maxRequests: Number.MAX_SAFE_INTEGER, maxAgeMs: Number.MAX_SAFE_INTEGER },
      flushDeadline: false,
    });
    const asked = /^\/(b|p|none)(\d+)$/.exec(new URL(request.url).pathname);
    if (!asked) return new Response("GET /<b|p|none><K>", { status: 404 });
    const [, path, times] = asked;
    // The benchmark's request, its headers and request.cf, at the benchmark's host and path.
    const inner = new Request(`http://127.0.0.1${env.BENCH_PATH}`, request);
    const floorEnv = { ORIGIN: env.ORIGIN };
    let statuses = 0;
    answering = true;
    try {
      for (let i = 0; i < Number(times); i++) {
        const response =
          path === "b"
            ? await dataPlane.fetch(inner, ctx)
            : path === "p"
              ? await floor.fetch(inner, floorEnv)
              : undefined;
        if (response) await response.arrayBuffer();
        statuses += response?.status ?? 200;
      }
    } finally {
      answering = false;
    }
    return new Response(String(statuses));
  },
} satisfies ExportedHandler<DataPlaneBindings & { BENCH_PATH: string; ORIGIN: string }>;
