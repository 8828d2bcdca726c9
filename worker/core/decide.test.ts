import { beforeAll, describe, expect, it } from "vitest";
import { ConfigFile } from "../../schemas/config-file.ts";
import type { ServiceInput } from "../../schemas/service.ts";
import { offlineService } from "../../schemas/service-spec.ts";
import { shopService } from "../../test/support/fixtures.ts";
import { compileRouteTable } from "./compile.ts";
import { type DecideContext, decideRoute, type Verdict } from "./decide.ts";
import { factsFromDescription, type RequestDescription } from "./facts.ts";
import { signOverride } from "./override.ts";
import { loadRegexEngine } from "./regex-engine.ts";

// Rules here have patterns string search cannot answer: RE2 loaded first, as the table load does.
beforeAll(async () => {
  await loadRegexEngine();
});

const NOW = Date.UTC(2026, 10, 21, 12);
const SECRET = "s3cret";

function tableOf(...services: ServiceInput[]) {
  return compileRouteTable(ConfigFile.parse({ services }).services.map(offlineService));
}

let counter = 0;
const ctx: DecideContext = {
  now: NOW,
  overrideSecret: SECRET,
  mintVisitorId: () => `minted-${++counter}`,
};

function decide(
  services: ServiceInput | ServiceInput[],
  request: Partial<RequestDescription> = {},
): Verdict | undefined {
  const table = tableOf(...(Array.isArray(services) ? services : [services]));
  return decideRoute(factsFromDescription({ host: "shop.example.com", ...request }), table, ctx);
}

function versionFor(
  service: ServiceInput,
  request: Partial<RequestDescription>,
): string | undefined {
  return decide(service, request)?.version.name;
}

describe("ingress-nginx canary semantics", () => {
  const nginxLike = shopService({
    split: { stable: 0, canary: 100 },
    rules: [
      { name: "always", when: { header: { name: "X-Canary", equals: "always" } }, route: "canary" },
      { name: "never", when: { header: { name: "x-canary", equals: "never" } }, route: "stable" },
      {
        name: "cookie-always",
        when: { cookie: { name: "canary", equals: "always" } },
        route: "canary",
      },
      {
        name: "cookie-never",
        when: { cookie: { name: "canary", equals: "never" } },
        route: "stable",
      },
      { name: "exact", when: { header: { name: "x-region", equals: "us-east" } }, route: "canary" },
    ],
  });
  const stableByDefault = { ...nginxLike, split: { stable: 100, canary: 0 } };

  it("header always goes to the canary, never to stable", () => {
    expect(versionFor(stableByDefault, { headers: { "x-canary": "always" } })).toBe("canary");
    expect(versionFor(nginxLike, { headers: { "x-canary": "never" } })).toBe("stable");
  });

  it("any other header value falls through to the split", () => {
    expect(versionFor(stableByDefault, { headers: { "x-canary": "maybe" } })).toBe("stable");
    expect(versionFor(nginxLike, { headers: { "x-canary": "maybe" } })).toBe("canary");
  });

  it("a header with an exact value matches only that value", () => {
    expect(versionFor(stableByDefault, { headers: { "x-region": "us-east" } })).toBe("canary");
    expect(versionFor(stableByDefault, { headers: { "x-region": "us-east-2" } })).toBe("stable");
  });

  it("cookie always and never", () => {
    expect(versionFor(stableByDefault, { cookies: { canary: "always" } })).toBe("canary");
    expect(versionFor(nginxLike, { cookies: { canary: "never" } })).toBe("stable");
  });

  it("a rule beats the split and says which rule decided", () => {
    const verdict = decide(stableByDefault, { headers: { "x-canary": "always" } });
    expect(verdict?.reason).toEqual({ kind: "rule", rule: "always", split: false });
  });

  it("weight 0 never and 100 always reaches that version", () => {
    for (let i = 0; i < 2000; i++) {
      const key = { cookies: { ks_shop: `visitor-${i}-abcdef` } };
      expect(versionFor(stableByDefault, key)).toBe("stable");
      expect(versionFor(nginxLike, key)).toBe("canary");
    }
  });
});

