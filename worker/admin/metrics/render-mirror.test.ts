import { describe, expect, it } from "vitest";
import { MetricsSnapshot } from "../../../schemas/metrics.ts";
import { parseMetrics, sampleValue, select } from "../../../test/support/prometheus-text.ts";
import { latencySeconds } from "./convert.ts";
import { renderMetrics } from "./render.ts";

const version = (
  name: string,
  mirror: MetricsSnapshot["services"][0]["versions"][0]["mirror"],
) => ({
  name,
  release: null,
  role: "other" as const,
  weightPercent: 50,
  traffic: [],
  latency: latencySeconds({}),
  health: "unchecked" as const,
  mirror,
});

describe("shadow traffic in /_keystone/metrics", () => {
  it("counts the mirrored version's comparisons by result; versions nobody mirrors to have none", () => {
    const snapshot = MetricsSnapshot.parse({
      services: [
        {
          name: "shop",
          versions: [
            version("stable", null),
            version("canary", { compared: 120, mismatched: 7, failed: 3 }),
          ],
          deployments: { promoted: 0, rolledBack: 0, aborted: 0 },
          rollout: null,
        },
      ],
      routeTable: null,
    });
    const samples = parseMetrics(renderMetrics(snapshot));
    const mirrored = select(samples, "keystone_mirror_responses_total");
    expect(mirrored.map((s) => [s.labels.version, s.labels.result, s.value])).toEqual([
      ["canary", "match", 113],
      ["canary", "mismatch", 7],
      ["canary", "failed", 3],
    ]);
    expect(sampleValue(samples, "keystone_mirror_responses_total", { result: "mismatch" })).toBe(7);
  });
});
