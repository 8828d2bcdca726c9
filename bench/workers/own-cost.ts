// npm run bench:own, in one isolate: Keystone's request path (the data plane's own fetch, as
// deployed) and the proxy floor's (bench/workers/proxy-floor.js), each run K times per incoming
// request with the origin call answered in the isolate, so that what is timed is the Worker's own
// JavaScript and runtime calls (headers, timers, Request and Response objects), without the
// socket, the origin or Miniflare's outbound hop whose noise hides a few µs under load.
// GET /<b|p|none><K> answers how many of the K passes the stand-in answered with 200. The
// stand-in for fetch builds the Request the runtime would (headers and signal included).
import { DataPlane } from "../../worker/data-plane/handler.ts";
import type { DataPlaneBindings } from "../../worker/env.ts";
import floor from "./proxy-floor.js";

/** Marks the stand-in's answers: a pass counts only when its response carries it. */
const STAND_IN = "x-own-cost-stand-in";
const runtimeFetch = globalThis.fetch;
// One flag for the isolate: bench/own-cost.ts sends its requests one at a time, and this Worker
// starts no background work (flushes and their deadline are off, the service mirrors nothing).
let answering = false;
globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
  if (!answering) return runtimeFetch(input, init);
  new Request(input, init);
  return Promise.resolve(
    new Response("ok", { headers: { "content-type": "text/plain", [STAND_IN]: "1" } }),
  );
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
    let answered = 0;
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
        if (!response || (response.status === 200 && response.headers.has(STAND_IN))) answered++;
      }
    } finally {
      answering = false;
    }
    return new Response(String(answered));
  },
} satisfies ExportedHandler<DataPlaneBindings & { BENCH_PATH: string; ORIGIN: string }>;
