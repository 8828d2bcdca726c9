// What a valid config file parses to (defaults filled in), and durations.
import { describe, expect, it } from "vitest";
import { shopService } from "../test/support/fixtures.ts";
import { ConfigFile } from "./config-file.ts";
import { parseDuration } from "./duration.ts";
import { problemsOf } from "./problems.ts";
import type { ServiceInput } from "./service.ts";

function problemsOfService(overrides: Partial<ServiceInput> | Record<string, unknown>): string[] {
  const result = ConfigFile.safeParse({
    services: [shopService(overrides as Partial<ServiceInput>)],
  });
  return result.success ? [] : problemsOf(result.error).map((p) => `${p.path}: ${p.message}`);
}

describe("a valid config", () => {
  it("parses with defaults filled in", () => {
    const parsed = ConfigFile.parse({ services: [shopService()] });
    const [service] = parsed.services;
    expect(service?.pathPrefix).toBe("/");
    expect(service?.sticky).toEqual({ by: "cookie", maxAgeSeconds: 2_592_000 });
    expect(service?.versions.stable?.timeoutMs).toBe(30_000);
  });

  it("accepts a full service: rules, an experiment, a rollout policy and notify targets", () => {
    expect(
      problemsOfService({
        hosts: ["shop.example.com", "*.shop.example.com"],
        pathPrefix: "/api",
        versions: {
          stable: { origin: "https://api-v1.internal.example", release: "v1.23.0" },
          canary: {
            origin: "https://api-v2.internal.example",
            release: "v1.24.0",
            healthPath: "/health",
            timeoutMs: 10000,
          },
        },
        sticky: { by: "cookie", cookie: "ks_shop", maxAgeSeconds: 2592000 },
        rules: [
          {
            name: "force-canary",
            when: { header: { name: "x-canary", equals: "always" } },
            route: "canary",
          },
          { name: "beta", when: { cookie: { name: "beta", equals: "1" } }, route: "canary" },
          { name: "eu-half", when: { country: ["DE", "FR"] }, split: { stable: 50, canary: 50 } },
          {
            name: "office",
            when: { any: [{ ip: ["10.0.0.0/8", "2001:db8::/32"] }, { not: { method: ["GET"] } }] },
            route: "stable",
          },
        ],
        experiments: [
          {
            name: "checkout-redesign",
            when: { path: { prefix: "/api/checkout" } },
            variants: { control: { weight: 50 }, treatment: { weight: 50, version: "canary" } },
          },
        ],
        rollout: {
          strategy: "canary",
          candidate: "canary",
          steps: [{ weight: 5, bake: "5m" }, { pause: true }, { weight: 50, bake: "10m" }],
          analysis: {
            minRequests: 100,
            maxErrorRatePercent: 5,
            maxP95Ms: 2000,
            maxErrorRateDeltaPercent: 3,
            maxLatencyRatio: 1.5,
            failureLimit: 1,
          },
          onFailure: "rollback",
        },
        notify: [
          {
            url: "https://hooks.example.com/keystone",
            events: ["rollout.rolledBack", "rollout.promoted"],
          },
        ],
      }),
    ).toEqual([]);
  });
});

describe("durations", () => {
  it("parse units and combinations", () => {
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("5")).toBeUndefined();
    expect(parseDuration("")).toBeUndefined();
  });
});