describe("match conditions", () => {
  const routeWhen = (when: Record<string, unknown>) =>
    shopService({
      split: { stable: 100, canary: 0 },
      rules: [{ name: "r", when, route: "canary" } as never],
    });

  it("query, path prefix, method, country, colo, asn, ip", () => {
    expect(
      versionFor(routeWhen({ query: { name: "beta", present: true } }), { query: { beta: "" } }),
    ).toBe("canary");
    expect(
      versionFor(routeWhen({ path: { prefix: "/checkout" } }), { path: "/checkout/pay" }),
    ).toBe("canary");
    expect(versionFor(routeWhen({ method: ["post"] }), { method: "POST" })).toBe("canary");
    expect(versionFor(routeWhen({ country: ["de"] }), { country: "DE" })).toBe("canary");
    expect(versionFor(routeWhen({ colo: ["FRA"] }), { colo: "FRA" })).toBe("canary");
    expect(versionFor(routeWhen({ asn: [13335] }), { asn: 13335 })).toBe("canary");
    expect(versionFor(routeWhen({ ip: ["10.1.0.0/16"] }), { ip: "10.1.2.3" })).toBe("canary");
    expect(versionFor(routeWhen({ ip: ["10.1.0.0/16"] }), { ip: "10.2.2.3" })).toBe("stable");
    expect(versionFor(routeWhen({ ip: ["2001:db8::/32"] }), { ip: "2001:db8:1::5" })).toBe(
      "canary",
    );
    expect(versionFor(routeWhen({ ip: ["10.0.0.0/8"] }), {})).toBe("stable");
  });

  it("regex and in", () => {
    const rx = routeWhen({ header: { name: "user-agent", regex: "^Mozilla/.*Firefox" } });
    expect(versionFor(rx, { headers: { "user-agent": "Mozilla/5.0 Firefox/130" } })).toBe("canary");
    expect(versionFor(rx, { headers: { "user-agent": "curl/8" } })).toBe("stable");
    expect(
      versionFor(routeWhen({ cookie: { name: "plan", in: ["pro", "team"] } }), {
        cookies: { plan: "team" },
      }),
    ).toBe("canary");
  });

  it("a value past 4,096 characters matches no equals, in, regex or prefix, yet is present", () => {
    const long = `x${"a".repeat(4096)}`;
    const header = (match: Record<string, unknown>) =>
      versionFor(routeWhen({ header: { name: "x-long", ...match } }), {
        headers: { "x-long": long },
      });
    expect(header({ equals: long })).toBe("stable");
    expect(header({ in: [long, "short"] })).toBe("stable");
    expect(header({ regex: "^xa+$" })).toBe("stable");
    expect(header({ regex: "xaaa" })).toBe("stable");
    expect(header({ present: true })).toBe("canary");
    const path = `/x/${"a".repeat(4096)}`;
    expect(versionFor(routeWhen({ path: { prefix: "/x" } }), { path })).toBe("stable");
    expect(versionFor(routeWhen({ path: { prefix: "/x" } }), { path: "/x/1" })).toBe("canary");
  });

  it("keys in one condition all have to match; all, any and not combine", () => {
    const both = routeWhen({ method: ["GET"], country: ["DE"] });
    expect(versionFor(both, { country: "DE" })).toBe("canary");
    expect(versionFor(both, { country: "DE", method: "POST" })).toBe("stable");
    const combo = routeWhen({
      any: [{ country: ["FR"] }, { all: [{ country: ["DE"] }, { not: { method: ["GET"] } }] }],
    });
    expect(versionFor(combo, { country: "FR" })).toBe("canary");
    expect(versionFor(combo, { country: "DE", method: "PUT" })).toBe("canary");
    expect(versionFor(combo, { country: "DE", method: "GET" })).toBe("stable");
  });

  it("rules are tried in order, first match wins", () => {
    const ordered = shopService({
      rules: [
        { name: "first", when: { method: ["GET"] }, route: "stable" },
        { name: "second", when: { method: ["GET"] }, route: "canary" },
      ],
    });
    expect(decide(ordered)?.reason).toEqual({ kind: "rule", rule: "first", split: false });
  });

  it("a rule with its own split uses the visitor's bucket", () => {
    const eu = shopService({
      split: { stable: 100, canary: 0 },
      rules: [{ name: "eu", when: { country: ["DE"] }, split: { stable: 50, canary: 50 } }],
    });
    const seen = new Set<string | undefined>();
    for (let i = 0; i < 200; i++)
      seen.add(versionFor(eu, { country: "DE", cookies: { ks_shop: `visitor-${i}-xyz` } }));
    expect(seen).toEqual(new Set(["stable", "canary"]));
  });
});

