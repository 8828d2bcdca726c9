// The bare pass-through Worker with an init object instead of the incoming Request as fetch's
// second argument (bench:floor compares the two).
export default {
  fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.ORIGIN + url.pathname + url.search, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: "manual",
    });
  },
};
