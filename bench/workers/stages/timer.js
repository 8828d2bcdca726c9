// Bare proxy + Keystone's per-request timeout (AbortController and a timer).
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 30_000);
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
};
