// Fault suite, items 2 and 7: outcomes keep the route that chose their version, so forced traffic
// can be left out of analysis; and no outcome is lost without a number saying so.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DataPlane } from "../../worker/data-plane/handler.ts";
import {
  entryOf,
  Fault,
  faultyStats,
  publishRaw,
  send,
  serviceOn,
} from "../support/workerd/faults.ts";
import {
  blueGreenService,
  MINUTE,
  RolloutHarness,
  rolloutService,
} from "../support/workerd/rollout-harness.ts";

const statsOf = (name: string) => env.STATS.get(env.STATS.idFromName(name));

afterEach(() => vi.restoreAllMocks());

describe("item 2: analysis integrity", () => {
  it("forced-traffic outcomes are left out of a window that asks only for split routes", async () => {
    const config = serviceOn("poisoned", "poisoned.test", { split: { stable: 50, canary: 50 } });
    await publishRaw([entryOf(config)]);
    const plane = new DataPlane(env);
    const from = Date.now();
    let splitToCanary = 0;
    for (let i = 0; i < 40; i++) {
      const response = await send(plane, "https://poisoned.test/");
      if (response.headers.get("x-keystone-version") === "canary") splitToCanary++;
    }
    // An anonymous client loops on a public rule that forces the candidate, on a failing path.
    for (let i = 0; i < 30; i++)
      await send(plane, "https://poisoned.test/status/500", { headers: { "x-canary": "always" } });
    await plane.flushOutcomes();

    const canary = statsOf("poisoned/canary");
    const to = Date.now();
    const analysed = await canary.window({ from, to, routes: ["split", "experiment"] });
    expect(analysed.requests).toBe(splitToCanary);
    expect(analysed.errors).toBe(0);
    const everything = await canary.window({ from, to });
    expect(everything.requests).toBe(splitToCanary + 30);
    expect(everything.errors).toBe(30);
    const totals = await canary.totals();
    expect(totals.find((t) => t.route === "rule:force-canary")).toMatchObject({
      requests: 30,
      errors: 30,
    });
  });
});

describe("item 7: outcomes are never silently lost", () => {
  it("a quiet isolate flushes its last batch by a deadline, without a next request", async () => {
    await publishRaw([entryOf(serviceOn("quiet", "quiet.test"))]);
    const plane = new DataPlane(env, { flush: { maxRequests: 1_000, maxAgeMs: 50 } });
    const from = Date.now();
    await send(plane, "https://quiet.test/"); // waits for the request's waitUntil work
    const window = await statsOf("quiet/stable").window({ from, to: Date.now() });
    expect(window.requests).toBe(1);
    expect(plane.counters().statsFlushCalls).toBe(1);
  });

  it("a flush whose answer is lost is retried with its id and counted once", async () => {
    await publishRaw([entryOf(serviceOn("retried", "retried.test"))]);
    const fault = new Fault();
    const plane = new DataPlane(env, {
      stats: faultyStats(fault, "after"),
      flush: { maxRequests: 1_000, maxAgeMs: 3_600_000 },
      flushDeadline: false,
    });
    const from = Date.now();
    for (let i = 0; i < 7; i++) await send(plane, "https://retried.test/");
    fault.on = true;
    await plane.flushOutcomes();
    expect(fault.passed).toBe(2); // the first try reached the object, and so did the retry
    const window = await statsOf("retried/stable").window({ from, to: Date.now() });
    expect(window.requests).toBe(7);
    expect(plane.counters().droppedOutcomes).toBe(0);
  });

  it("the stats object failing during a flush: routing goes on, the dropped outcomes are counted", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    await publishRaw([entryOf(serviceOn("unmetered", "unmetered.test"))]);
    const fault = new Fault();
    fault.on = true;
    const plane = new DataPlane(env, {
      stats: faultyStats(fault),
      flush: { maxRequests: 1_000, maxAgeMs: 3_600_000 },
      flushDeadline: false,
    });
    const statuses = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await send(plane, "https://unmetered.test/")).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    await plane.flushOutcomes();
    expect(plane.counters()).toMatchObject({ droppedOutcomes: 5, droppedOutcomeBatches: 1 });
    expect((await send(plane, "https://unmetered.test/")).status).toBe(200);
  });
});

