// What a compiled service keeps: what the request path reads, not the decoded config. An isolate
// holds every service its hosts need, 10,000 in the scale benchmark (docs/scale.md): the config
// kept beside its compiled form, or one error predicate per service, cost it megabytes.
import { describe, expect, it } from "vitest";
import { ConfigFile } from "../../schemas/config-file.ts";
import type { ServiceInput } from "../../schemas/service.ts";
import { offlineService } from "../../schemas/service-spec.ts";
import { shopService } from "../../test/support/fixtures.ts";
import { compileService } from "./compile.ts";
import { DEFAULT_MAX_REQUESTS_PER_VISITOR } from "./metrics/visitor-limit.ts";

function compiled(input: ServiceInput) {
  return compileService(offlineService(ConfigFile.parse({ services: [input] }).services[0]!));
}

const canary = (analysis: Record<string, number> = {}) => ({
  strategy: "canary",
  steps: [{ weight: 10, bake: "5m" }],
  analysis: { minRequests: 10, ...analysis },
});

describe("a compiled service", () => {
  it("keeps its hosts and path prefix for the host index, and no config", () => {
    const service = compiled(
      shopService({ hosts: ["a.example.com", "b.example.com"], pathPrefix: "/api" }),
    );
    expect(service.hosts).toEqual(["a.example.com", "b.example.com"]);
    expect(service.pathPrefix).toBe("/api");
    expect(Object.keys(service)).not.toContain("config");
  });

  it("bounds analysed requests per visitor only under a rollout policy, at its limit or the default", () => {
    expect(compiled(shopService()).visitorLimit).toBeUndefined();
    expect(compiled(shopService({ rollout: canary() } as Partial<ServiceInput>)).visitorLimit).toBe(
      DEFAULT_MAX_REQUESTS_PER_VISITOR,
    );
    expect(
      compiled(
        shopService({ rollout: canary({ maxRequestsPerVisitor: 3 }) } as Partial<ServiceInput>),
      ).visitorLimit,
    ).toBe(3);
  });

  it("shares one error predicate among services with the same errorStatuses", () => {
    const a = compiled(shopService({ name: "a" }));
    const b = compiled(shopService({ name: "b" }));
    expect(a.isError).toBe(b.isError);
    const own = compiled(shopService({ name: "c", errorStatuses: ["5xx", "429"] }));
    expect(own.isError).not.toBe(a.isError);
    expect([own.isError(429), own.isError(503), own.isError(404)]).toEqual([true, true, false]);
    expect([a.isError(429), a.isError(503)]).toEqual([false, true]);
    expect(compiled(shopService({ name: "d", errorStatuses: ["5xx", "429"] })).isError).toBe(
      own.isError,
    );
  });
});
