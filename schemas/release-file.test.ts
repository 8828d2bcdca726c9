// A release file's shape and cross checks: every problem at once, each at its path.
import { describe, expect, it } from "vitest";
import { problemsOf } from "./problems.ts";
import { ReleaseFile } from "./release-file.ts";

function problems(input: unknown) {
  const parsed = ReleaseFile.safeParse(input);
  return parsed.success ? [] : problemsOf(parsed.error);
}

describe("a release file", () => {
  it("accepts services with a start condition on another service", () => {
    expect(
      problems({
        name: "checkout-42",
        services: [
          {
            service: "api",
            origin: "https://api-v2.example.com",
            release: "v2",
            strategy: "canary",
          },
          { service: "web", after: { service: "api", reached: 2 } },
          { service: "worker", after: { service: "web", passed: true } },
        ],
      }),
    ).toEqual([]);
  });

  it("names a service listed twice, a condition on an unknown service, and one on itself", () => {
    expect(
      problems({
        name: "checkout",
        services: [
          { service: "api" },
          { service: "api" },
          { service: "web", after: { service: "apx", passed: true } },
          { service: "worker", after: { service: "worker", reached: 1 } },
        ],
      }),
    ).toEqual([
      { path: "services[1].service", message: 'duplicate service "api" (also at services[0])' },
      {
        path: "services[2].after.service",
        message:
          'unknown service "apx": did you mean "api"? (services: api, api, web, worker) of this release',
      },
      {
        path: "services[3].after.service",
        message: '"worker" cannot wait for itself: name another service',
      },
    ]);
  });

  it("refuses conditions that wait in a circle (nothing would start), once", () => {
    expect(
      problems({
        name: "checkout",
        services: [
          { service: "api", after: { service: "worker", passed: true } },
          { service: "web", after: { service: "api", reached: 1 } },
          { service: "worker", after: { service: "web", reached: 1 } },
        ],
      }),
    ).toEqual([
      {
        path: "services[0].after.service",
        message:
          "the start conditions wait in a circle (api → worker → web → api): none of them would ever start",
      },
    ]);
  });

  it("a condition has exactly one of reached and passed; steps count from 1; bad values are named", () => {
    expect(
      problems({
        name: "Checkout",
        services: [
          { service: "api", origin: "ftp://x", release: "v2\n" },
          { service: "web", after: { service: "api" } },
          { service: "worker", after: { service: "api", reached: 0, passed: true } },
          { service: "jobs", after: { service: "api", promoted: true } },
        ],
      }).map((p) => p.path),
    ).toEqual([
      "name",
      "services[0].origin",
      "services[0].release",
      "services[1].after",
      "services[2].after.reached",
      "services[2].after",
      "services[3].after.promoted",
      "services[3].after",
    ]);
  });
});
