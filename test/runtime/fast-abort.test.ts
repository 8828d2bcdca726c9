// The fast abort path: after a rollback or abort, an isolate whose route table is still stale
// stops sending traffic to the candidate as soon as its next metrics flush is answered.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RolloutHarness, rolloutService } from "../support/workerd/rollout-harness.ts";
import { flushRegistry, readHead } from "../support/workerd/route-kv.ts";

describe("fast abort", () => {
  it("a stale isolate stops routing to an aborted canary after one flush, before the new table arrives", async () => {
    const h = new RolloutHarness("fast");
    await h.apply(
      rolloutService("fast", env.CANARY_ORIGIN, {
        strategy: "canary",
        steps: [{ weight: 50, bake: "10m" }],
      }),
    );
    await h.command("start");
    expect((await h.traffic(60)).get("canary")).toBeGreaterThan(10);
    const staleGeneration = h.plane.counters().tableGeneration;

    // Abort through the API without refreshing this isolate's table: it keeps the 50% split.
    expect((await h.api("POST", "/services/fast/rollout/abort", {})).status).toBe(200);
    await flushRegistry();
    const published = await readHead();
    expect(published.generation).toBeGreaterThan(staleGeneration!);

    const beforeFlush = await h.traffic(60); // still the stale split; its flush learns of the halt
    expect(beforeFlush.get("canary")).toBeGreaterThan(10);
    expect(h.plane.counters().haltedVersions).toEqual(["fast/canary"]);
    expect(await h.traffic(60)).toEqual(new Map([["stable", 60]]));
    expect(h.plane.counters().tableGeneration).toBe(staleGeneration);

    // The new table clears the halt; a new rollout resumes the candidate's stats object.
    await h.command("start");
    expect(h.plane.counters().haltedVersions).toEqual(["fast/canary"]);
    expect((await h.traffic(60)).get("canary")).toBeGreaterThan(10);
    expect(h.plane.counters().haltedVersions).toEqual([]);
  });
});

describe("isolate counters", () => {
  it("report this isolate's requests, KV reads and stats calls", async () => {
    const h = new RolloutHarness("counters");
    await h.apply(
      rolloutService("counters", env.CANARY_ORIGIN, {
        strategy: "canary",
        steps: [{ weight: 50, bake: "10m" }],
      }),
    );
    for (let i = 0; i < 5; i++)
      await (await exports.default.fetch("https://counters.test/")).arrayBuffer();
    const response = await exports.default.fetch("https://a/_keystone/v1/isolate", {
      headers: { authorization: "Bearer test-read-token" },
    });
    const counters = (await response.json()) as {
      requestsServed: number;
      routeTableReads: number;
      statsFlushCalls: number;
    };
    expect(counters.requestsServed).toBeGreaterThanOrEqual(5);
    expect(counters.routeTableReads).toBeGreaterThanOrEqual(1);
    expect(counters.routeTableReads).toBeLessThan(counters.requestsServed);
  });
});
