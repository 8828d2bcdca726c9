// P: a correct proxy floor, what any proxy that does the job properly pays in this runtime before
// it decides anything: the request's headers copied without the hop-by-hop ones and x-keystone-*,
// three added (the client's address, scheme and host), a timeout through an AbortController
// cleared once the origin's headers arrive, redirects passed through, and the response re-wrapped
// (`new Response(body, response)`) to add one header. Keystone's own cost is B − P.
// `npm run bench:own` also runs it with two of Keystone's duties added, to price them apart: the
// four origin headers Keystone's contract adds beyond P's three (KEYSTONE_HEADERS), reading
// `request.cf` as a geo rule does (READ_CF), and EXTRA_HEADERS more headers to the origin (the
// price of one, to within the noise). The benchmark's P sets none of them.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);
const TIMEOUT_MS = 30_000;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const strip = [];
    request.headers.forEach((_, name) => {
      if (HOP_BY_HOP.has(name) || name.startsWith("x-keystone-")) strip.push(name);
    });
    const headers = new Headers(request.headers);
    for (const name of strip) headers.delete(name);
    const client = request.headers.get("cf-connecting-ip");
    if (client) headers.append("x-forwarded-for", client);
    headers.set("x-forwarded-proto", url.protocol.slice(0, -1));
    headers.set("x-forwarded-host", url.host);
    if (env.KEYSTONE_HEADERS) {
      headers.set("x-keystone-version", "stable");
      headers.set("x-keystone-release", "v1");
      headers.append("x-keystone-experiment", "listing-redesign=control");
      headers.set("forwarded", `for=${client};host="${url.host}";proto=http`);
    }
    if (env.READ_CF && request.cf?.country === "") headers.set("x-country", "none");
    for (let i = 0; i < Number(env.EXTRA_HEADERS ?? 0); i++) headers.set(`x-extra-${i}`, "a=b");
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    let response;
    try {
      response = await fetch(env.ORIGIN + url.pathname + url.search, {
        method: request.method,
        headers,
        body: request.body,
        redirect: "manual",
        signal: controller.signal,
      });
    } finally {
      clearTimeout(timer);
    }
    const out = new Response(response.body, response);
    out.headers.set("x-served-by", "proxy-floor");
    return out;
  },
};
