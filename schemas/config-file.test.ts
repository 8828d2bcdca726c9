import { describe, expect, it } from "vitest";
import { shopService } from "../test/support/fixtures.ts";
import { ConfigFile } from "./config-file.ts";
import { problemsOf } from "./problems.ts";
import type { ServiceInput } from "./service.ts";

function problems(services: unknown[]): string[] {
  const result = ConfigFile.safeParse({ services });
  return result.success ? [] : problemsOf(result.error).map((p) => `${p.path}: ${p.message}`);
}

function problemsOfService(overrides: Partial<ServiceInput> | Record<string, unknown>): string[] {
  return problems([shopService(overrides as Partial<ServiceInput>)]);
}

describe("every invalid config names the path of each problem", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["an unknown field", { colour: "blue" }, `services[0].colour: unknown field "colour"`],
    [
      "an unknown field deep in a rule",
      {
        rules: [
          { name: "r", when: { header: { name: "x", equals: "1", foo: 1 } }, route: "canary" },
        ],
      },
      `services[0].rules[0].when.header.foo: unknown field "foo"`,
    ],
    [
      "weights that do not sum to 100",
      { split: { stable: 95, canary: 10 } },
      "services[0].split: weights sum to 105, must be 100",
    ],
    [
      "a weight above 100",
      { split: { stable: 101, canary: -1 } },
      "services[0].split.stable: a percent is at most 100",
    ],
    [
      "a split naming an unknown version",
      { split: { stable: 95, beta: 5 } },
      'services[0].split.beta: unknown version "beta"',
    ],
    ["an unknown baseline", { baseline: "prod" }, 'services[0].baseline: unknown version "prod"'],
    [
      "a rule routing to an unknown version",
      { rules: [{ name: "r", when: { method: ["GET"] }, route: "nope" }] },
      'services[0].rules[0].route: unknown version "nope"',
    ],
    [
      "a rule split naming an unknown version",
      { rules: [{ name: "r", when: { method: ["GET"] }, split: { stable: 50, nope: 50 } }] },
      'services[0].rules[0].split.nope: unknown version "nope"',
    ],
    [
      "a rule with both route and split",
      {
        rules: [{ name: "r", when: { method: ["GET"] }, route: "canary", split: { stable: 100 } }],
      },
      "services[0].rules[0]: a rule needs either route or split",
    ],
    [
      "a rule with neither route nor split",
      { rules: [{ name: "r", when: { method: ["GET"] } }] },
      "services[0].rules[0]: a rule needs either route or split",
    ],
    [
      "a duplicate rule name",
      {
        rules: [
          { name: "r", when: { method: ["GET"] }, route: "canary" },
          { name: "r", when: { method: ["PUT"] }, route: "canary" },
        ],
      },
      'services[0].rules[1].name: duplicate rule "r"',
    ],
    [
      "a regex that does not compile",
      { rules: [{ name: "r", when: { header: { name: "x", regex: "(" } }, route: "canary" }] },
      "services[0].rules[0].when.header.regex: regex does not compile",
    ],
    [
      "a regex that is too long",
      { rules: [{ name: "r", when: { path: { regex: "a".repeat(300) } }, route: "canary" }] },
      "services[0].rules[0].when.path.regex: regex longer than 256 characters",
    ],
    [
      "a match with two operators",
      {
        rules: [
          {
            name: "r",
            when: { cookie: { name: "b", equals: "1", present: true } },
            route: "canary",
          },
        ],
      },
      "services[0].rules[0].when.cookie: has equals and present: use exactly one operator",
    ],
    [
      "a match with no operator",
      { rules: [{ name: "r", when: { query: { name: "q" } }, route: "canary" }] },
      "services[0].rules[0].when.query: needs one of equals, in, regex, present",
    ],
    [
      "an empty condition",
      { rules: [{ name: "r", when: {}, route: "canary" }] },
      "services[0].rules[0].when: needs at least one of",
    ],
    [
      "a bad CIDR inside any/not",
      {
        rules: [{ name: "r", when: { any: [{ not: { ip: ["10.0.0.0/33"] } }] }, route: "canary" }],
      },
      "services[0].rules[0].when.any[0].not.ip[0]: not an IPv4 or IPv6 CIDR",
    ],
    [
      "a bad duration",
      { rollout: { strategy: "canary", steps: [{ weight: 5, bake: "5 minutes" }] } },
      'services[0].rollout.steps[0].bake: not a duration: use a number and a unit, like "30s", "5m", "1h"',
    ],
    [
      "a canary rollout without steps",
      { rollout: { strategy: "canary" } },
      "services[0].rollout.steps: a canary rollout needs steps",
    ],
    [
      "a linear rollout without a bake",
      { rollout: { strategy: "linear", stepPercent: 10 } },
      "services[0].rollout.bake: a linear rollout needs bake",
    ],
    [
      "a candidate that is the baseline",
      { rollout: { strategy: "canary", candidate: "stable", steps: [{ weight: 5, bake: "1m" }] } },
      "services[0].rollout.candidate: the candidate cannot be the baseline",
    ],
    [
      "blueGreen without blue and green",
      { rollout: { strategy: "blueGreen" } },
      'services[0].versions: a blueGreen rollout needs a version named "blue"',
    ],
    [
      "an experiment whose weights do not sum to 100",
      { experiments: [{ name: "e", variants: { a: { weight: 50 }, b: { weight: 40 } } }] },
      "services[0].experiments[0].variants: weights sum to 90, must be 100",
    ],
    [
      "an experiment pinning an unknown version",
      { experiments: [{ name: "e", variants: { a: { weight: 100, version: "nope" } } }] },
      'services[0].experiments[0].variants.a.version: unknown version "nope"',
    ],
    [
      "a host with a port",
      { hosts: ["shop.example.com:8080"] },
      "services[0].hosts[0]: not a host name",
    ],
    [
      "a service name with capitals",
      { name: "Shop" },
      "services[0].name: use lowercase letters, digits and dashes",
    ],
    [
      "a non-http origin",
      { versions: { stable: { origin: "ftp://x" }, canary: { origin: "http://c" } } },
      "services[0].versions.stable.origin: not an http(s) URL",
    ],
    [
      "a pathPrefix without a slash",
      { pathPrefix: "api" },
      "services[0].pathPrefix: starts with /",
    ],
    [
      "a bad sticky mode",
      { sticky: { by: "session" } },
      "services[0].sticky.by: use cookie, header:<name>, ip or none",
    ],
    [
      "an origin on one of the service's own hosts (a loop through the Worker)",
      {
        versions: {
          stable: { origin: "https://SHOP.example.com/v1" },
          canary: { origin: "http://c" },
        },
      },
      "services[0].versions.stable.origin: origin host shop.example.com is one of this service's own hosts",
    ],
  ];

  for (const [what, overrides, expected] of cases) {
    it(`reports ${what}`, () => {
      const found = problemsOfService(overrides);
      expect(
        found.some((line) => line.startsWith(expected)),
        `got:\n${found.join("\n")}`,
      ).toBe(true);
    });
  }

  it("a weight with three decimals is refused alone, without a sum of rounded weights beside it", () => {
    const found = problemsOfService({ split: { stable: 50.005, canary: 49.995 } });
    expect(found).toEqual([
      "services[0].split.stable: a percent has at most two decimals",
      "services[0].split.canary: a percent has at most two decimals",
    ]);
  });

  it("reports a duplicate service name and a host+prefix served twice", () => {
    const found = problems([
      shopService(),
      shopService({ versions: { a: { origin: "http://a" } }, baseline: "a", split: { a: 100 } }),
    ]);
    expect(found).toContain('services[1].name: duplicate service "shop" (also at services[0])');
    expect(found).toContain(
      "services[1].hosts[0]: host shop.example.com with pathPrefix / is already served by services[0] (shop)",
    );
  });

  it("allows loopback origins on a loopback host: locally the Worker and origins differ by port", () => {
    expect(
      problemsOfService({
        hosts: ["127.0.0.1", "localhost"],
        versions: {
          stable: { origin: "http://127.0.0.1:9001" },
          canary: { origin: "http://localhost:9002" },
        },
      }),
    ).toEqual([]);
  });

  it("allows the same host under different path prefixes", () => {
    expect(
      problems([shopService(), shopService({ name: "shop-api", pathPrefix: "/api" })]),
    ).toEqual([]);
  });

  it("reports every problem at once", () => {
    const found = problemsOfService({
      split: { stable: 90, canary: 5 },
      baseline: "prod",
      colour: 1,
    });
    expect(found).toHaveLength(3);
  });
});
