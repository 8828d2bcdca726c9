// Regional waves inside workerd: requests carry request.cf as Cloudflare sets it; a step limited
// to a place sends only that place to the candidate, is judged there, and widens when it ends.
import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RouteEntry } from "../../schemas/routes-doc.ts";
import { statsObjectOf } from "../../worker/contracts.ts";
import { parseMetrics, select } from "../support/prometheus-text.ts";
import { MINUTE, RolloutHarness, rolloutService } from "../support/workerd/rollout-harness.ts";
import { readPublishedEntry } from "../support/workerd/route-kv.ts";
import { Browser, count } from "../support/workerd/visitor-requests.ts";

const NZ = { country: "NZ" };
const US = { country: "US" };
const analysis = { minRequests: 30, maxErrorRatePercent: 5, failureLimit: 0 };
const waveSteps = [
  { weight: 50, bake: "2m", where: { country: ["NZ", "AU"] } },
  { weight: 50, bake: "2m" },
];

async function publishedEntry(service: string) {
  return RouteEntry.parse(await readPublishedEntry(service));
}

/** `n` new visitors from a place, one request each. */
async function visitors(h: RolloutHarness, n: number, cf: Record<string, string>, tag: string) {
  const served: string[] = [];
  for (let i = 0; i < n; i += 25) {
    const batch = Array.from({ length: Math.min(25, n - i) }, (_, j) =>
      new Browser(h, `${tag}-${i + j}-${h.offset}`, cf).get(),
    );
    served.push(...(await Promise.all(batch)));
  }
  await h.plane.flushOutcomes();
  return count(served);
}

describe("a regional wave", () => {
  it("only the named countries reach the candidate; a later step without where widens to everyone", async () => {
    const h = new RolloutHarness("wave");
    await h.apply(
      rolloutService("wave", env.CANARY_ORIGIN, { strategy: "canary", steps: waveSteps, analysis }),
    );
    expect((await h.command("start")).status).toBe(200);
    expect((await publishedEntry("wave")).live?.wave).toEqual({ country: ["NZ", "AU"] });
    const status = (await (await h.api("GET", "/services/wave/rollout")).json()) as {
      place: unknown;
      split: Record<string, number>;
    };
    expect(status.place).toEqual({ country: ["NZ", "AU"] });
    expect(status.split).toEqual({ stable: 50, canary: 50 });
    const metrics = await exports.default.fetch("https://a/_keystone/metrics", {
      headers: { authorization: "Bearer test-read-token" },
    });
    const wave = select(parseMetrics(await metrics.text()), "keystone_rollout_wave_info", {
      service: "wave",
    });
    expect(wave.map((s) => [s.labels.place, s.value])).toEqual([["country NZ, AU", 1]]);

    const explain = async (country: string) =>
      (await (
        await h.api("POST", "/explain", {
          service: "wave",
          request: { country, cookies: { ks_wave: "explained-visitor-1" } },
        })
      ).json()) as { version: string; reason: { kind: string }; why: string[] };
    const outside = await explain("US");
    expect([outside.version, outside.reason.kind]).toEqual(["stable", "wave-outside"]);
    expect(outside.why).toContain("the rollout's current step is a regional wave: country NZ, AU");
    expect((await explain("NZ")).reason.kind).toBe("split");

    const nz = await visitors(h, 100, NZ, "nz");
    const us = await visitors(h, 100, US, "us");
    const nowhere = await visitors(h, 20, {}, "nowhere");
    expect(nz.canary).toBeGreaterThan(20);
    expect(us).toEqual({ stable: 100 });
    expect(nowhere).toEqual({ stable: 20 });

    h.advance(2 * MINUTE + 1);
    await h.tick();
    expect(await h.state()).toMatchObject({ phase: "progressing", stepIndex: 1 });
    expect((await publishedEntry("wave")).live?.wave).toBeNull();
    expect((await visitors(h, 100, US, "us-later")).canary).toBeGreaterThan(20);
  }, 30_000);

  it("a failure inside the region rolls it back before any other region saw the candidate", async () => {
    const h = new RolloutHarness("wave-fail");
    await h.apply(
      rolloutService("wave-fail", env.FAULTY_ORIGIN, {
        strategy: "canary",
        steps: waveSteps,
        analysis,
      }),
    );
    await h.command("start");
    const seenElsewhere: Record<string, number>[] = [];
    let sentInPlace = 0;
    for (let minute = 0; minute < 3; minute++) {
      await visitors(h, 120, NZ, `nz-${minute}`);
      sentInPlace += 120;
      seenElsewhere.push(await visitors(h, 60, US, `us-${minute}`));
      h.advance(MINUTE);
      await h.tick();
      if ((await h.state()).phase === "rolledBack") break;
    }
    const state = await h.state();
    expect(state.phase).toBe("rolledBack");
    expect(state.stepIndex).toBe(0);
    expect(seenElsewhere.every((seen) => Object.keys(seen).join() === "stable")).toBe(true);
    // The candidate's own figures hold the wave's requests only; those from elsewhere were the
    // baseline's, recorded apart and left out of the verdict.
    const canaryRoutes = await runInDurableObject(
      statsObjectOf(env, "wave-fail", "canary"),
      (object) => object.totals().map((t) => t.route),
    );
    expect(canaryRoutes).toEqual(["split"]);
    const stableRoutes = await runInDurableObject(
      statsObjectOf(env, "wave-fail", "stable"),
      (object) => object.totals().map((t) => t.route),
    );
    expect(stableRoutes.sort()).toEqual(["split", "wave-outside"]);
    // The verdict compared the versions within the place: every NZ request, no US one.
    const verdict = state.lastVerdict!;
    expect(verdict.candidate!.requests + verdict.baseline!.requests).toBe(sentInPlace);
  }, 30_000);
});
