// Bare proxy + reading request.cf once, as a geo rule makes the data plane do
// (worker/data-plane/request-facts.ts): what a country, colo, continent or ASN rule costs before
// anything is compared. The value goes into the origin's URL so the read cannot be left out.
import type { StageEnv } from "./shared.ts";

export default {
  fetch(request, env) {
    const url = new URL(request.url);
    const country = (request as { cf?: { country?: string } }).cf?.country ?? "";
    return fetch(`${env.ORIGIN}${url.pathname}${url.search}${country === "" ? "" : "&c"}`, request);
  },
} satisfies ExportedHandler<StageEnv>;
