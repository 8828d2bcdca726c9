// Fault suite, item 20.2: no visitor decides a window. A client cannot pick a visitor id that
// lands on the candidate (the bucket hash is keyed by BUCKET_SECRET), and each visitor counts in
// analysis at most a bounded number of times a minute, so a handful of clients can neither fail
// a healthy canary nor pass a failing one.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bucketOf } from "../../worker/core/hash.ts";
import { DataPlane } from "../../worker/data-plane/handler.ts";
import { entryOf, publishRaw, serviceOn } from "../support/workerd/faults.ts";
import { MINUTE, RolloutHarness, rolloutService } from "../support/workerd/rollout-harness.ts";

async function versionFor(plane: DataPlane, host: string, cookie: string) {
  const ctx = createExecutionContext();
  const response = await plane.fetch(new Request(`https://${host}/`, { headers: { cookie } }), ctx);
  await response.arrayBuffer();
  await waitOnExecutionContext(ctx);
  return response.headers.get("x-keystone-version");
}

describe("item 20.2: the visitor's bucket is not the client's to choose", () => {
  it("ids an attacker computes offline to land on a 5% canary land there no more than others", async () => {
    await publishRaw([
      entryOf(
        serviceOn("keyed", "keyed.test", {
          split: { stable: 95, canary: 5 },
          sticky: { by: "cookie", cookie: "ks_keyed" },
        }),
      ),
    ]);
    const plane = new DataPlane(env);
    // With the unkeyed hash of before, these are exactly the ids in the canary's top 5 % of buckets.
    const chosen: string[] = [];
    for (let i = 0; chosen.length < 40; i++) {
      const id = `attacker-${i.toString().padStart(4, "0")}`;
      if (bucketOf("keyed", id) >= 9500) chosen.push(id);
    }
    let onCanary = 0;
    for (const id of chosen)
      if ((await versionFor(plane, "keyed.test", `ks_keyed=${id}`)) === "canary") onCanary++;
    // About 2 of 40 by chance (5 %); all 40 if the client could compute its bucket.
    expect(onCanary).toBeLessThanOrEqual(8);
  });

  it("explain places a visitor as the isolates do, with the same key", async () => {
    const h = new RolloutHarness("keyed-explain");
    await h.apply({
      ...serviceOn("keyed-explain", "keyed-explain.test", { split: { stable: 50, canary: 50 } }),
      sticky: { by: "cookie", cookie: "ks_ke" },
    });
    for (let i = 0; i < 12; i++) {
      const id = `visitor-${i}-abcdefgh`;
      const served = await versionFor(h.plane, "keyed-explain.test", `ks_ke=${id}`);
      const explained = (await (
        await h.api("POST", "/explain", {
          service: "keyed-explain",
          request: { cookies: { ks_ke: id } },
        })
      ).json()) as { version: string };
      expect(explained.version, id).toBe(served);
    }
  });
});

