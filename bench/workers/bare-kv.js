// A with the route table's reads: the bare pass-through that, on its isolate's first request,
// reads the KV keys a data plane reads for one host (env.KEYS, comma-separated) and parses them,
// nothing more. Miniflare serves KV from code of its own in the same workerd process, so a first
// KV read costs workerd CPU here that it does not cost an isolate in production: D less this one
// is the data plane's own first request (npm run bench, cold start).
let read;

export default {
  async fetch(request, env) {
    read ??= Promise.all(
      env.KEYS.split(",").map(async (key) => JSON.parse(await env.ROUTES.get(key, "text"))),
    );
    await read;
    const url = new URL(request.url);
    return fetch(env.ORIGIN + url.pathname + url.search, request);
  },
};
