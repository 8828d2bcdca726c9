// A rollout that can never count a request, inside workerd: blue/green's first check with no
// counted preview rule holds, its verdict says why and how to fix it, and after 10 minutes with no
// eligible traffic the cron records rollout.noTraffic once (history, a real notify receiver).
// (rollout status reads the Worker's own clock: its sentence is tested in eligible-traffic.test.ts.)
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  blueGreenService,
  MINUTE,
  RolloutHarness,
  received,
} from "../support/workerd/rollout-harness.ts";

/** Each service's own receiver: the cron ticks every service, so paths must not be shared. */
const hookOf = (service: string) => `/hooks/no-traffic/${service}`;

/** Blue/green whose only preview rule is not counted: the first check can count nothing. */
const blueGreen = (name: string) =>
  blueGreenService(
    name,
    { analysis: { minRequests: 10 } },
    { notify: [{ url: `${env.STABLE_ORIGIN}${hookOf(name)}`, events: ["rollout.noTraffic"] }] },
  );

describe("blue/green whose first check can count nothing", () => {
  it("holds with a verdict that says what it counts and how to send it some", async () => {
    const h = new RolloutHarness("bg-starved");
    await h.apply(blueGreen("bg-starved"));
    await h.command("start");
    await h.traffic(30); // public traffic: all blue, none of it counts for green
    await h.traffic(30, { "x-preview": "1" }); // reaches green, but the rule is not counted
    h.advance(2 * MINUTE);
    await h.tick();
    const state = await h.state();
    expect(state).toMatchObject({ phase: "progressing", stepIndex: 0, weight: 0 });
    expect(state.lastVerdict?.reason).toBe(
      `only 0 of 10 requests needed to judge in this step's window: holding: green is at 0 %, so this check counts only preview traffic: requests with an override token (keystone override-token bg-starved green) and rules named in analysis.countRules that route to green (none does: "preview" is not named there); send preview requests with an override token, or name a preview rule only your team can reach in analysis.countRules`,
    );
  });

  it("after 10 minutes without eligible traffic: rollout.noTraffic once, to history and a receiver", async () => {
    const h = new RolloutHarness("bg-quiet");
    await h.apply(blueGreen("bg-quiet"));
    await h.command("start");
    for (let minute = 1; minute <= 9; minute++) {
      await h.traffic(10);
      h.advance(MINUTE);
      await h.tick();
    }
    expect((await h.history()).some((e) => e.type === "rollout.noTraffic")).toBe(false);
    for (let minute = 10; minute <= 14; minute++) {
      await h.traffic(10);
      h.advance(MINUTE);
      await h.tick();
    }
    const told = (await h.history()).filter((e) => e.type === "rollout.noTraffic");
    expect(told).toHaveLength(1);
    expect(told[0]?.reason).toMatch(
      /^no eligible traffic for 1\dm in step 1 of 2 at 0%: green is at 0 %, so this check counts only preview traffic/,
    );
    const { hits, last } = await received(env.STABLE_ORIGIN, hookOf("bg-quiet"));
    expect(hits).toBe(1);
    expect(last?.headers["x-keystone-event"]).toBe("rollout.noTraffic");
    expect(JSON.parse(last!.body)).toMatchObject({
      event: "rollout.noTraffic",
      text: expect.stringMatching(/^bg-quiet: rollout noTraffic — no eligible traffic for 1\dm/),
    });
  }, 60_000);
});
