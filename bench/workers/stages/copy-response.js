// Bare proxy + copying the response to add a client header.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const response = await fetch(env.ORIGIN + url.pathname + url.search, request);
    const out = new Response(response.body, response);
    out.headers.set("x-keystone-version", "stable");
    return out;
  },
};
