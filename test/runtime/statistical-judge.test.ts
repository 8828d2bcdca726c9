// The statistical judge in a real rollout inside workerd: real origins with real error rates,
// real stats objects, the Worker's scheduled() on a controlled clock; the verdicts explained.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RolloutVerdicts } from "../../schemas/verdict-log.ts";
import { MINUTE, RolloutHarness, rolloutService } from "../support/workerd/rollout-harness.ts";

async function verdicts(h: RolloutHarness): Promise<RolloutVerdicts> {
  const response = await h.api("GET", `/services/${h.service}/rollout/verdicts?last=50`);
  expect(response.status).toBe(200);
  return RolloutVerdicts.parse(await response.json());
}

/** Traffic and a cron tick a minute, until the rollout leaves progressing (or `minutes` pass). */
async function runMinutes(h: RolloutHarness, perMinute: number, minutes: number) {
  for (let minute = 0; minute < minutes; minute++) {
    await h.traffic(perMinute);
    h.advance(MINUTE);
    await h.tick();
    if ((await h.state()).phase !== "progressing") return;
  }
}

describe("a rollout with judge: statistical", () => {
  it("rolls back a candidate with 3 pp more errors than its baseline, and explains it with the numbers", async () => {
    const h = new RolloutHarness("judged-worse");
    await h.apply(
      rolloutService(
        "judged-worse",
        env.FOUR_PERCENT_ORIGIN,
        {
          strategy: "canary",
          steps: [{ weight: 50, bake: "30m" }],
          analysis: { judge: "statistical", failureLimit: 0 },
        },
        {
          versions: {
            stable: { origin: env.ONE_PERCENT_ORIGIN, release: "v1" },
            canary: { origin: env.FOUR_PERCENT_ORIGIN, release: "v2" },
          },
        },
      ),
    );
    await h.command("start");
    await runMinutes(h, 1000, 8);

    expect((await h.state()).phase).toBe("rolledBack");
    const { judge, verdicts: list } = await verdicts(h);
    expect(judge).toBe("statistical");
    const last = list.at(-1)!;
    expect(last.verdict.outcome).toBe("rollback");
    const check = last.verdict.judgement?.statistical?.checks[0];
    expect(check?.check).toBe("errorRate");
    expect(check?.outcome).toBe("fail");
    expect(check?.sentence).toMatch(
      /^error rate 4\.\d % vs (0\.9\d|1\.\d) % baseline over [\d,]+ vs [\d,]+ requests: \+\d\.\d pp \(.*\), .* confidence it is worse by more than 0\.50 pp → fail$/,
    );
    // The looks before it had too little evidence, and held.
    expect(list.slice(1, -1).every((e) => e.verdict.outcome === "inconclusive")).toBe(true);
    const rolledBack = (await h.history()).find((e) => e.type === "rollout.rolledBack");
    expect(rolledBack?.reason).toBe(`${check?.sentence} (1 failed analysis in this step, limit 0)`);
    expect(await h.traffic(100)).toEqual(new Map([["stable", 100]]));
  }, 120_000);

  it("promotes a healthy candidate once it is sure the candidate is no worse", async () => {
    const h = new RolloutHarness("judged-healthy");
    await h.apply(
      rolloutService("judged-healthy", env.CANARY_ORIGIN, {
        strategy: "canary",
        steps: [{ weight: 50, bake: "2m" }],
        analysis: { judge: "statistical", minErrorRateIncreasePercent: 2, maxLatencyRatio: 1.5 },
      }),
    );
    await h.command("start");
    await runMinutes(h, 1000, 8);

    expect((await h.state()).phase).toBe("promoted");
    const last = (await verdicts(h)).verdicts.at(-1)!;
    expect(last.verdict.outcome).toBe("promote");
    expect(last.verdict.judgement?.statistical).toMatchObject({
      outcome: "pass",
      checks: [
        { check: "errorRate", outcome: "pass", candidateRatePercent: 0, baselineRatePercent: 0 },
        { check: "latency", outcome: "pass" },
      ],
    });
    expect(last.verdict.reason).toMatch(/not worse by more than 2\.0 pp → pass/);
    const bad = await h.api("GET", `/services/${h.service}/rollout/verdicts?last=0`);
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({
      error: { code: "invalid", problems: [{ path: "last" }] },
    });
  }, 120_000);
});
