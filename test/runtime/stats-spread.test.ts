// Stats that spread, inside workerd with real stats objects: a version whose flushes come too
// fast for one object spreads over several (the fan-out grows from the measured rate, and isolates
// learn it from the flush answer); the tick merges every shard before judging; a retried flush
// counts once across the spread; a shard that does not answer makes the window inconclusive.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { OutcomeBatch } from "../../schemas/stats.ts";
import { serviceObjectOf, statsObjectName, statsObjectOf } from "../../worker/contracts.ts";
import { VersionStats } from "../../worker/control-plane/stats/version-stats.ts";
import { GROW_AT_FLUSHES_PER_SECOND, RATE_WINDOW_MS } from "../../worker/core/metrics/fan-out.ts";
import { addLatency, type Histogram } from "../../worker/core/metrics/histogram.ts";
import { OutcomeFlusher } from "../../worker/data-plane/outcome-flusher.ts";
import type { Env } from "../../worker/env.ts";
import { type RolloutHarness, startedCanary } from "../support/workerd/rollout-harness.ts";

function batch(
  service: string,
  version: string,
  at: number,
  requests: number,
  errors = 0,
  latencyMs = 20,
): OutcomeBatch {
  const histogram: Histogram = {};
  addLatency(histogram, latencyMs, requests);
  return {
    service,
    version,
    route: "split",
    bucketStart: at - (at % 1000),
    requests,
    errors,
    noAnswer: 0,
    clientFaults: 0,
    histogram,
  };
}

let flushes = 0;
const flushId = () => `test-flush-${++flushes}`;

/** The candidate's flushes spread over two objects, as a busy version's would. */
async function spreadOverTwo(service: string, version: string, at: number): Promise<void> {
  const first = statsObjectOf(env, service, version);
  await first.record({ id: flushId(), batches: [batch(service, version, at, 30)] });
  expect(await first.grow(1)).toBe(2);
}

async function rolloutOnTwoShards(name: string): Promise<RolloutHarness> {
  const h = await startedCanary(name, { minRequests: 40, maxErrorRatePercent: 5, failureLimit: 0 });
  await spreadOverTwo(name, "canary", Date.now());
  return h;
}

