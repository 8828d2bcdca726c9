// The progress deadline inside workerd: a rollout held inconclusive by too little traffic is
// aborted at its deadline by the Worker's cron, or, with onDeadline: notify, a real receiver is
// told once.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { statsObjectOf } from "../../worker/contracts.ts";
import {
  MINUTE,
  RolloutHarness,
  received,
  rolloutService,
} from "../support/workerd/rollout-harness.ts";

const held = {
  strategy: "canary",
  steps: [{ weight: 50, bake: "5m" }],
  // More than the test ever sends: every look is inconclusive.
  analysis: { minRequests: 1000 },
  progressDeadline: "10m",
};

describe("a rollout stuck inconclusive", () => {
  it("is aborted at its progress deadline, with the reason in history", async () => {
    const h = new RolloutHarness("deadline-abort");
    await h.apply(rolloutService("deadline-abort", env.CANARY_ORIGIN, held));
    await h.command("start");
    for (let minute = 1; minute <= 9; minute++) {
      await h.traffic(20);
      h.advance(MINUTE);
      await h.tick();
    }
    expect((await h.state()).phase).toBe("progressing");
    h.advance(MINUTE);
    await h.tick();

    const state = await h.state();
    expect(state.phase).toBe("aborted");
    const events = await h.history();
    const exceeded = events.find((e) => e.type === "rollout.deadlineExceeded");
    expect(exceeded?.reason).toMatch(
      /^progress deadline 10m passed: 10m(\d\ds)? in step 1 of 1 at 50%, held: only \d+ of 1000 requests needed to judge in this step's window: holding$/,
    );
    expect(exceeded?.detail).toMatchObject({
      deadline: { action: "abort", waitedMs: expect.any(Number) },
    });
    const detail = exceeded?.detail as { deadline?: { waitedMs: number } } | null | undefined;
    expect(detail?.deadline?.waitedMs).toBeGreaterThanOrEqual(10 * MINUTE);
    expect(events.at(-1)).toMatchObject({ type: "rollout.aborted", author: "cron" });
    expect(await h.traffic(50)).toEqual(new Map([["stable", 50]]));
  });

  it("shows a met limit below minRequests as inconclusive, and a deadline in seconds in seconds", async () => {
    const h = new RolloutHarness("deadline-seconds");
    await h.apply(
      rolloutService("deadline-seconds", env.CANARY_ORIGIN, { ...held, progressDeadline: "30s" }),
    );
    await h.command("start");
    await h.traffic(20);
    h.advance(45_000);
    await h.tick();

    // The verdict log's judgement: 0 errors is under the 5 % limit, but of too few requests to say.
    const judgement = await h.lastJudgement();
    expect(judgement?.thresholds.map((c) => [c.check, c.outcome])).toEqual([
      ["minRequests", "inconclusive"],
      ["errorRate", "inconclusive"],
    ]);
    expect(judgement?.thresholds[1]?.sentence).toMatch(
      /^error rate 0\.00 % \(0 of \d+ requests\), limit 5\.0 % → inconclusive$/,
    );
    expect((await h.state()).phase).toBe("aborted");
    const exceeded = (await h.history()).find((e) => e.type === "rollout.deadlineExceeded");
    expect(exceeded?.reason).toMatch(/^progress deadline 30s passed: 4\ds in step 1 of 1 at 50%/);
  });

  it("with onDeadline: notify, a receiver gets one notification however many ticks follow", async () => {
    const h = new RolloutHarness("deadline-notify");
    const path = "/hooks/deadline-notify";
    await h.apply(
      rolloutService(
        "deadline-notify",
        env.CANARY_ORIGIN,
        { ...held, onDeadline: "notify" },
        { notify: [{ url: `${env.STABLE_ORIGIN}${path}`, events: ["rollout.deadlineExceeded"] }] },
      ),
    );
    await h.command("start");
    for (let minute = 1; minute <= 14; minute++) {
      await h.traffic(10);
      h.advance(MINUTE);
      await h.tick();
    }
    expect((await h.state()).phase).toBe("progressing");
    const exceeded = (await h.history()).filter((e) => e.type === "rollout.deadlineExceeded");
    expect(exceeded).toHaveLength(1);
    // Notifications leave in the background: wait for the one, then check no second came.
    const { hits, last } = await received(env.STABLE_ORIGIN, path);
    expect(hits).toBe(1);
    expect(last?.headers["x-keystone-event"]).toBe("rollout.deadlineExceeded");
    expect(JSON.parse(last!.body)).toMatchObject({
      event: "rollout.deadlineExceeded",
      service: "deadline-notify",
      detail: { deadline: { action: "notify", progressDeadline: "10m" } },
    });
  }, 60_000);

  it("is aborted at its deadline while its figures cannot be read, saying so", async () => {
    const h = new RolloutHarness("deadline-unread");
    await h.apply(rolloutService("deadline-unread", env.CANARY_ORIGIN, held));
    await h.command("start");
    await h.traffic(20);
    // The canary's stats object fails every read from here on (its table gone), as a shard that
    // does not answer: no tick can judge, and none may leave the rollout at its step unseen.
    await runInDurableObject(statsObjectOf(env, "deadline-unread", "canary"), (_, state) => {
      state.storage.sql.exec("ALTER TABLE route_buckets RENAME TO route_buckets_away");
    });
    h.advance(5 * MINUTE);
    await h.tick();
    expect((await h.state()).phase).toBe("progressing");
    h.advance(5 * MINUTE);
    await h.tick();

    expect((await h.state()).phase).toBe("aborted");
    const exceeded = (await h.history()).find((e) => e.type === "rollout.deadlineExceeded");
    expect(exceeded?.reason).toMatch(
      /^progress deadline 10m passed: 10m in step 1 of 1 at 50%, held: its figures could not be read \(a stats shard did not answer\)$/,
    );
    expect(await h.traffic(20)).toEqual(new Map([["stable", 20]]));
  });
});
