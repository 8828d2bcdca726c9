// Bare proxy + the per-request timeout alone, as worker/data-plane/proxy.ts arms it (an
// AbortController and a timer cleared when the response headers arrive); that code is not
// exported on its own, so this mirrors it: keep the two in step.
import type { StageEnv } from "./shared.ts";

const TIMEOUT_MS = 30_000;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    try {
      return await fetch(env.ORIGIN + url.pathname + url.search, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: "manual",
        signal: controller.signal,
      });
    } finally {
      clearTimeout(timer);
    }
  },
} satisfies ExportedHandler<StageEnv>;