describe("a version's flushes spread", () => {
  it("grow past the rate one object should take; the answer tells isolates, and every shard gets the fan-out and the halt", async () => {
    const first = statsObjectOf(env, "spread-grow", "canary");
    const now = Date.now();
    // Flushes as fast as the object takes them (well past 250 a second on an idle machine, as a
    // fleet's would be), until an answer carries the grown fan-out: the growth runs after an
    // answer (waitUntil), so the answers that follow carry it.
    const enough = (GROW_AT_FLUSHES_PER_SECOND * RATE_WINDOW_MS) / 1000 + 2;
    let shards: number | undefined;
    for (let sent = 0; sent < 6 * enough && shards === undefined; sent += 250) {
      const answers = await Promise.all(
        Array.from({ length: 250 }, () =>
          first.record({ id: flushId(), batches: [batch("spread-grow", "canary", now, 1)] }),
        ),
      );
      shards = answers.find((answer) => answer.shards !== undefined)?.shards;
    }
    expect(shards).toBe(2);
    expect(await first.fanOut()).toBe(2);
    const second = statsObjectOf(env, "spread-grow", "canary", 1);
    expect(await second.fanOut()).toBe(2);
    // A halt reaches isolates whichever shard they flush to.
    const halt = { rolloutId: "r-1", sequence: 7 };
    await first.halt(halt);
    const answer = await second.record({
      id: flushId(),
      shard: 1,
      batches: [batch("spread-grow", "canary", now, 1)],
    });
    expect(answer).toEqual({ halt, shards: 2 });
    await first.resume("r-1");
    expect(await second.currentHalt()).toBeNull();
  }, 60_000);

  it("the tick merges every shard before judging: failures on one shard roll the candidate back", async () => {
    const h = await rolloutOnTwoShards("spread-judge");
    const now = Date.now();
    // The first object alone looks healthy (80 requests, no error); the second holds the failures.
    await statsObjectOf(env, "spread-judge", "canary").record({
      id: flushId(),
      batches: [batch("spread-judge", "canary", now, 50)],
    });
    await statsObjectOf(env, "spread-judge", "canary", 1).record({
      id: flushId(),
      shard: 1,
      batches: [batch("spread-judge", "canary", now, 40, 20)],
    });
    const window = await new VersionStats(env, "spread-judge", "canary").window({
      from: now - 60_000,
      to: now + 60_000,
      routes: ["split"],
    });
    expect(window).toMatchObject({ requests: 120, errors: 20 });
    h.advance(2 * 60_000);
    await h.tick();
    const state = await h.state();
    expect(state.phase).toBe("rolledBack");
  });

  it("a shard that does not answer makes the window inconclusive: nothing is judged", async () => {
    const h = await rolloutOnTwoShards("spread-gone");
    const now = Date.now();
    await statsObjectOf(env, "spread-gone", "canary").record({
      id: flushId(),
      batches: [batch("spread-gone", "canary", now, 60)],
    });
    // The second shard's storage fails (its table gone): it cannot say what it holds.
    await runInDurableObject(statsObjectOf(env, "spread-gone", "canary", 1), (_, ctx) => {
      ctx.storage.sql.exec("DROP TABLE route_buckets");
    });
    h.advance(2 * 60_000);
    const reply = await serviceObjectOf(env, "spread-gone").tick(h.now());
    expect(reply).toMatchObject({ ticked: false });
    expect(JSON.stringify(reply)).toContain("inconclusive");
    const state = await h.state();
    expect(state).toMatchObject({ phase: "progressing", weight: 20 });
  });

  it("metrics totals, the status page's chart points and the last request count every shard", async () => {
    const now = Date.now();
    await spreadOverTwo("spread-read", "canary", now - 120_000);
    await statsObjectOf(env, "spread-read", "canary", 1).record({
      id: flushId(),
      shard: 1,
      batches: [batch("spread-read", "canary", now - 1_000, 12, 3, 900)],
    });
    const stats = new VersionStats(env, "spread-read", "canary");
    const [split] = await stats.totals();
    expect(split).toMatchObject({ route: "split", requests: 42, errors: 3 });
    const points = await stats.series({ from: now - 180_000, to: now - 1, stepMs: 60_000 });
    expect(points.map((p) => p.requests)).toEqual([30, 0, 12]);
    expect(points[2]!.p95).toBeGreaterThan(800);
    const last = await stats.lastRequest({ from: now - 180_000, to: now });
    expect(last).toBe(now - 1_000 - ((now - 1_000) % 1000));
  });

  it("a flush whose answer was lost is retried to the same shard and counted once across the spread", async () => {
    await spreadOverTwo("spread-retry", "canary", Date.now());
    const targets: string[] = [];
    let loseNextAnswer = false;
    // The real namespace, except that one answer is lost after the object counted the flush.
    const stats = {
      idFromName: (name: string) => {
        targets.push(name);
        return env.STATS.idFromName(name);
      },
      get: (id: DurableObjectId) => {
        const stub = env.STATS.get(id);
        return {
          record: async (flush: Parameters<typeof stub.record>[0]) => {
            const answer = await stub.record(flush);
            if (!loseNextAnswer) return answer;
            loseNextAnswer = false;
            throw new Error("Network connection lost.");
          },
        };
      },
    } as unknown as Env["STATS"];
    const flusher = new OutcomeFlusher(stats);
    const now = Date.now();
    await flusher.send([batch("spread-retry", "canary", now, 5)]); // learns the fan-out
    targets.length = 0;
    loseNextAnswer = true;
    await flusher.send([batch("spread-retry", "canary", now, 7)]);
    expect(targets).toHaveLength(2);
    expect(targets[1]).toBe(targets[0]);
    expect([0, 1].map((i) => statsObjectName("spread-retry", "canary", i))).toContain(targets[0]);
    const window = await new VersionStats(env, "spread-retry", "canary").window({
      from: now - 60_000,
      to: now + 60_000,
    });
    expect(window.requests).toBe(30 + 5 + 7);
    expect(flusher.droppedOutcomes).toBe(0);
  });
});
