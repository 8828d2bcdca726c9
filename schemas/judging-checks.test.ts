import { describe, expect, it } from "vitest";
import { shopService } from "../test/support/fixtures.ts";
import { ConfigFile } from "./config-file.ts";
import { problemsOf } from "./problems.ts";

function problems(rollout: Record<string, unknown>, extra: Record<string, unknown> = {}): string[] {
  const service = shopService({
    rollout: { strategy: "canary", steps: [{ weight: 10, bake: "5m" }], ...rollout },
    ...extra,
  } as never);
  const result = ConfigFile.safeParse({ services: [service] });
  return result.success ? [] : problemsOf(result.error).map((p) => `${p.path}: ${p.message}`);
}

describe("how a rollout is judged, checked with the config", () => {
  it("accepts the statistical judge with its settings, absolute limits beside it, and a deadline", () => {
    expect(
      problems(
        {
          analysis: {
            judge: "statistical",
            confidencePercent: 99.5,
            minErrorRateIncreasePercent: 1,
            maxLatencyRatio: 1.3,
            maxP95Ms: 2000,
            maxMirrorMismatchPercent: 2,
          },
          progressDeadline: "30m",
          onDeadline: "notify",
        },
        { mirror: { version: "canary", percent: 10 } },
      ),
    ).toEqual([]);
  });

  it("names each problem with its path", () => {
    expect(
      problems({
        analysis: { judge: "statistical", minRequests: 5, maxLatencyRatio: 0.9 },
        onDeadline: "abort",
      }),
    ).toEqual([
      "services[0].rollout.analysis.minRequests: the statistical judge needs at least 10 requests per version",
      "services[0].rollout.analysis.maxLatencyRatio: with judge: statistical this is a median ratio: below 1 fails a healthy candidate",
      "services[0].rollout.onDeadline: onDeadline needs a progressDeadline (such as 30m)",
    ]);
    expect(problems({ analysis: { confidencePercent: 99 } })).toEqual([
      "services[0].rollout.analysis.confidencePercent: confidencePercent is read by the statistical judge only: add judge: statistical, or remove it",
    ]);
    expect(problems({ analysis: { judge: "bayes", confidencePercent: 100 } })).toEqual([
      "services[0].rollout.analysis.judge: not allowed: use one of threshold, statistical",
      "services[0].rollout.analysis.confidencePercent: a confidence above 99.99 % never decides",
    ]);
    expect(problems({ analysis: { maxMirrorMismatchPercent: 1 } })).toEqual([
      "services[0].rollout.analysis.maxMirrorMismatchPercent: needs a mirror: whose version is the rollout's candidate",
    ]);
    expect(
      problems({}, { mirror: { version: "canry", percent: 0, methods: ["get", "P0ST"] } }),
    ).toEqual([
      "services[0].mirror.percent: a mirror percent must be above 0",
      "services[0].mirror.methods[1]: not an HTTP method",
      'services[0].mirror.version: unknown version "canry": did you mean "canary"? (versions: stable, canary)',
    ]);
    expect(problems({ progressDeadline: "soon", onDeadline: "panic" })).toEqual([
      'services[0].rollout.progressDeadline: not a duration: use a number and a unit, like "30s", "5m", "1h"',
      "services[0].rollout.onDeadline: not allowed: use one of abort, notify",
    ]);
  });
});