describe("item 20.2: a handful of visitors cannot decide a window", () => {
  const policy = {
    strategy: "canary",
    steps: [{ weight: 50, bake: "1m" }],
    analysis: {
      minRequests: 40,
      maxErrorRatePercent: 5,
      failureLimit: 0,
      maxRequestsPerVisitor: 3,
    },
  };

  /** `count` requests as one visitor (its cookie), optionally from one client address. */
  async function asVisitor(
    h: RolloutHarness,
    id: string,
    path: string,
    count: number,
    ip?: string,
  ) {
    for (let i = 0; i < count; i++) {
      const ctx = createExecutionContext();
      const headers: Record<string, string> = { cookie: `ks_${h.service}=${id}` };
      if (ip) headers["cf-connecting-ip"] = ip;
      const response = await h.plane.fetch(
        new Request(`https://${h.service}.test${path}`, { headers }),
        ctx,
      );
      await response.arrayBuffer();
      await waitOnExecutionContext(ctx);
    }
  }

  it("three hostile visitors hammering a failing path cannot roll back a healthy canary", async () => {
    const h = new RolloutHarness("hostile-fail");
    await h.apply(rolloutService("hostile-fail", env.CANARY_ORIGIN, policy));
    await h.command("start");
    const from = h.now();
    const hostile = await h.visitorsOn("canary", 3, "hostile");
    await h.traffic(400); // about 200 honest visitors on the canary, all healthy
    for (const id of hostile) await asVisitor(h, id, "/status/500", 100);
    await h.plane.flushOutcomes();
    const canary = await h.window("canary", from, ["split", "experiment"]);
    // Each visitor counts 3 times: its probe, then 2 of its 100 failures; 98 are left out.
    expect(canary.errors).toBe(6);
    expect(canary.overVisitorLimit).toBe(3 * 98);
    h.advance(2 * MINUTE);
    await h.tick();
    expect((await h.state()).phase).toBe("promoted");
    const judged = await h.lastJudgement();
    expect(judged?.leftOut?.overVisitorLimit).toBe(3 * 98);
  }, 90_000);

  it("three hostile visitors sending cheap successes cannot pass a failing canary", async () => {
    const h = new RolloutHarness("hostile-pass");
    await h.apply(rolloutService("hostile-pass", env.CANARY_ORIGIN, policy));
    await h.command("start");
    const hostile = await h.visitorsOn("canary", 3, "hostile");
    await h.traffic(300); // about 150 honest canary requests that succeed…
    await h.traffic(100, {}, "/status/500"); // …and about 50 that fail: 25 %
    for (const id of hostile) await asVisitor(h, id, "/", 300);
    await h.plane.flushOutcomes();
    h.advance(2 * MINUTE);
    await h.tick();
    expect((await h.state()).phase).toBe("rolledBack");
  }, 90_000);

  it("one hostile visitor hammering a path that differs cannot fail the mirror check: its copies past its share are not made", async () => {
    const h = new RolloutHarness("hostile-mirror");
    await h.apply(
      rolloutService(
        "hostile-mirror",
        env.CANARY_ORIGIN,
        {
          ...policy,
          analysis: { ...policy.analysis, minRequests: 20, maxMirrorMismatchPercent: 20 },
        },
        {
          mirror: {
            version: "canary",
            percent: 100,
            compare: { ignoreFields: ["updatedAt", "requestId"] },
          },
        },
      ),
    );
    await h.command("start");
    // About 30 honest visitors on the stable half, each copied to the healthy canary: all match
    // (a second apart, under the isolate's 50 copies a second).
    for (let i = 0; i < 3; i++) {
      await h.traffic(20, {}, `/items/${i}`);
      h.advance(1_000);
    }
    // One visitor on stable asking for / (the origin's echo, which names the version: every copy
    // differs), 100 times, a second per 20 so the isolate's cap is not what stops its copies.
    const [hostile] = await h.visitorsOn("stable", 1, "hostile");
    for (let i = 0; i < 5; i++) {
      await asVisitor(h, hostile!, "/", 20);
      h.advance(1_000);
    }
    await h.plane.flushOutcomes();
    h.advance(2 * MINUTE);
    await h.tick();
    const judged = await h.lastJudgement();
    // Its share is 3 (the probe and 2 more): the rest are neither counted nor copied.
    expect(judged?.mirror?.mismatched).toBeLessThanOrEqual(3);
    expect((await h.state()).phase).toBe("promoted");
  }, 90_000);

  it("one client address sending a fresh visitor id each time counts at most ten visitors' share", async () => {
    const h = new RolloutHarness("hostile-rotating");
    await h.apply(rolloutService("hostile-rotating", env.CANARY_ORIGIN, policy));
    await h.command("start");
    const from = h.now();
    for (let i = 0; i < 80; i++) await asVisitor(h, `rotated-${i}-visitor`, "/", 1, "203.0.113.66");
    await h.plane.flushOutcomes();
    const counted = async (version: string) => (await h.window(version, from)).requests;
    expect((await counted("stable")) + (await counted("canary"))).toBe(30);
  }, 60_000);
});
