// The stats objects count what clients saw: every request and every error, exactly.
import { createExecutionContext, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { StatsStore } from "../../worker/control-plane/stats/stats-store.ts";
import { RolloutHarness, rolloutService } from "../support/workerd/rollout-harness.ts";

const steps = [
  { weight: 20, bake: "2m" },
  { weight: 50, bake: "2m" },
];
const analysis = { minRequests: 40, maxErrorRatePercent: 5, failureLimit: 0 };

describe("stats", () => {
  it("counts requests and errors exactly as clients saw them", async () => {
    const h = new RolloutHarness("counted");
    await h.apply({
      ...rolloutService("counted", env.FAULTY_ORIGIN, { strategy: "canary", steps, analysis }),
      split: { stable: 0, canary: 100 },
    });
    const start = h.now();
    let failed = 0;
    for (let i = 0; i < 250; i++) {
      const response = await h.plane.fetch(
        new Request("https://counted.test/"),
        createExecutionContext(),
      );
      await response.arrayBuffer();
      if (response.status === 500) failed++;
    }
    await h.plane.flushOutcomes();
    const stats = await env.STATS.get(env.STATS.idFromName("counted/canary")).window({
      from: start,
      to: h.now(),
    });
    expect(stats.requests).toBe(250);
    expect(failed).toBe(25);
    expect(stats.errors).toBe(failed);
  });
});

describe("series", () => {
  it("gives in one call the same figures as one window per minute", async () => {
    const h = new RolloutHarness("charted");
    await h.apply({
      ...rolloutService("charted", env.CANARY_ORIGIN, { strategy: "canary", steps, analysis }),
      split: { stable: 0, canary: 100 },
    });
    const from = h.now() - (h.now() % 1000);
    for (let minute = 0; minute < 3; minute++) {
      await h.traffic(10 * (minute + 1));
      h.advance(60_000);
    }
    const stats = env.STATS.get(env.STATS.idFromName("charted/canary"));
    const to = from + 3 * 60_000 - 1000;
    const series = await stats.series({ from, to, stepMs: 60_000 });
    const windows = await Promise.all(
      [0, 1, 2].map((i) =>
        stats.window({ from: from + i * 60_000, to: from + i * 60_000 + 59_000 }),
      ),
    );
    expect(series.map((p) => p.requests)).toEqual([10, 20, 30]);
    expect(series.map((p) => p.requests)).toEqual(windows.map((w) => w.requests));
    expect(series.map((p) => p.p95)).toEqual(windows.map((w) => w.p95));
  });

  it("tables from before client faults were counted apart gain the column and keep their figures", async () => {
    const stats = env.STATS.get(env.STATS.idFromName("pre-client-faults/stable"));
    await runInDurableObject(stats, (_, state) => {
      const sql = state.storage.sql;
      sql.exec("DROP TABLE route_buckets");
      sql.exec("DROP TABLE route_totals");
      sql.exec(
        "CREATE TABLE route_buckets (start INTEGER NOT NULL, route TEXT NOT NULL, requests INTEGER NOT NULL, errors INTEGER NOT NULL, no_answer INTEGER NOT NULL, histogram TEXT NOT NULL, PRIMARY KEY (start, route))",
      );
      sql.exec(
        "CREATE TABLE route_totals (route TEXT PRIMARY KEY, requests INTEGER NOT NULL, errors INTEGER NOT NULL, no_answer INTEGER NOT NULL, histogram TEXT NOT NULL)",
      );
      sql.exec("INSERT INTO route_buckets VALUES (1000, 'split', 7, 1, 0, '{}')");
      sql.exec("INSERT INTO route_totals VALUES ('split', 7, 1, 0, '{}')");
      const store = new StatsStore(sql);
      expect(store.totals()).toEqual([
        { route: "split", requests: 7, errors: 1, noAnswer: 0, clientFaults: 0, histogram: {} },
      ]);
      store.addBatch({
        service: "pre-client-faults",
        version: "stable",
        route: "split",
        bucketStart: 1000,
        requests: 1,
        errors: 0,
        noAnswer: 0,
        clientFaults: 2,
        histogram: {},
      });
      expect(store.buckets(0, 2000)[0]).toMatchObject({ requests: 8, clientFaults: 2 });
    });
  });
});
