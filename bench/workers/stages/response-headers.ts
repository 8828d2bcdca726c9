// Bare proxy + the response step (withClientHeaders): x-keystone-version for the returning
// visitor the benchmark sends, or (NEW_VISITOR set) also the sticky cookie a new visitor gets.
import { withClientHeaders } from "../../../worker/data-plane/headers.ts";
import { bareForward, benchVerdict, type StageEnv } from "./shared.ts";

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const verdict = await benchVerdict(request, env, url);
    const response = await bareForward(request, env, url);
    if (!env.NEW_VISITOR) return withClientHeaders(response, verdict, url);
    const setCookie = { name: "ks_bench", value: crypto.randomUUID(), maxAgeSeconds: 2_592_000 };
    return withClientHeaders(response, { ...verdict, setCookie }, url);
  },
} satisfies ExportedHandler<StageEnv & { NEW_VISITOR?: string }>;
