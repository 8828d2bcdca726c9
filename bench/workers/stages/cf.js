// Bare proxy + reading request.cf, as a geo rule does.
export default {
  fetch(request, env) {
    const url = new URL(request.url);
    if (request.cf?.country === "XX") return new Response("never");
    return fetch(env.ORIGIN + url.pathname + url.search, request);
  },
};
