// Bare proxy + Keystone's request-header step: copy, strip x-keystone-*, add four.
export default {
  fetch(request, env) {
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    const spoofed = [];
    for (const name of headers.keys()) if (name.startsWith("x-keystone-")) spoofed.push(name);
    for (const name of spoofed) headers.delete(name);
    headers.set("x-keystone-version", "stable");
    headers.set("x-keystone-release", "v1");
    headers.set("x-forwarded-host", url.host);
    headers.set("x-forwarded-proto", "http");
    return fetch(env.ORIGIN + url.pathname + url.search, {
      method: request.method,
      headers,
      body: request.body,
      redirect: "manual",
    });
  },
};
