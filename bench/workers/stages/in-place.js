// Bare proxy + adding a client header to the fetch response in place (what Keystone does).
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const response = await fetch(env.ORIGIN + url.pathname + url.search, request);
    response.headers.set("x-keystone-version", "stable");
    return response;
  },
};
