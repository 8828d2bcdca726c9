// Progressive delivery inside workerd: real traffic through the data plane, real stats Durable
// Objects, the Worker's own scheduled() fired on a controlled clock.
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  blueGreenService,
  MINUTE,
  RolloutHarness,
  rolloutService,
} from "../support/workerd/rollout-harness.ts";

const steps = [
  { weight: 20, bake: "2m" },
  { weight: 50, bake: "2m" },
];
const analysis = {
  minRequests: 40,
  maxErrorRatePercent: 5,
  maxP95Ms: 1000,
  maxLatencyRatio: 10,
  failureLimit: 0,
};

describe("a healthy canary", () => {
  it("passes every step and is promoted; afterwards the baseline track serves the new origin at 100%", async () => {
    const h = new RolloutHarness("healthy");
    await h.apply(
      rolloutService("healthy", env.CANARY_ORIGIN, { strategy: "canary", steps, analysis }),
    );
    expect((await h.command("start")).status).toBe(200);
    expect((await h.state()).weight).toBe(20);

    h.advance(30_000);
    // About 60 of 300 reach the canary at 20%: comfortably over minRequests 40, whatever the hash.
    expect((await h.traffic(300)).get("canary")).toBeGreaterThan(0);
    h.advance(2 * MINUTE);
    await h.tick();
    expect((await h.state()).weight).toBe(50);
    h.advance(30_000);
    await h.traffic(200);
    h.advance(2 * MINUTE);
    await h.tick();
    expect((await h.state()).phase).toBe("promoted");

    const after = await h.traffic(100);
    expect(after).toEqual(new Map([["stable", 100]]));
    const record = (await (await h.api("GET", "/services/healthy")).json()) as {
      config: { versions: Record<string, { origin: string }>; split: unknown };
    };
    expect(record.config.versions.stable?.origin).toBe(env.CANARY_ORIGIN);
    expect(record.config.split).toEqual({ stable: 100, canary: 0 });
    expect((await h.history()).map((e) => e.type)).toEqual([
      "config.applied",
      "rollout.started",
      "rollout.advanced",
      "rollout.promoted",
    ]);
  });
});

describe("an unhealthy canary", () => {
  it("answering 10% 500s is rolled back at the first tick after its window holds minRequests", async () => {
    const h = new RolloutHarness("faulty");
    await h.apply(
      rolloutService("faulty", env.FAULTY_ORIGIN, {
        strategy: "canary",
        steps: [{ weight: 50, bake: "5m" }],
        analysis,
      }),
    );
    await h.command("start");
    await h.traffic(40); // about 20 reach the canary: fewer than minRequests
    h.advance(MINUTE);
    await h.tick();
    expect((await h.state()).lastVerdict?.outcome).toBe("inconclusive");

    await h.traffic(200);
    h.advance(MINUTE);
    await h.tick();
    const state = await h.state();
    expect(state.phase).toBe("rolledBack");
    expect(await h.traffic(100)).toEqual(new Map([["stable", 100]]));
    const rolledBack = (await h.history()).find((e) => e.type === "rollout.rolledBack");
    const verdict = rolledBack?.detail?.verdict as {
      candidate: { errorRatePercent: number; requests: number };
    };
    expect(verdict.candidate.requests).toBeGreaterThanOrEqual(40);
    expect(verdict.candidate.errorRatePercent).toBeGreaterThan(5);
    expect(rolledBack?.reason).toMatch(/error rate \d+\.\d+% > 5\.00%/);
  });

  it("with p95 of 3 s against a 50 ms baseline is rolled back on latency", async () => {
    const h = new RolloutHarness("slow");
    await h.apply(
      rolloutService("slow", env.SLOW_ORIGIN, {
        strategy: "canary",
        steps: [{ weight: 50, bake: "5m" }],
        analysis: { ...analysis, minRequests: 20 },
      }),
    );
    await h.command("start");
    await h.traffic(80);
    h.advance(MINUTE);
    await h.tick();
    const state = await h.state();
    expect(state.phase).toBe("rolledBack");
    expect(state.lastVerdict?.reason).toMatch(/p95 \d+ ms > 1000 ms/);
    expect(state.lastVerdict?.candidate?.p95).toBeGreaterThan(2900);
  }, 30_000);

  it("with too little traffic holds the step and never promotes", async () => {
    const h = new RolloutHarness("quiet");
    await h.apply(
      rolloutService("quiet", env.CANARY_ORIGIN, {
        strategy: "canary",
        steps,
        analysis: { ...analysis, minRequests: 1000 },
      }),
    );
    await h.command("start");
    for (let minute = 0; minute < 8; minute++) {
      await h.traffic(20);
      h.advance(MINUTE);
      await h.tick();
    }
    const state = await h.state();
    expect(state).toMatchObject({ phase: "progressing", stepIndex: 0, weight: 20 });
    expect(state.lastVerdict?.reason).toMatch(
      /only \d+ of 1000 requests needed to judge in this step's window: holding/,
    );
  });
});

