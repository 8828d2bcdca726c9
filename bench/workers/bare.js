// A: the cheapest possible proxy Worker: forward the request to one origin, nothing else.
export default {
  fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.ORIGIN + url.pathname + url.search, request);
  },
};
