// /_keystone/metrics inside workerd: what a Prometheus scrape reads, and counters that only rise.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { statsObjectName } from "../../worker/contracts.ts";
import { parseMetrics, sampleValue, select } from "../support/prometheus-text.ts";
import { RolloutHarness, rolloutService } from "../support/workerd/rollout-harness.ts";

async function scrape() {
  const response = await exports.default.fetch("https://a/_keystone/metrics", {
    headers: { authorization: "Bearer test-read-token" },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4");
  return parseMetrics(await response.text());
}

const requests = (service: string, version: string) => ({ service, version, reason: "split" });

describe("/_keystone/metrics", () => {
  it("needs the read token", async () => {
    expect((await exports.default.fetch("https://a/_keystone/metrics")).status).toBe(401);
    const wrong = await exports.default.fetch("https://a/_keystone/metrics", {
      headers: { authorization: "Bearer nope" },
    });
    expect(wrong.status).toBe(401);
  });

  it("exports requests, errors and latency per version and release, the split, the rollout and its checks", async () => {
    const h = new RolloutHarness("metered");
    await h.apply(
      rolloutService("metered", env.CANARY_ORIGIN, {
        strategy: "canary",
        steps: [{ weight: 50, bake: "5m" }],
        analysis: { minRequests: 1000, maxErrorRatePercent: 5, maxP95Ms: 2000 },
      }),
    );
    await h.command("start");
    const seen = await h.traffic(120);
    await h.tick();
    const m = await scrape();

    for (const version of ["stable", "canary"]) {
      const count = seen.get(version)!;
      expect(count).toBeGreaterThan(0);
      expect(sampleValue(m, "keystone_requests_total", requests("metered", version))).toBe(count);
      expect(sampleValue(m, "keystone_request_errors_total", requests("metered", version))).toBe(0);
      const where = { service: "metered", version };
      expect(sampleValue(m, "keystone_request_duration_seconds_count", where)).toBe(count);
      expect(
        sampleValue(m, "keystone_request_duration_seconds_bucket", { ...where, le: "+Inf" }),
      ).toBe(count);
      const buckets = select(m, "keystone_request_duration_seconds_bucket", where).map(
        (s) => s.value,
      );
      expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
      expect(sampleValue(m, "keystone_request_duration_seconds_sum", where)).toBeGreaterThan(0);
    }
    expect(select(m, "keystone_requests_total", { version: "canary" })[0]?.labels.release).toBe(
      "v2",
    );
    expect(
      sampleValue(m, "keystone_version_weight_percent", { service: "metered", version: "canary" }),
    ).toBe(50);
    expect(
      sampleValue(m, "keystone_version_role", {
        service: "metered",
        version: "canary",
        role: "candidate",
      }),
    ).toBe(1);
    expect(
      sampleValue(m, "keystone_version_role", {
        service: "metered",
        version: "stable",
        role: "baseline",
      }),
    ).toBe(1);
    expect(
      select(m, "keystone_rollout_phase", { service: "metered" }).map((s) => [
        s.labels.phase,
        s.value,
      ]),
    ).toEqual([
      ["progressing", 1],
      ["paused", 0],
      ["promoted", 0],
      ["rolledBack", 0],
      ["aborted", 0],
    ]);
    expect(sampleValue(m, "keystone_rollout_step", { service: "metered" })).toBe(1);
    expect(sampleValue(m, "keystone_rollout_steps", { service: "metered" })).toBe(1);
    const bake = sampleValue(m, "keystone_rollout_bake_remaining_seconds", { service: "metered" });
    expect(bake).toBeGreaterThan(0);
    expect(bake).toBeLessThanOrEqual(300);
    // The tick's window held fewer than minRequests: that check failed with its numbers.
    const check = { service: "metered", check: "minRequests" };
    expect(sampleValue(m, "keystone_analysis_value", check)).toBe(seen.get("canary"));
    expect(sampleValue(m, "keystone_analysis_threshold", check)).toBe(1000);
    expect(sampleValue(m, "keystone_analysis_passed", check)).toBe(0);
    expect(
      sampleValue(m, "keystone_analysis_threshold", { service: "metered", check: "p95" }),
    ).toBe(2);
    expect(
      sampleValue(m, "keystone_analysis_passed", { service: "metered", check: "errorRate" }),
    ).toBe(1);
    expect(
      sampleValue(m, "keystone_deployments_total", { service: "metered", outcome: "promoted" }),
    ).toBe(0);
    expect(sampleValue(m, "keystone_route_table_pending_generations")).toBe(0);
    expect(sampleValue(m, "keystone_route_table_generation")).toBeGreaterThan(0);
  });

  it("counters only rise: across stats pruning, a stats object restart and a new isolate", async () => {
    const h = new RolloutHarness("rising");
    await h.apply({
      ...rolloutService("rising", env.CANARY_ORIGIN, {
        strategy: "canary",
        steps: [{ weight: 50, bake: "5m" }],
      }),
      split: { stable: 100, canary: 0 },
    });
    await h.traffic(40);
    const where = requests("rising", "stable");
    expect(sampleValue(await scrape(), "keystone_requests_total", where)).toBe(40);

    const stats = env.STATS.get(env.STATS.idFromName(statsObjectName("rising", "stable")));
    // Pruning drops the one-second buckets that step windows read; the counters stay.
    await runInDurableObject(stats, (_, state) => {
      state.storage.sql.exec("DELETE FROM route_buckets");
    });
    await evictDurableObject(stats);
    expect(sampleValue(await scrape(), "keystone_requests_total", where)).toBe(40);

    // A fresh data plane stands for a new isolate: its outcomes add to the same counter.
    await new RolloutHarness("rising").traffic(25);
    expect(sampleValue(await scrape(), "keystone_requests_total", where)).toBe(65);
  });

  it("reports each version's health path: 2xx is healthy, a refused connection is failing", async () => {
    const h = new RolloutHarness("probed");
    await h.apply({
      name: "probed",
      hosts: ["probed.test"],
      versions: {
        stable: { origin: env.STABLE_ORIGIN, healthPath: "/health" },
        canary: { origin: env.REFUSED_ORIGIN, healthPath: "/health" },
        spare: { origin: env.STABLE_ORIGIN },
      },
      baseline: "stable",
      split: { stable: 100, canary: 0, spare: 0 },
    });
    const m = await scrape();
    expect(
      sampleValue(m, "keystone_version_healthy", { service: "probed", version: "stable" }),
    ).toBe(1);
    expect(
      sampleValue(m, "keystone_version_healthy", { service: "probed", version: "canary" }),
    ).toBe(0);
    expect(select(m, "keystone_version_healthy", { service: "probed", version: "spare" })).toEqual(
      [],
    );
  });
});
