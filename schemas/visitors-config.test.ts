// The config fields of consistent visitors: affinity, groups, regional waves, ramped rollback.
import { describe, expect, it } from "vitest";
import { shopService } from "../test/support/fixtures.ts";
import { ConfigFile } from "./config-file.ts";
import { problemsOf } from "./problems.ts";

function problems(overrides: Record<string, unknown>): string[] {
  const result = ConfigFile.safeParse({ services: [shopService(overrides)] });
  return result.success ? [] : problemsOf(result.error).map((p) => `${p.path}: ${p.message}`);
}

const canary = (
  steps: unknown[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  rollout: { strategy: "canary", steps, ...extra },
});

describe("consistent-visitor fields", () => {
  it("accepts each new field in the form the docs show", () => {
    expect(
      problems({
        sticky: { by: "cookie", affinity: { maxAgeSeconds: 1800 }, group: "checkout" },
        ...canary(
          [
            { weight: 20, bake: "10m", where: { country: ["nz", "AU"], continent: ["OC"] } },
            { weight: 50, bake: "10m" },
          ],
          { onFailure: { action: "rollback", ramp: "2m" } },
        ),
      }),
    ).toEqual([]);
    const parsed = ConfigFile.parse({
      services: [
        {
          ...shopService({ sticky: { affinity: {} } }),
          ...canary([{ weight: 5, bake: "1m", where: { country: ["nz"] } }]),
        },
      ],
    });
    expect(parsed.services[0]?.sticky.affinity).toEqual({ maxAgeSeconds: 3600 });
    expect(parsed.services[0]?.rollout?.steps?.[0]?.where).toEqual({ country: ["NZ"] });
    expect(parsed.services[0]?.rollout?.onFailure).toBe("rollback");
  });

  it("names the path of every problem, in the form the value was meant as", () => {
    expect(
      problems({
        sticky: { affinity: { maxAgeSeconds: 999_999 }, group: "Check Out" },
        ...canary(
          [
            { weight: 20, bake: "1m", where: {} },
            { weight: 30, bake: "1m", where: { country: ["NZL"], colo: ["X"], continent: ["XX"] } },
            { pause: true, where: { country: ["NZ"] } },
          ],
          { onFailure: { action: "pause", ramp: "2m" } },
        ),
      }),
    ).toEqual([
      "services[0].sticky.affinity.maxAgeSeconds: must be at most 604800",
      "services[0].sticky.group: use lowercase letters, digits and dashes ([a-z0-9-])",
      "services[0].rollout.steps[0].where: needs at least one of country, colo, continent",
      "services[0].rollout.steps[1].where.country[0]: country codes have two letters",
      "services[0].rollout.steps[1].where.colo[0]: colo codes have three letters",
      "services[0].rollout.steps[1].where.continent[0]: not allowed: use one of AF, AN, AS, EU, NA, OC, SA",
      "services[0].rollout.steps[2].where: a pause step keeps the place of the step before it: put where on a weight step",
      "services[0].rollout.onFailure.ramp: only a rollback can ramp",
    ]);
    expect(
      problems(canary([{ weight: 5, bake: "1m" }], { onFailure: { action: "rolback" } })),
    ).toEqual(["services[0].rollout.onFailure.action: not allowed: use one of rollback, pause"]);
    expect(
      problems(
        canary([{ weight: 5, bake: "1m" }], { onFailure: { action: "rollback", ramp: "2h" } }),
      ),
    ).toEqual(["services[0].rollout.onFailure.ramp: at most 1h"]);
  });
});