describe("operators and gates", () => {
  it("a pause gate waits for rollout promote", async () => {
    const h = new RolloutHarness("gated");
    await h.apply(
      rolloutService("gated", env.CANARY_ORIGIN, {
        strategy: "canary",
        steps: [{ weight: 20, bake: "1m" }, { pause: true }, { weight: 60, bake: "1m" }],
        analysis,
      }),
    );
    await h.command("start");
    await h.traffic(300);
    h.advance(2 * MINUTE);
    await h.tick();
    expect(await h.state()).toMatchObject({ phase: "paused", pausedBy: "gate", weight: 20 });
    for (let i = 0; i < 3; i++) {
      h.advance(MINUTE);
      await h.tick();
    }
    expect((await h.state()).phase).toBe("paused");
    expect((await h.command("promote")).status).toBe(200);
    expect(await h.state()).toMatchObject({ phase: "progressing", weight: 60 });
  });

  it("abort sends all traffic to the baseline at once", async () => {
    const h = new RolloutHarness("aborted");
    await h.apply(
      rolloutService("aborted", env.CANARY_ORIGIN, {
        strategy: "canary",
        steps: [{ weight: 50, bake: "10m" }],
        analysis,
      }),
    );
    await h.command("start");
    expect((await h.traffic(100)).get("canary")).toBeGreaterThan(20);
    expect((await h.command("abort")).status).toBe(200);
    expect(await h.traffic(100)).toEqual(new Map([["stable", 100]]));
    expect((await h.state()).phase).toBe("aborted");
    expect((await h.command("resume")).status).toBe(409);
  });

  it("a failing beforeStep gate holds the advance", async () => {
    const h = new RolloutHarness("gatefail");
    await h.apply(
      rolloutService("gatefail", env.CANARY_ORIGIN, {
        strategy: "canary",
        steps,
        analysis,
        gates: { beforeStep: [`${env.STABLE_ORIGIN}/status/503`] },
      }),
    );
    await h.command("start");
    await h.traffic(300);
    h.advance(3 * MINUTE);
    await h.tick();
    const state = await h.state();
    expect(state.weight).toBe(20);
    expect(state.lastVerdict?.reason).toMatch(/held by gate .*status\/503 answered 503/);
  });

  it("starting without a policy says what is missing, and changes nothing", async () => {
    const h = new RolloutHarness("nopolicy");
    const { rollout: _, ...config } = rolloutService("nopolicy", env.CANARY_ORIGIN, {});
    await h.apply(config);
    const bare = await h.command("start");
    expect(bare.status).toBe(422);
    expect(await bare.text()).toContain("has no rollout policy");
    const linear = await h.command("start", { strategy: "linear" });
    expect(linear.status).toBe(422);
    const { error } = (await linear.json()) as { error: { problems: { path: string }[] } };
    expect(error.problems.map((p) => p.path)).toEqual(["rollout.stepPercent", "rollout.bake"]);
    expect(await h.state()).toBeNull();
  });

  it("a candidate whose health path fails is not promoted", async () => {
    const h = new RolloutHarness("unhealthy");
    const config = rolloutService("unhealthy", env.CANARY_ORIGIN, {
      strategy: "canary",
      steps: [{ weight: 50, bake: "1m" }],
      analysis,
    });
    config.versions.canary = { ...config.versions.canary!, healthPath: "/status/503" };
    await h.apply(config);
    await h.command("start");
    await h.traffic(200);
    h.advance(2 * MINUTE);
    await h.tick();
    const state = await h.state();
    expect(state.phase).toBe("progressing");
    expect(state.lastVerdict?.reason).toMatch(/held by health check .*\/status\/503 answered 503/);
  });

  it("blue/green switches, and switches back", async () => {
    const h = new RolloutHarness("bg");
    await h.apply(
      // The first check counts the preview rule's traffic because the operator names it.
      blueGreenService("bg", {
        bake: "1m",
        analysis: { minRequests: 10, maxErrorRatePercent: 5, countRules: ["preview"] },
      }),
    );
    await h.command("start");
    expect(await h.traffic(50)).toEqual(new Map([["blue", 50]]));
    expect(await h.traffic(20, { "x-preview": "1" })).toEqual(new Map([["green", 20]]));
    h.advance(2 * MINUTE);
    await h.tick();
    expect(await h.traffic(50)).toEqual(new Map([["green", 50]]));
    expect((await h.command("abort")).status).toBe(200);
    expect(await h.traffic(50)).toEqual(new Map([["blue", 50]]));
  });
});

describe("ticks", () => {
  it("duplicate and concurrent ticks do not double-advance; a tick after a restart continues", async () => {
    const h = new RolloutHarness("ticks");
    await h.apply(
      rolloutService("ticks", env.CANARY_ORIGIN, {
        strategy: "canary",
        steps: [
          { weight: 10, bake: "1m" },
          { weight: 20, bake: "1m" },
          { weight: 30, bake: "1m" },
        ],
        analysis: { ...analysis, minRequests: 10 },
      }),
    );
    await h.command("start");
    await h.traffic(300);
    h.advance(2 * MINUTE);
    await Promise.all([h.tick(), h.tick(), h.tick()]);
    expect((await h.state()).weight).toBe(20);
    await h.tick();
    expect((await h.state()).weight).toBe(20);

    const service = env.SERVICES.get(env.SERVICES.idFromName("ticks"));
    await evictDurableObject(service).catch(() => undefined);
    await h.traffic(300);
    h.advance(2 * MINUTE);
    await h.tick();
    expect((await h.state()).weight).toBe(30);
  });
});