describe("stickiness", () => {
  it("mints a visitor id and asks for a cookie when the visitor has none", () => {
    const verdict = decide(shopService());
    expect(verdict?.visitorSource).toBe("minted");
    expect(verdict?.setCookie).toMatchObject({ name: "ks_shop", maxAgeSeconds: 2_592_000 });
  });

  it("keeps a visitor on its version across requests", () => {
    const service = shopService({ split: { stable: 50, canary: 50 } });
    for (let i = 0; i < 100; i++) {
      const cookies = { ks_shop: `visitor-${i}-0123456789` };
      const first = versionFor(service, { cookies });
      for (let again = 0; again < 5; again++) expect(versionFor(service, { cookies })).toBe(first);
    }
  });

  it("sticks by header or IP when told to, and sets no cookie", () => {
    const byHeader = shopService({ sticky: { by: "header:X-User" } });
    const verdict = decide(byHeader, { headers: { "x-user": "u-42" } });
    expect(verdict?.visitorSource).toBe("header");
    expect(verdict?.setCookie).toBeUndefined();
    expect(decide(shopService({ sticky: { by: "ip" } }), { ip: "192.0.2.1" })?.visitorSource).toBe(
      "ip",
    );
    expect(decide(shopService({ sticky: { by: "none" } }))?.visitorSource).toBe("random");
  });

  it("a sticky header's value past 256 characters is no key: bucketed at random", () => {
    const byHeader = shopService({ sticky: { by: "header:X-User" } });
    const longest = "u".repeat(256);
    expect(decide(byHeader, { headers: { "x-user": longest } })?.visitorKey).toBe(longest);
    const verdict = decide(byHeader, { headers: { "x-user": "u".repeat(100_000) } });
    expect(verdict?.visitorSource).toBe("random");
    expect(verdict?.visitorKey.length).toBeLessThanOrEqual(256);
  });
});

describe("experiments", () => {
  const withExperiment = shopService({
    split: { stable: 100, canary: 0 },
    experiments: [
      {
        name: "checkout",
        when: { path: { prefix: "/checkout" } },
        variants: { control: { weight: 50 }, treatment: { weight: 50, version: "canary" } },
      },
      { name: "banner", variants: { a: { weight: 50 }, b: { weight: 50 } } },
    ],
  });

  it("assigns each matching experiment a sticky variant", () => {
    const cookies = { ks_shop: "visitor-experiment-1" };
    const first = decide(withExperiment, { path: "/checkout", cookies })?.experiments;
    expect(first?.map((e) => e.name)).toEqual(["checkout", "banner"]);
    expect(decide(withExperiment, { path: "/checkout", cookies })?.experiments).toEqual(first);
    expect(
      decide(withExperiment, { path: "/home", cookies })?.experiments.map((e) => e.name),
    ).toEqual(["banner"]);
  });

  it("a variant that pins a version routes its visitors there", () => {
    for (let i = 0; i < 200; i++) {
      const verdict = decide(withExperiment, {
        path: "/checkout",
        cookies: { ks_shop: `visitor-${i}-abcdef` },
      });
      const variant = verdict?.experiments.find((e) => e.name === "checkout")?.variant;
      expect(verdict?.version.name).toBe(variant === "treatment" ? "canary" : "stable");
    }
  });
});

describe("signed overrides", () => {
  const service = shopService({
    split: { stable: 100, canary: 0 },
    rules: [{ name: "all", when: { method: ["GET"] }, route: "stable" }],
  });
  const token = (
    claim: Partial<{ service: string; version: string; expiresAt: number }>,
    secret = SECRET,
  ) =>
    signOverride(secret, { service: "shop", version: "canary", expiresAt: NOW + 60_000, ...claim });

  it("a valid token beats rules and the split", () => {
    const verdict = decide(service, { headers: { "x-keystone-override": token({}) } });
    expect(verdict?.version.name).toBe("canary");
    expect(verdict?.reason.kind).toBe("override");
  });

  it("forged, expired, other-service, unknown-version and plain values are ignored", () => {
    for (const value of [
      token({}, "wrong-secret"),
      token({ expiresAt: NOW - 1 }),
      token({ service: "other" }),
      token({ version: "nope" }),
      "canary",
      `${token({}).slice(0, -2)}xx`,
    ]) {
      expect(decide(service, { headers: { "x-keystone-override": value } })?.version.name).toBe(
        "stable",
      );
    }
  });
});

describe("finding the service", () => {
  const api = shopService({ name: "api", hosts: ["shop.example.com"], pathPrefix: "/api" });
  const site = shopService({ name: "site", hosts: ["shop.example.com"] });
  const wild = shopService({ name: "wild", hosts: ["*.example.com"] });

  it("the longest pathPrefix wins, on a segment boundary", () => {
    expect(decide([site, api], { path: "/api/cart" })?.service.name).toBe("api");
    expect(decide([site, api], { path: "/api" })?.service.name).toBe("api");
    expect(decide([site, api], { path: "/apix" })?.service.name).toBe("site");
  });

  it("an exact host beats a wildcard; a wildcard covers subdomains only", () => {
    expect(decide([site, wild], { host: "shop.example.com" })?.service.name).toBe("site");
    expect(decide([site, wild], { host: "eu.example.com" })?.service.name).toBe("wild");
    expect(decide([site, wild], { host: "a.b.example.com" })?.service.name).toBe("wild");
    expect(decide([wild], { host: "example.com" })).toBeUndefined();
  });

  it("an unknown host gets no verdict, and host matching ignores case and port", () => {
    expect(decide([site], { host: "evil.test" })).toBeUndefined();
    expect(decide([site], { host: "SHOP.example.com:8443" })?.service.name).toBe("site");
  });
});
