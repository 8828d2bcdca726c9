// The realistic config benchmarked as B: 10 rules (none matching the benchmark's requests, so all
// are evaluated), one experiment, a 5% canary, a sticky cookie.
import type { ServiceInput } from "../../schemas/service.ts";

export function benchService(origin: string, canaryOrigin = origin): ServiceInput {
  return {
    name: "bench",
    hosts: ["127.0.0.1"],
    versions: {
      stable: { origin, release: "v1" },
      canary: { origin: canaryOrigin, release: "v2" },
    },
    baseline: "stable",
    split: { stable: 95, canary: 5 },
    sticky: { by: "cookie", cookie: "ks_bench" },
    rules: [
      {
        name: "force-canary",
        when: { header: { name: "x-canary", equals: "always" } },
        route: "canary",
      },
      {
        name: "force-stable",
        when: { header: { name: "x-canary", equals: "never" } },
        route: "stable",
      },
      { name: "beta", when: { cookie: { name: "beta", equals: "1" } }, route: "canary" },
      { name: "debug", when: { query: { name: "debug", present: true } }, route: "stable" },
      { name: "internal", when: { path: { regex: "^/internal/" } }, route: "stable" },
      { name: "eu-half", when: { country: ["DE", "FR"] }, split: { stable: 50, canary: 50 } },
      { name: "office", when: { ip: ["10.0.0.0/8", "2001:db8::/32"] }, route: "canary" },
      {
        name: "bots",
        when: { header: { name: "user-agent", regex: "(bot|crawler|spider)" } },
        route: "stable",
      },
      { name: "writes", when: { method: ["DELETE", "PATCH"] }, route: "stable" },
      { name: "edge", when: { any: [{ colo: ["LHR"] }, { asn: [64512] }] }, route: "canary" },
    ],
    experiments: [
      {
        name: "checkout-redesign",
        when: { path: { prefix: "/api/checkout" } },
        variants: { control: { weight: 50 }, treatment: { weight: 50 } },
      },
    ],
  };
}

/** What every benchmarked Worker is sent: a returning visitor's API call. */
export const BENCH_PATH = "/api/items?page=2";
export const BENCH_HEADERS = {
  cookie: "ks_bench=7f1d3c2a-5b6e-4f80-9a1b-2c3d4e5f6a7b; theme=dark",
  "user-agent": "Mozilla/5.0 (X11; Linux x86_64) keystone-bench",
  accept: "application/json",
};
