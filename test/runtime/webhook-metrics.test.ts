// The CI deploy webhook (HMAC, freshness, replay) and /_keystone/metrics, inside workerd.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signDeployHook } from "../../worker/admin/deploy-hook.ts";
import { RolloutHarness, rolloutService } from "./rollout-harness.ts";

function hook(
  body: string,
  timestamp = String(Math.floor(Date.now() / 1000)),
  secret = "test-webhook-secret",
) {
  return exports.default.fetch("https://a/_keystone/v1/hooks/deploy", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-keystone-timestamp": timestamp,
      "x-keystone-signature": signDeployHook(secret, timestamp, body),
    },
    body,
  });
}

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

describe("/_keystone/metrics", () => {
  it("exports counters, the latency histogram, weights and rollout phase in Prometheus format", async () => {
    const h = new RolloutHarness("metered");
    await h.apply(
      rolloutService("metered", env.CANARY_ORIGIN, {
        strategy: "canary",
        steps: [{ weight: 50, bake: "5m" }],
      }),
    );
    await h.command("start");
    const seen = await h.traffic(120);
    const unauthenticated = await exports.default.fetch("https://a/_keystone/metrics");
    expect(unauthenticated.status).toBe(401);
    const response = await exports.default.fetch("https://a/_keystone/metrics", {
      headers: { authorization: "Bearer test-read-token" },
    });
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toContain(
      `keystone_requests_total{service="metered",version="canary"} ${seen.get("canary")}`,
    );
    expect(text).toContain(
      `keystone_requests_total{service="metered",version="stable"} ${seen.get("stable")}`,
    );
    expect(text).toContain('keystone_errors_total{service="metered",version="canary"} 0');
    expect(text).toMatch(
      /keystone_request_duration_ms_bucket\{service="metered",version="canary",le="\+Inf"\} \d+/,
    );
    expect(text).toContain(
      'keystone_version_weight_percent{service="metered",version="canary"} 50',
    );
    expect(text).toContain('keystone_rollout_phase{service="metered",phase="progressing"} 1');
    expect(text).toContain('keystone_rollout_step{service="metered"} 1');
    expect(text).toContain('keystone_deployments_total{service="metered",outcome="promoted"} 0');
  });
});
