// Releases inside workerd: the release object drives real service objects through the Worker's
// own scheduled(); traffic flows through real data planes to real origins.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ReleaseEffect } from "../../schemas/release-state.ts";
import { releaseObjectOf } from "../../worker/contracts.ts";
import { Outbox } from "../../worker/control-plane/outbox/outbox.ts";
import { deliverReleaseEffect } from "../../worker/control-plane/release/release-io.ts";
import { ReleaseStore } from "../../worker/control-plane/release/release-store.ts";
import { decideRelease } from "../../worker/core/release/release.ts";
import { hook } from "../support/workerd/deploy-hook-request.ts";
import { ReleaseHarness, releaseFile } from "../support/workerd/release-harness.ts";

const chain = (prefix: string) =>
  releaseFile(`${prefix}-rel`, [
    { service: `${prefix}-api`, release: "v2" },
    { service: `${prefix}-web`, release: "v2", after: { service: `${prefix}-api`, reached: 2 } },
    {
      service: `${prefix}-worker`,
      release: "v2",
      after: { service: `${prefix}-api`, passed: true },
    },
  ]);

describe("a healthy release", { timeout: 60_000 }, () => {
  it("starts each service on its condition, holds them, and promotes all three together", async () => {
    const h = new ReleaseHarness(["ok-api", "ok-web", "ok-worker"]);
    await h.apply();
    expect((await h.start(chain("ok"))).status).toBe(200);
    expect(await h.standing("ok-rel")).toEqual({
      "ok-api": "running 1/2",
      "ok-web": "waiting",
      "ok-worker": "waiting",
    });
    expect(await h.of("ok-web").state()).toBeNull();

    await h.bakeAndTick(); // api to step 2: web starts
    expect(await h.standing("ok-rel")).toEqual({
      "ok-api": "running 2/2",
      "ok-web": "running 1/2",
      "ok-worker": "waiting",
    });
    await h.bakeAndTick(); // api passes and holds: worker starts; web to step 2
    expect(await h.standing("ok-rel")).toEqual({
      "ok-api": "held 2/2",
      "ok-web": "running 2/2",
      "ok-worker": "running 1/2",
    });
    expect(await h.of("ok-api").state()).toMatchObject({
      phase: "paused",
      pausedBy: "release",
      weight: 50,
    });
    await h.bakeAndTick(); // web holds; worker to step 2
    expect((await h.status("ok-rel")).release.phase).toBe("running");
    await h.bakeAndTick(); // worker passes: all three promoted together
    const { release, events } = await h.status("ok-rel");
    expect(release.phase).toBe("promoted");
    expect(
      events.filter((e) => e.type === "release.servicePromoted").map((e) => e.service),
    ).toEqual(["ok-api", "ok-web", "ok-worker"]);
    for (const name of ["ok-api", "ok-web", "ok-worker"]) {
      expect((await h.of(name).state()).phase).toBe("promoted");
      expect((await h.of(name).history()).at(-1)).toMatchObject({ type: "rollout.promoted" });
      expect(await h.of(name).traffic(20)).toEqual(new Map([["stable", 20]]));
    }
    const record = (await (await h.api("GET", "/services/ok-web")).json()) as {
      config: { versions: { stable: { release: string } } };
    };
    expect(record.config.versions.stable.release).toBe("v2");
  });
});

describe("a failing release", { timeout: 60_000 }, () => {
  it("a failure in the last service rolls back all three", async () => {
    const h = new ReleaseHarness(["bad-api", "bad-web", "bad-worker"]);
    await h.apply({ "bad-worker": env.FAULTY_ORIGIN });
    await h.start(chain("bad"));
    await h.bakeAndTick();
    await h.bakeAndTick(); // worker starts now, on the faulty origin
    expect((await h.standing("bad-rel"))["bad-worker"]).toBe("running 1/2");
    await h.bakeAndTick(); // worker's analysis fails: it rolls back, and the release aborts the others
    const { release, events } = await h.status("bad-rel");
    expect(release.phase).toBe("rolledBack");
    expect(release.reason).toMatch(/^bad-worker rolled back: error rate/);
    expect(events.map((e) => e.type)).toContain("release.rollingBack");
    for (const name of ["bad-api", "bad-web"]) {
      const state = await h.of(name).state();
      expect(state.phase).toBe("aborted");
      // The release's reason stays on the verdict, as in history: why it aborted this service.
      expect(state.lastVerdict?.reason).toMatch(
        /^aborted by release "bad-rel": all traffic to the baseline — release bad-rel: bad-worker rolled back: error rate/,
      );
      expect(await h.of(name).traffic(20)).toEqual(new Map([["stable", 20]]));
    }
  });
});

