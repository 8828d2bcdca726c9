// The CI deploy webhook (HMAC, freshness, replay) and signed notifications, inside workerd.

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hook } from "../support/workerd/deploy-hook-request.ts";
import { RolloutHarness, rolloutService } from "../support/workerd/rollout-harness.ts";

describe("the CI deploy webhook", () => {
  it("starts a rollout with the given origin and release; refuses replays, stale and forged requests", async () => {
    const h = new RolloutHarness("hooked");
    await h.apply(
      rolloutService("hooked", env.STABLE_ORIGIN, {
        strategy: "canary",
        steps: [{ weight: 10, bake: "5m" }],
      }),
    );
    const body = JSON.stringify({ service: "hooked", origin: env.CANARY_ORIGIN, release: "v9" });
    const timestamp = String(Math.floor(Date.now() / 1000));

    const accepted = await hook(body, timestamp);
    expect(accepted.status).toBe(200);
    expect(await h.state()).toMatchObject({ phase: "progressing", weight: 10 });
    const record = (await (await h.api("GET", "/services/hooked")).json()) as {
      config: { versions: { canary: { origin: string; release: string } } };
    };
    expect(record.config.versions.canary).toMatchObject({
      origin: env.CANARY_ORIGIN,
      release: "v9",
    });

    const replay = await hook(body, timestamp);
    expect(replay.status).toBe(401);
    expect(await replay.text()).toContain("replay");

    const stale = await hook(body, String(Math.floor(Date.now() / 1000) - 6 * 60));
    expect(stale.status).toBe(401);
    expect(await stale.text()).toContain("more than 5 minutes");

    const forged = await hook(body, undefined, "wrong-secret");
    expect(forged.status).toBe(401);
    expect(await forged.text()).toContain("signature does not match");
  });
});

describe("the CI deploy webhook's release files", () => {
  it("refuses one that would take a service back, as apply refuses that release; a newer one starts", async () => {
    const h = new RolloutHarness("hook-back");
    const spec = {
      name: "hook-back",
      hosts: ["hook-back.test"],
      release: { name: "v9.0.0", origin: env.STABLE_ORIGIN },
      rollout: { strategy: "canary", steps: [{ weight: 10, bake: "5m" }] },
    };
    expect((await h.api("PUT", "/services/hook-back", { config: spec })).status).toBe(200);
    const file = (name: string, release: string) =>
      JSON.stringify({
        name,
        services: [{ service: "hook-back", release, origin: env.CANARY_ORIGIN }],
      });

    // A pipeline of an older build run again: nothing starts, and it says why.
    const back = await hook(file("back-rel", "v1.3.0"));
    expect(back.status).toBe(409);
    expect(await back.text()).toMatch(
      /deploy webhook refused release \\"back-rel\\": service \\"hook-back\\": would serve v1\.3\.0 while v9\.0\.0 serves/,
    );
    expect(await h.state()).toBeNull();

    const ahead = await hook(file("ahead-rel", "v9.1.0"));
    expect(ahead.status).toBe(200);
    expect(await h.state()).toMatchObject({
      phase: "progressing",
      heldBy: { release: "ahead-rel" },
    });
  });
});

describe("notify", () => {
  it("posts a signed, Slack-compatible event when a rollout is aborted", async () => {
    const h = new RolloutHarness("notified");
    const hook = `${env.STABLE_ORIGIN}/hooks/notified`;
    await h.apply(
      rolloutService(
        "notified",
        env.CANARY_ORIGIN,
        { strategy: "canary", steps: [{ weight: 10, bake: "5m" }] },
        {
          notify: [{ url: hook, events: ["rollout.aborted"] }],
        },
      ),
    );
    await h.command("start");
    await h.command("abort");
    const last = await lastRequest(`${env.STABLE_ORIGIN}/__last?path=/hooks/notified`);
    expect(last?.method).toBe("POST");
    const event = JSON.parse(last!.body) as { event: string; service: string; text: string };
    expect(event).toMatchObject({ event: "rollout.aborted", service: "notified" });
    expect(event.text).toContain("notified: rollout aborted");
    const timestamp = last!.headers["x-keystone-timestamp"]!;
    expect(last!.headers["x-keystone-signature"]).toBe(
      hmacHex("test-notify-secret", `${timestamp}.${last!.body}`),
    );
  });
});

describe("a notification whose receiver takes seconds", () => {
  it("keeps the object's alarm ahead while it is delivered, not due at once over and over", async () => {
    // The receiver answers after 2 s. While the notification is in flight the alarm is only the
    // backstop should the object be evicted: due at once, it fired, passed over the entry in
    // flight and was set again, hundreds of times a second, until the receiver answered.
    const h = new RolloutHarness("slow-notified");
    const hook = `${env.STABLE_ORIGIN}/hooks/slow-notified?delay=2000`;
    await h.apply(
      rolloutService(
        "slow-notified",
        env.CANARY_ORIGIN,
        { strategy: "canary", steps: [{ weight: 10, bake: "5m" }] },
        { notify: [{ url: hook, events: ["rollout.aborted"] }] },
      ),
    );
    await h.command("start");
    const object = env.SERVICES.get(env.SERVICES.idFromName("slow-notified"));
    await h.command("abort");
    const alarms: (number | null)[] = [];
    const sample = async () => {
      const [alarm, now] = await runInDurableObject(object, async (_, state) => [
        await state.storage.getAlarm(),
        Date.now(),
      ]);
      alarms.push(alarm === null ? null : alarm - now);
    };
    await sample();
    // An alarm that falls due meanwhile (a tick, a retry: run here at once) passes over the entry
    // in flight, and must set the next one ahead, not at the entry's due time, long past.
    expect(await runDurableObjectAlarm(object)).toBe(true);
    const sampledUntil = Date.now() + 1_000;
    while (Date.now() < sampledUntil) {
      await sample();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Each sample: how far ahead the alarm was. The rollout's tick is minutes away; the backstop
    // for the notification in flight 10 s.
    expect(alarms.length).toBeGreaterThan(5);
    for (const ahead of alarms) expect(ahead).toBeGreaterThan(5_000);
    const delivered = await lastRequest(
      `${env.STABLE_ORIGIN}/__last?path=/hooks/slow-notified`,
      100,
    );
    expect(delivered?.method).toBe("POST");
  });
});

function hmacHex(secret: string, payload: string): string {
  return `sha256=${createHmac("sha256", secret).update(payload).digest("hex")}`;
}

interface SeenRequest {
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** What the origin last received on a path; notifications are sent after the response, so poll. */
async function lastRequest(url: string, attempts = 50): Promise<SeenRequest | null> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const seen = (await (await fetch(url)).json()) as SeenRequest | null;
    if (seen) return seen;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return null;
}
