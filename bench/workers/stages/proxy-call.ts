// Bare proxy replaced by the data plane's proxy call (forward): request headers, timeout, error
// handling, for the benchmark request's verdict.
import { forward } from "../../../worker/data-plane/proxy.ts";
import { benchVerdict, type StageEnv } from "./shared.ts";

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const { response } = await forward(
      request,
      url,
      await benchVerdict(request, env, url),
      Date.now,
      undefined,
    );
    return response;
  },
} satisfies ExportedHandler<StageEnv>;
