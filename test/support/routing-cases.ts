// One set of routing cases, run against the pure core, `keystone explain`, and the live data plane:
// all three must agree on the version for each request.
import type { ServiceInput } from "../../schemas/service.ts";

export interface RoutingCase {
  name: string;
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
  path?: string;
}

export function casesService(
  origins: { stable: string; canary: string },
  host = "127.0.0.1",
): ServiceInput {
  return {
    name: "cases",
    hosts: [host],
    versions: {
      stable: { origin: origins.stable, release: "r1" },
      canary: { origin: origins.canary, release: "r2" },
    },
    baseline: "stable",
    split: { stable: 50, canary: 50 },
    sticky: { by: "cookie", cookie: "ks_cases" },
    rules: [
      { name: "always", when: { header: { name: "x-canary", equals: "always" } }, route: "canary" },
      { name: "never", when: { header: { name: "x-canary", equals: "never" } }, route: "stable" },
      { name: "beta", when: { cookie: { name: "beta", equals: "1" } }, route: "canary" },
      // Alternation inside a sequence: string search cannot answer it, the data plane loads RE2
      // for it (worker/core/regex-engine.ts).
      {
        name: "versioned",
        when: { path: { regex: "^/v[0-9]+/(beta|preview)/" } },
        route: "canary",
      },
      {
        name: "admin-half",
        when: { path: { prefix: "/admin" } },
        split: { stable: 20, canary: 80 },
      },
    ],
    experiments: [
      {
        name: "checkout",
        when: { path: { prefix: "/checkout" } },
        variants: { control: { weight: 50 }, treatment: { weight: 50, version: "canary" } },
      },
    ],
  };
}

export const visitors = Array.from(
  { length: 12 },
  (_, i) => `visitor-${String(i).padStart(4, "0")}-e2e`,
);

export const routingCases: RoutingCase[] = [
  { name: "header always", headers: { "x-canary": "always" }, cookies: { ks_cases: visitors[0]! } },
  { name: "header never", headers: { "x-canary": "never" }, cookies: { ks_cases: visitors[1]! } },
  { name: "beta cookie", cookies: { beta: "1", ks_cases: visitors[2]! } },
  { name: "versioned path", cookies: { ks_cases: visitors[3]! }, path: "/v2/beta/x" },
  ...visitors.map((v) => ({ name: `split for ${v}`, cookies: { ks_cases: v } })),
  ...visitors
    .slice(0, 6)
    .map((v) => ({ name: `rule split for ${v}`, cookies: { ks_cases: v }, path: "/admin/x" })),
  ...visitors
    .slice(0, 6)
    .map((v) => ({ name: `experiment pin for ${v}`, cookies: { ks_cases: v }, path: "/checkout" })),
];

export function cookieHeader(cookies: Record<string, string> = {}): string {
  return Object.entries(cookies)
    .map(([k, v]) => `${k}=${v}`)
    .join("; ");
}
