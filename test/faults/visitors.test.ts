// Fault suite, item 20.2: no visitor decides a window. A client cannot pick a visitor id that
// lands on the candidate (the bucket hash is keyed by BUCKET_SECRET), and each visitor counts in
// analysis at most a bounded number of times a minute, so a handful of clients can neither fail
// a healthy canary nor pass a failing one.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bucketOf } from "../../worker/core/hash.ts";
import { createDataPlane } from "../../worker/data-plane/handler.ts";
import { RolloutHarness } from "../runtime/rollout-harness.ts";
import { entryOf, publishRaw, serviceOn } from "./support.ts";

async function versionFor(plane: ReturnType<typeof createDataPlane>, host: string, cookie: string) {
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
    const plane = createDataPlane(env);
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
