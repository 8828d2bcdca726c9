// Ramped rollbacks inside workerd: the candidate's share in the route tables published to KV falls
// step by step over the ramp, a second failure does not restart it, an abort ends it at once, and
// the service object's own alarm makes cuts between the cron's minutes.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RouteEntry } from "../../schemas/routes-doc.ts";
import { serviceObjectOf, statsObjectOf } from "../../worker/contracts.ts";
import { RolloutHarness, rolloutService } from "../support/workerd/rollout-harness.ts";
import { readPublishedEntry } from "../support/workerd/route-kv.ts";
import { Browser } from "../support/workerd/visitor-requests.ts";

const analysis = { minRequests: 20, maxErrorRatePercent: 5, failureLimit: 0 };

async function publishedShare(service: string): Promise<number> {
  const entry = RouteEntry.parse(await readPublishedEntry(service));
  return entry.config.split.canary ?? 0;
}

async function failingCanary(
  name: string,
  ramp: string,
  extra: Parameters<typeof rolloutService>[3] = {},
): Promise<RolloutHarness> {
  const h = new RolloutHarness(name);
  await h.apply(
    rolloutService(
      name,
      env.FAULTY_ORIGIN,
      {
        strategy: "canary",
        steps: [{ weight: 40, bake: "10m" }],
        analysis,
        onFailure: { action: "rollback", ramp },
      },
      extra,
    ),
  );
  await h.command("start");
  return h;
}

/** Ticks until the faulty candidate (10% 500s) is rolled back. */
async function rollBack(h: RolloutHarness, stepMs: number): Promise<void> {
  for (let i = 0; i < 5 && (await h.state()).phase !== "rolledBack"; i++) {
    await h.traffic(200);
    h.advance(stepMs);
    await h.tick();
  }
  expect((await h.state()).phase).toBe("rolledBack");
}

describe("a ramped rollback", () => {
  it("lowers the candidate's share step by step in the published tables; a second failure does not restart it", async () => {
    const h = await failingCanary("ramped", "2m");
    expect(await publishedShare("ramped")).toBe(40);
    await rollBack(h, 1_000);
    const rolledBack = await h.state();
    const shares = [await publishedShare("ramped")];
    expect(shares[0]).toBeGreaterThan(0);
    expect(shares[0]).toBeLessThan(40);
    for (let tick = 0; tick < 4; tick++) {
      await h.traffic(100); // the candidate keeps failing while it ramps
      h.advance(30_000);
      await h.tick();
      shares.push(await publishedShare("ramped"));
    }
    expect(
      shares.every((share, i) => i === 0 || share < shares[i - 1]!),
      String(shares),
    ).toBe(true);
    expect(shares.at(-1)).toBe(0);
    const after = await h.state();
    expect(after.endedAt).toBe(rolledBack.endedAt);
    expect(after.lastVerdict).toEqual(rolledBack.lastVerdict);
    const types = (await h.history()).map((e) => e.type);
    expect(types.filter((t) => t === "rollout.rolledBack")).toHaveLength(1);
    // The ramp's end halts the candidate in every isolate, like an instant rollback.
    const halt = await runInDurableObject(statsObjectOf(env, "ramped", "canary"), (o) =>
      o.currentHalt(),
    );
    expect(halt?.rolloutId).toBe(after.id);
  }, 60_000);

  it("with version affinity, visitors pinned during the ramp are on the baseline once it ends", async () => {
    const h = await failingCanary("ramp-pins", "2m", {
      sticky: { affinity: { maxAgeSeconds: 1800 } },
    });
    await rollBack(h, 1_000);
    expect(await publishedShare("ramp-pins")).toBeGreaterThan(0);
    const browsers = Array.from({ length: 60 }, (_, i) => new Browser(h, `ramp-visitor-${i}`));
    const during = await Promise.all(browsers.map((b) => b.get()));
    expect(during.filter((v) => v === "canary").length).toBeGreaterThan(5);
    for (let i = 0; i < 6 && (await publishedShare("ramp-pins")) > 0; i++) {
      h.advance(30_000);
      await h.tick();
    }
    expect(await publishedShare("ramp-pins")).toBe(0);
    // The ramp's end halts the candidate until this isolate has the table that carries it; with
    // that table the halt lifts, and a pin the ramp's split gave must not bring the candidate back.
    await h.plane.flushOutcomes();
    await h.syncRoutes();
    expect(h.plane.halted.list()).toEqual([]);
    expect(new Set(await Promise.all(browsers.map((b) => b.get())))).toEqual(new Set(["stable"]));
  }, 60_000);

  it("an operator's abort during the ramp sends everything to the baseline at once", async () => {
    const h = await failingCanary("ramp-abort", "10m");
    await rollBack(h, 1_000);
    expect(await publishedShare("ramp-abort")).toBeGreaterThan(30);
    expect((await h.command("abort")).status).toBe(200);
    expect(await publishedShare("ramp-abort")).toBe(0);
    const halt = await runInDurableObject(statsObjectOf(env, "ramp-abort", "canary"), (o) =>
      o.currentHalt(),
    );
    expect(halt).not.toBeNull();
    expect((await h.state()).phase).toBe("aborted");
  }, 60_000);

  it("the service object's alarm makes the next cut without waiting for the cron", async () => {
    // Under 30 s, one cut: half the share at once, none when the ramp ends.
    const h = await failingCanary("ramp-alarm", "20s");
    await rollBack(h, 0);
    const state = await h.state();
    expect(await publishedShare("ramp-alarm")).toBe(20);
    const object = serviceObjectOf(env, "ramp-alarm");
    const alarm = await runInDurableObject(object, (_, ctx) => ctx.storage.getAlarm());
    expect(alarm).toBe(Date.parse(String(state.endedAt)) + 20_000);
    // Past the ramp's end, the alarm cuts to 0. The alarm reads the real clock, which a test
    // cannot move: the stored rollback is moved back by the ramp instead, as if it had passed
    // (waiting for it instead would race the alarm firing by itself on a slow machine).
    await runInDurableObject(object, (_, ctx) => {
      const row = ctx.storage.sql.exec("SELECT value FROM meta WHERE key = 'head'").one();
      const head = JSON.parse(String(row.value));
      head.rollout.endedAt -= 20_000;
      ctx.storage.sql.exec("UPDATE meta SET value = ? WHERE key = 'head'", JSON.stringify(head));
    });
    expect(await runDurableObjectAlarm(object)).toBe(true);
    await h.syncRoutes();
    expect(await publishedShare("ramp-alarm")).toBe(0);
  }, 60_000);
});
