// Ticks that spread, inside workerd: an active rollout ticks from its own object's alarm (no cron
// call), tells the registry when its next tick is due, and the Worker's scheduled() wakes only the
// rollouts and releases that are late (an alarm lost, an object from before alarms drove ticks).
import {
  createScheduledController,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { registryOf, releaseObjectOf, serviceObjectOf } from "../../worker/contracts.ts";
import { DEFAULT_TICK_MS } from "../../worker/core/rollout/tick-schedule.ts";
import worker from "../../worker/index.ts";
import { ReleaseHarness, releaseFile } from "../support/workerd/release-harness.ts";
import { startedCanary } from "../support/workerd/rollout-harness.ts";

const analysis = { minRequests: 20, maxErrorRatePercent: 5, failureLimit: 0 };

const startedRollout = (name: string) => startedCanary(name, analysis);

/**
 * Moves the stored rollout's clock back by `ms` (its start, step start and last tick), as if it
 * had run that long: the alarm reads the real clock, which a test cannot move.
 */
async function backdate(name: string, ms: number): Promise<void> {
  await runInDurableObject(serviceObjectOf(env, name), (_, ctx) => {
    const row = ctx.storage.sql.exec("SELECT value FROM meta WHERE key = 'head'").one();
    const head = JSON.parse(String(row.value));
    for (const field of ["startedAt", "stepStartedAt", "lastTickAt"]) head.rollout[field] -= ms;
    ctx.storage.sql.exec("UPDATE meta SET value = ? WHERE key = 'head'", JSON.stringify(head));
  });
}

async function registryDue(kind: string, name: string): Promise<number | null> {
  return runInDurableObject(registryOf(env), (_, ctx) => {
    const rows = ctx.storage.sql
      .exec("SELECT due FROM tick_due WHERE kind = ? AND name = ?", kind, name)
      .toArray();
    return rows.length ? Number(rows[0]!.due) : null;
  });
}

const alarmOf = (name: string) =>
  runInDurableObject(serviceObjectOf(env, name), (_, ctx) => ctx.storage.getAlarm());

async function cron(at: number): Promise<void> {
  await worker.scheduled(createScheduledController({ scheduledTime: at }), env);
}

describe("a rollout that drives itself", () => {
  it("sets its alarm for its next tick and tells the registry when that is", async () => {
    const h = await startedRollout("self-alarm");
    const state = await h.state();
    const due = Date.parse(String(state.stepStartedAt)) + DEFAULT_TICK_MS;
    expect(await alarmOf("self-alarm")).toBe(due);
    expect(await registryDue("service", "self-alarm")).toBe(due);
  });

  it("advances from its own alarm, with no cron call, and sets the alarm for the tick after", async () => {
    const h = await startedRollout("self-advance");
    await h.traffic(300);
    await backdate("self-advance", 2 * 60_000); // the step's bake and the tick's interval passed
    const before = Date.now();
    await runDurableObjectAlarm(serviceObjectOf(env, "self-advance"));
    const after = await h.state();
    expect(after.weight).toBe(50);
    expect((await h.history()).map((e) => e.type)).toContain("rollout.advanced");
    const lastTick = Date.parse(String(after.lastTickAt));
    expect(lastTick).toBeGreaterThanOrEqual(before);
    expect(await alarmOf("self-advance")).toBeGreaterThanOrEqual(lastTick + DEFAULT_TICK_MS);
    expect(await registryDue("service", "self-advance")).toBe(lastTick + DEFAULT_TICK_MS);
    // On time: the cron leaves it alone.
    expect(await registryOf(env).lateRollouts(Date.now())).not.toContain("self-advance");
  });

  it("an alarm that fires before the tick is due ticks nothing", async () => {
    const h = await startedRollout("self-early");
    await h.traffic(300);
    const before = await h.state();
    await runDurableObjectAlarm(serviceObjectOf(env, "self-early"));
    expect(await h.state()).toEqual(before);
  });
});

describe("the cron as a safety net", () => {
  it("wakes a rollout whose tick is half an interval overdue, and only then", async () => {
    const h = await startedRollout("late-alarm");
    await h.traffic(300);
    const due = (await registryDue("service", "late-alarm"))!;
    // Its alarm is lost (an outage, a bug): only the cron can tick it now.
    await runInDurableObject(serviceObjectOf(env, "late-alarm"), (_, ctx) =>
      ctx.storage.deleteAlarm(),
    );
    const early = due + DEFAULT_TICK_MS / 2 - 1_000;
    await cron(early);
    const untouched = await h.state();
    expect(untouched.weight).toBe(20);
    expect(untouched.lastTickAt).not.toBe(new Date(early).toISOString());
    const late = due + DEFAULT_TICK_MS / 2 + 1_000;
    await cron(late);
    const woken = await h.state();
    expect(Date.parse(String(woken.lastTickAt))).toBe(late);
    expect(woken.weight).toBe(50); // the bake of 1m passed by then: judged and advanced
    // Woken, it drives itself again.
    expect(await alarmOf("late-alarm")).toBe(late + DEFAULT_TICK_MS);
  });

  it("wakes a rollout the registry holds no due time for (an object from before alarms), not one on time", async () => {
    const stale = await startedRollout("late-unknown");
    const fresh = await startedRollout("late-fresh");
    await runInDurableObject(registryOf(env), (_, ctx) => {
      ctx.storage.sql.exec("DELETE FROM tick_due WHERE name = 'late-unknown'");
    });
    const freshBefore = await fresh.state();
    const at = Date.now();
    await cron(at);
    expect(Date.parse(String((await stale.state()).lastTickAt))).toBe(at);
    expect(await fresh.state()).toEqual(freshBefore);
    expect(await registryDue("service", "late-unknown")).toBe(at + DEFAULT_TICK_MS);
  });
});

describe("a release that drives itself", () => {
  it("ticks from its own alarm when due and tells the registry; the cron wakes it when late", async () => {
    const h = new ReleaseHarness(["selfrel-api"]);
    await h.apply();
    const file = releaseFile("selfrel", [{ service: "selfrel-api", release: "v2" }]);
    expect((await h.start(file)).status).toBe(200);
    const release = releaseObjectOf(env, "selfrel");
    const started = Date.parse((await h.status("selfrel")).release.lastTickAt);
    expect(await registryDue("release", "selfrel")).toBe(started + DEFAULT_TICK_MS);
    expect(await runInDurableObject(release, (_, ctx) => ctx.storage.getAlarm())).toBe(
      started + DEFAULT_TICK_MS,
    );
    // Not due yet: neither the alarm nor the cron ticks it.
    await runDurableObjectAlarm(release);
    await cron(started + DEFAULT_TICK_MS / 2);
    expect(Date.parse((await h.status("selfrel")).release.lastTickAt)).toBe(started);
    // Its last tick a minute and more ago (the stored clock moved back): the alarm ticks it.
    await runInDurableObject(release, (_, ctx) => {
      const row = ctx.storage.sql.exec("SELECT value FROM meta WHERE key = 'state'").one();
      const state = JSON.parse(String(row.value));
      state.lastTickAt -= 2 * DEFAULT_TICK_MS;
      ctx.storage.sql.exec("UPDATE meta SET value = ? WHERE key = 'state'", JSON.stringify(state));
    });
    const before = Date.now();
    await runDurableObjectAlarm(release);
    const ticked = Date.parse((await h.status("selfrel")).release.lastTickAt);
    expect(ticked).toBeGreaterThanOrEqual(before);
    expect(await registryDue("release", "selfrel")).toBe(ticked + DEFAULT_TICK_MS);
    // Its alarm lost and overdue: the cron wakes it.
    await runInDurableObject(release, (_, ctx) => ctx.storage.deleteAlarm());
    const late = ticked + DEFAULT_TICK_MS * 2;
    await cron(late);
    expect(Date.parse((await h.status("selfrel")).release.lastTickAt)).toBe(late);
    expect(await registryDue("release", "selfrel")).toBe(late + DEFAULT_TICK_MS);
  });
});