describe("a release behind what serves", { timeout: 60_000 }, () => {
  it("is refused without --force (nothing moves); started with it, said in its history", async () => {
    const h = new ReleaseHarness(["back-api"]);
    await h.apply();
    const newer = releaseFile("back-new", [{ service: "back-api", release: "v2.0.0" }]);
    await h.start(newer);
    // Step 1, step 2, passed and held, promoted.
    for (let tick = 0; tick < 3; tick++) await h.bakeAndTick();
    expect((await h.status("back-new")).release.phase).toBe("promoted");

    // A pipeline's older job run again: its release file names v1.0.0.
    const older = releaseFile("back-old", [{ service: "back-api", release: "v1.0.0" }]);
    await h.start(older);
    const refused = await h.status("back-old");
    expect(refused.release.phase).toBe("rolledBack");
    expect(refused.release.reason).toMatch(/would roll out v1\.0\.0 while v2\.0\.0 serves/);
    expect(await h.of("back-api").traffic(20)).toEqual(new Map([["stable", 20]]));

    // An operator going back on purpose.
    const forced = await h.api("POST", "/releases", { file: older, force: true, author: "ana" });
    expect(forced.status).toBe(200);
    for (const service of h.services.values()) await service.syncRoutes();
    const { release, events } = await h.status("back-old");
    expect(release.phase).toBe("running");
    expect(events.find((e) => e.type === "release.started")?.reason).toMatch(/\(forced: /);
    expect(await h.of("back-api").state()).toMatchObject({ phase: "progressing" });
  });
});

describe("the release object", { timeout: 60_000 }, () => {
  it("a tick delivered twice is applied once", async () => {
    const h = new ReleaseHarness(["twice-api", "twice-web", "twice-worker"]);
    await h.apply();
    await h.start(chain("twice"));
    h.advance(30_000);
    await h.traffic(150);
    h.advance(2 * 60_000);
    const at = h.now();
    await h.tick(at);
    await h.tick(at);
    const stub = releaseObjectOf(env, "twice-rel");
    expect(await stub.tick(at)).toEqual({
      ticked: false,
      why: "this tick was already applied",
    });
    const started = (await h.status("twice-rel")).events.filter(
      (e) => e.type === "release.serviceStarted",
    );
    expect(started.map((e) => e.service)).toEqual(["twice-api", "twice-web"]);
    const webStarts = (await h.of("twice-web").history()).filter(
      (e) => e.type === "rollout.started",
    );
    expect(webStarts).toHaveLength(1);
  });

  it("a start or promotion delivered again (its first answer lost) is recognised, not repeated", async () => {
    const h = new ReleaseHarness(["again-api"]);
    await h.apply();
    const start = { kind: "start" as const, run: 1, service: "again-api", release: "v2" };
    const first = await deliverReleaseEffect(env, "again-rel", start, "test");
    const second = await deliverReleaseEffect(env, "again-rel", start, "test");
    expect(first).toMatchObject({ ok: true, rollout: { phase: "progressing" } });
    expect(second).toEqual(first);
    const other = await deliverReleaseEffect(env, "other-rel", start, "test");
    expect(other).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/already progressing/),
    });
    // Held, then promoted twice: the second answer is the same promotion.
    await h.of("again-api").syncRoutes();
    await h.bakeAndTick();
    await h.bakeAndTick();
    expect(await h.of("again-api").state()).toMatchObject({ pausedBy: "release" });
    const promote = { kind: "promote" as const, run: 1, service: "again-api" };
    expect(await deliverReleaseEffect(env, "again-rel", promote, "test")).toMatchObject({
      ok: true,
      rollout: { phase: "promoted" },
    });
    expect(await deliverReleaseEffect(env, "again-rel", promote, "test")).toMatchObject({
      ok: true,
      rollout: { phase: "promoted" },
    });
    const starts = (await h.of("again-api").history()).filter((e) => e.type === "rollout.started");
    expect(starts).toHaveLength(1);
  });

  it("evicted between a decision and its delivery, the alarm delivers it; state survives eviction", async () => {
    const h = new ReleaseHarness(["evict-api", "evict-web", "evict-worker"]);
    await h.apply();
    await h.start(chain("evict"));
    const stub = releaseObjectOf(env, "evict-rel");
    // An abort decided and stored with its effects, then the object gone before it delivered them.
    // Its alarm a minute ahead, not now: workerd fires an alarm that is due by itself within
    // milliseconds, which would deliver the abort before the checks below see it pending.
    await runInDurableObject(stub, async (_, state) => {
      const store = new ReleaseStore(state.storage.sql);
      const decided = decideRelease(
        store.load()!,
        { kind: "abort", author: "ana", reason: null },
        Date.now(),
      );
      if (!decided.ok) throw new Error(decided.error.message);
      state.storage.transactionSync(() => {
        store.save(decided.value);
        new Outbox(state.storage.sql, ReleaseEffect).add(decided.value.effects, Date.now());
      });
      await state.storage.setAlarm(Date.now() + 60_000);
    });
    await evictDurableObject(stub);
    expect((await h.status("evict-rel")).release.phase).toBe("aborting");
    expect((await h.of("evict-api").state()).phase).toBe("progressing");
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await h.status("evict-rel")).release.phase).toBe("aborted");
    expect((await h.of("evict-api").state()).phase).toBe("aborted");
    expect(await h.of("evict-web").state()).toBeNull();
  });
});

describe("the deploy webhook", { timeout: 60_000 }, () => {
  it("starts a release when its signed body is a release file's content; a bad one is refused with paths", async () => {
    const h = new ReleaseHarness(["hook-api", "hook-web", "hook-worker"]);
    await h.apply();
    const bad = await hook(
      JSON.stringify({
        name: "hook-rel",
        services: [{ service: "hook-api", after: { service: "nope", passed: true } }],
      }),
    );
    expect(bad.status).toBe(422);
    const refused = (await bad.json()) as { error: { problems: { path: string }[] } };
    expect(refused.error.problems.map((p) => p.path)).toEqual(["services[0].after.service"]);

    const accepted = await hook(JSON.stringify(chain("hook")));
    expect(accepted.status).toBe(200);
    const body = (await accepted.json()) as { release: { phase: string; author: string } };
    expect(body.release).toMatchObject({ phase: "running", author: "deploy-webhook" });
    expect(await h.of("hook-api").state()).toMatchObject({
      phase: "progressing",
      heldBy: { release: "hook-rel" },
    });
    expect((await h.of("hook-api").history()).at(-1)).toMatchObject({ type: "rollout.started" });
  });
});
