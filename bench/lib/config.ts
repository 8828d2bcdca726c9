// The realistic config benchmarked as B, and the request every benchmarked Worker is sent: 12 rules
// of every kind, none matching (so all are evaluated), one experiment that applies, a 90/10 split,
// a returning visitor with a sticky cookie.
import type { ServiceInput } from "../../schemas/service.ts";
import type { RequestDescription } from "../../worker/core/facts.ts";

export function benchService(origin: string, canaryOrigin = origin): ServiceInput {
  return {
    name: "bench",
    hosts: ["127.0.0.1"],
    versions: {
      stable: { origin, release: "v1" },
      canary: { origin: canaryOrigin, release: "v2" },
    },
    baseline: "stable",
    split: { stable: 90, canary: 10 },
    sticky: { by: "cookie", cookie: "ks_bench" },
    rules: [
      {
        name: "force-canary",
        when: { header: { name: "x-canary", equals: "always" } },
        route: "canary",
      },
      { name: "beta", when: { cookie: { name: "beta", equals: "1" } }, route: "canary" },
      { name: "debug", when: { query: { name: "debug", present: true } }, route: "stable" },
      { name: "internal", when: { path: { prefix: "/internal" } }, route: "stable" },
      { name: "legacy", when: { path: { regex: "^/v[0-9]+/legacy/" } }, route: "stable" },
      { name: "writes", when: { method: ["DELETE", "PATCH"] }, route: "stable" },
      { name: "office", when: { ip: ["10.0.0.0/8", "2001:db8::/32"] }, route: "canary" },
      { name: "eu-half", when: { country: ["DE", "FR"] }, split: { stable: 50, canary: 50 } },
      {
        name: "bots",
        when: { header: { name: "user-agent", regex: "(bot|crawler|spider)" } },
        route: "stable",
      },
      {
        name: "qa-staff",
        when: {
          all: [
            { header: { name: "x-team", equals: "qa" } },
            { cookie: { name: "staff", present: true } },
          ],
        },
        route: "canary",
      },
      { name: "edge", when: { any: [{ colo: ["LHR"] }, { asn: [64512] }] }, route: "canary" },
      {
        name: "no-accept",
        when: { not: { header: { name: "accept", present: true } } },
        route: "stable",
      },
    ],
    experiments: [
      {
        name: "listing-redesign",
        when: { path: { prefix: "/api" } },
        variants: { control: { weight: 50 }, treatment: { weight: 50 } },
      },
    ],
  };
}

/** What every benchmarked Worker is sent: a returning visitor's API call. */
export const BENCH_PATH = "/api/items?page=2";
export const BENCH_VISITOR = "7f1d3c2a-5b6e-4f80-9a1b-2c3d4e5f6a7b";
export const BENCH_IP = "203.0.113.9";

/**
 * The `request.cf` production would attach, sent as workerd's cf blob header on the direct socket
 * (Miniflare's entry Worker, which would otherwise invent one, is not in the path).
 */
export const BENCH_CF = {
  asn: 64496,
  asOrganization: "Example Transit",
  city: "San Jose",
  colo: "SJC",
  continent: "NA",
  country: "US",
  clientTcpRtt: 12,
  httpProtocol: "HTTP/1.1",
  latitude: "37.33939",
  longitude: "-121.89496",
  postalCode: "95141",
  region: "California",
  regionCode: "CA",
  timezone: "America/Los_Angeles",
  tlsCipher: "AEAD-AES128-GCM-SHA256",
  tlsVersion: "TLSv1.3",
};

export const BENCH_HEADERS: Record<string, string> = {
  cookie: `ks_bench=${BENCH_VISITOR}; theme=dark`,
  "user-agent": "Mozilla/5.0 (X11; Linux x86_64) keystone-bench",
  accept: "application/json",
  "cf-connecting-ip": BENCH_IP,
  "mf-cf-blob": JSON.stringify(BENCH_CF),
};

/** The same request described as data, for the routing core alone (micro, explain, tests). */
export const BENCH_REQUEST: RequestDescription = {
  host: "127.0.0.1",
  path: "/api/items",
  query: { page: "2" },
  headers: {
    "user-agent": BENCH_HEADERS["user-agent"]!,
    accept: BENCH_HEADERS.accept!,
    "cf-connecting-ip": BENCH_IP,
  },
  cookies: { ks_bench: BENCH_VISITOR, theme: "dark" },
  ip: BENCH_IP,
  country: BENCH_CF.country,
  colo: BENCH_CF.colo,
  asn: BENCH_CF.asn,
};
