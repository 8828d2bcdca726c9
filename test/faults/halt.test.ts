// Fault suite, item 3 (halt lifecycle) and what explain says: an abort's fast halt diverts the
// candidate only until the isolate holds the table that carries the abort; from then on,
// deliberate traffic to the candidate (a rule, the operator's weights) is obeyed.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ExplainResult } from "../../schemas/api.ts";
import { RolloutHarness, rolloutService } from "../support/workerd/rollout-harness.ts";
import { flushRegistry } from "../support/workerd/route-kv.ts";

const FORCE = { "x-canary": "always" };

async function abortedRollout(name: string): Promise<RolloutHarness> {
  const h = new RolloutHarness(name);
  await h.apply(
    rolloutService(
      name,
      env.CANARY_ORIGIN,
      { strategy: "canary", steps: [{ weight: 50, bake: "10m" }] },
      {
        rules: [
          {
            name: "force-canary",
            when: { header: { name: "x-canary", equals: "always" } },
            route: "canary",
          },
        ],
      },
    ),
  );
  await h.command("start");
  await h.traffic(20);
  // Abort through the API; this isolate keeps its stale table (the 50% split) for now.
  expect((await h.api("POST", `/services/${name}/rollout/abort`, {})).status).toBe(200);
  await flushRegistry();
  return h;
}

async function explain(
  h: RolloutHarness,
  request: Record<string, unknown>,
): Promise<ExplainResult> {
  const response = await h.api("POST", "/explain", { service: h.service, request });
  return (await response.json()) as ExplainResult;
}

describe("item 3: an abort's halt is lifted by the table that carries it", () => {
  it("after the newer table arrives, a rule and the operator's weights reach the candidate again", async () => {
    const h = await abortedRollout("lifted");
    await h.traffic(20); // the flush answer carries the halt
    expect(h.plane.counters().haltedVersions).toEqual(["lifted/canary"]);
    expect(await h.traffic(10, FORCE)).toEqual(new Map([["stable", 10]]));

    await h.plane.cache.refresh(h.now()); // the table published by the abort
    expect(await h.traffic(10, FORCE)).toEqual(new Map([["canary", 10]]));
    // The stats object still answers the halt on every flush; this isolate has passed it.
    expect(await h.traffic(10, FORCE)).toEqual(new Map([["canary", 10]]));
    expect(h.plane.counters().haltedVersions).toEqual([]);

    const weights = await h.api("POST", "/services/lifted/weights", {
      split: { stable: 0, canary: 100 },
    });
    expect(weights.status).toBe(200);
    await h.syncRoutes();
    expect(await h.traffic(20)).toEqual(new Map([["canary", 20]]));
  });
});

describe("explain", () => {
  it("says when a version is halted, and answers as the isolates do until the table passes the halt", async () => {
    const h = await abortedRollout("explained");
    expect((await explain(h, { headers: FORCE })).version).toBe("canary");

    // A halt whose publication has not reached KV yet (the moments after an abort).
    const stats = env.STATS.get(env.STATS.idFromName("explained/canary"));
    const { sequence } = (await stats.currentHalt())!;
    await stats.halt({ rolloutId: "r-later", sequence: sequence + 1 });
    const halted = await explain(h, { headers: FORCE });
    expect(halted.version).toBe("stable");
    expect(halted.reason).toMatchObject({ kind: "halted", from: "canary", rolloutId: "r-later" });
    expect(halted.why.at(-1)).toMatch(
      /canary is halted: rollout r-later ended badly; .* below sequence \d+/,
    );

    await stats.resume("r-later");
    expect((await explain(h, { headers: FORCE })).version).toBe("canary");
  });

  it("names a sticky cookie that is present but not a valid visitor id", async () => {
    const h = new RolloutHarness("cookied");
    await h.apply(
      rolloutService("cookied", env.CANARY_ORIGIN, {
        strategy: "canary",
        steps: [{ weight: 5, bake: "1m" }],
      }),
    );
    const result = await explain(h, { cookies: { ks_cookied: "abc" } });
    expect(result.visitor).toBe("minted");
    expect(result.why[0]).toMatch(
      /^cookie ks_cookied is present but "abc" is not a valid Keystone visitor id .* re-minted/,
    );
    const absent = await explain(h, {});
    expect(absent.why[0]).toMatch(/^no ks_cookied cookie/);
  });
});