describe("item 2: forced traffic through real rollout ticks", () => {
  const policy = {
    strategy: "canary",
    steps: [
      { weight: 20, bake: "1m" },
      { weight: 50, bake: "1m" },
    ],
    analysis: { minRequests: 20, maxErrorRatePercent: 5, failureLimit: 0 },
  };
  const forceRule = {
    name: "force-canary",
    when: { header: { name: "x-canary", equals: "always" } },
    route: "canary",
  };

  /** `count` requests through the harness's data plane, as one visitor each, then a flush. */
  async function sendTo(h: RolloutHarness, path: string, count: number, forced: boolean) {
    for (let i = 0; i < count; i++) {
      const ctx = createExecutionContext();
      const response = await h.plane.fetch(
        new Request(`https://${h.service}.test${path}`, {
          headers: {
            cookie: `ks_${h.service}=visitor-${path.length}-${i}-${forced}`,
            ...(forced ? { "x-canary": "always" } : {}),
          },
        }),
        ctx,
      );
      await response.arrayBuffer();
      await waitOnExecutionContext(ctx);
    }
    await h.plane.flushOutcomes();
  }

  it("a loop of forced requests to a failing path cannot roll back a healthy canary", async () => {
    const h = new RolloutHarness("poison");
    await h.apply(rolloutService("poison", env.CANARY_ORIGIN, policy, { rules: [forceRule] }));
    await h.command("start");
    await sendTo(h, "/", 300, false); // about 60 reach the canary through the split, all healthy
    await sendTo(h, "/status/500", 100, true); // an anonymous client forcing the canary to fail
    h.advance(2 * MINUTE);
    await h.tick();
    const state = await h.state();
    expect(state.phase).toBe("progressing");
    expect(state.stepIndex).toBe(1);
  }, 60_000);

  it("a flood of forced healthy requests cannot dilute a failing canary's errors", async () => {
    const h = new RolloutHarness("dilute");
    await h.apply(rolloutService("dilute", env.CANARY_ORIGIN, policy, { rules: [forceRule] }));
    await h.command("start");
    await sendTo(h, "/status/500", 300, false); // the canary fails what the split sends it
    await sendTo(h, "/", 1500, true); // forced healthy requests that would dilute it below 5 %
    h.advance(2 * MINUTE);
    await h.tick();
    expect((await h.state()).phase).toBe("rolledBack");
  }, 60_000);
});

describe("issue 20: a public preview rule cannot decide blue/green's first check", () => {
  /** Blue/green with a preview rule anyone can match (a header), green reachable only through it. */
  const blueGreen = (name: string, countRules?: string[]) =>
    blueGreenService(name, {
      bake: "1m",
      analysis: {
        minRequests: 10,
        maxErrorRatePercent: 5,
        failureLimit: 0,
        ...(countRules ? { countRules } : {}),
      },
    });

  it("an anonymous client's healthy previews do not switch the public to green", async () => {
    const h = new RolloutHarness("bg-pass");
    await h.apply(blueGreen("bg-pass"));
    await h.command("start");
    await h.traffic(50, { "x-preview": "1" }); // anyone can send the preview header
    h.advance(2 * MINUTE);
    await h.tick();
    const state = await h.state();
    expect(state).toMatchObject({ phase: "progressing", stepIndex: 0, weight: 0 });
    expect(state.lastVerdict?.outcome).toBe("inconclusive");
    expect(await h.traffic(20)).toEqual(new Map([["blue", 20]]));
  }, 60_000);

  it("an anonymous client's failing previews do not roll green back", async () => {
    const h = new RolloutHarness("bg-fail");
    await h.apply(blueGreen("bg-fail"));
    await h.command("start");
    await h.traffic(50, { "x-preview": "1" }, "/status/500");
    h.advance(2 * MINUTE);
    await h.tick();
    expect(await h.state()).toMatchObject({ phase: "progressing", stepIndex: 0 });
  }, 60_000);

  it("a preview rule the operator names in analysis.countRules is counted", async () => {
    const h = new RolloutHarness("bg-named");
    await h.apply(blueGreen("bg-named", ["preview"]));
    await h.command("start");
    await h.traffic(50, { "x-preview": "1" });
    h.advance(2 * MINUTE);
    await h.tick();
    expect(await h.state()).toMatchObject({ phase: "progressing", stepIndex: 1, weight: 100 });
  }, 60_000);
});
