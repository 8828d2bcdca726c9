// Bare proxy + the request-header step: the client's headers rebuilt for the origin
// (originHeaders), sent with an init object as the data plane sends them.
import { originHeaders } from "../../../worker/data-plane/headers.ts";
import { benchVerdict, type StageEnv } from "./shared.ts";

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const verdict = await benchVerdict(request, env, url);
    return fetch(env.ORIGIN + url.pathname + url.search, {
      method: request.method,
      headers: originHeaders(request.headers, url, verdict),
      body: request.body,
      redirect: "manual",
    });
  },
} satisfies ExportedHandler<StageEnv>;
