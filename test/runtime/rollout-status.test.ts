// What rollout status and the admin API tell an operator, inside workerd: ISO times, per-track
// releases, the fast-abort halt scoped to the rollout that ended, phase refusals, bad input at
// the rollout and webhook entry points, and warnings about missing secrets.
import { createExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createAdminApi } from "../../worker/admin/app.ts";
import { signDeployHook } from "../../worker/admin/deploy-hook-gate.ts";
import { RolloutHarness, rolloutService } from "../support/workerd/rollout-harness.ts";

interface Status {
  state: { id: string; phase: string; startedAt: string; lastVerdict: { at: string } };
  tracks: { track: string; release: string | null; weight: number }[];
  countedRoutes: string[] | null;
  halt: {
    rolloutId: string;
    version: string;
    sequence: number;
    acknowledgedAt: string | null;
    until: string | null;
    mayHold: boolean;
  } | null;
  now: string;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

async function haltStoredIn(statsName: string): Promise<unknown> {
  return env.STATS.get(env.STATS.idFromName(statsName)).currentHalt();
}

describe("rollout status", () => {
  it("after an abort: ISO times, the halt of that rollout's candidate, and how long it may hold", async () => {
    const h = new RolloutHarness("told");
    await h.apply(
      rolloutService("told", env.CANARY_ORIGIN, {
        strategy: "canary",
        steps: [{ weight: 30, bake: "10m" }],
      }),
    );
    await h.command("start");
    const running = (await (await h.api("GET", "/services/told/rollout")).json()) as Status;
    expect(running.state.startedAt).toMatch(ISO);
    // Before the first cron tick there is no tick time: null, not 1970.
    expect((running.state as unknown as { lastTickAt: string | null }).lastTickAt).toBeNull();
    expect(running.now).toMatch(ISO);
    expect(running.countedRoutes).toEqual(["split", "experiment"]);
    expect(running.tracks).toEqual([
      { track: "stable", origin: env.STABLE_ORIGIN, release: "v1", weight: 70 },
      { track: "canary", origin: env.CANARY_ORIGIN, release: "v2", weight: 30 },
    ]);

    await h.command("abort");
    const ended = (await (await h.api("GET", "/services/told/rollout")).json()) as Status;
    expect(ended.halt).toMatchObject({
      rolloutId: running.state.id,
      version: "canary",
      mayHold: true,
    });
    expect(ended.halt?.acknowledgedAt).toMatch(ISO); // the registry took the rollback's publication
    expect(Date.parse(ended.halt!.until!)).toBeGreaterThan(Date.parse(ended.halt!.acknowledgedAt!));
    expect(await haltStoredIn("told/canary")).toEqual({
      rolloutId: running.state.id,
      sequence: ended.halt!.sequence,
    });

    const refused = await h.command("pause");
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("wrong_phase");

    // A new rollout lifts the old halt, in the status and in the candidate's stats object.
    await h.command("start");
    const again = (await (await h.api("GET", "/services/told/rollout")).json()) as Status;
    expect(again.halt).toBeNull();
    expect(again.state.id).not.toBe(running.state.id);
    expect(await haltStoredIn("told/canary")).toBeNull();
  });
});

describe("values that end up on the wire", () => {
  it("rollout start refuses a release that cannot be a header and an origin with credentials", async () => {
    const h = new RolloutHarness("wire");
    await h.apply(
      rolloutService("wire", env.CANARY_ORIGIN, {
        strategy: "canary",
        steps: [{ weight: 10, bake: "1m" }],
      }),
    );
    const bad = await h.command("start", {
      release: "v3\nx-evil: 1",
      origin: "https://user:pw@example.com",
    });
    expect(bad.status).toBe(422);
    const { error } = (await bad.json()) as { error: { problems: { path: string }[] } };
    expect(error.problems.map((p) => p.path).sort()).toEqual(["origin", "release"]);
    expect(await h.state()).toBeNull();

    // The CI deploy webhook is the same entry point for the same values.
    const body = JSON.stringify({ service: "wire", release: "v3\r\nx-evil: 1" });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const hooked = await exports.default.fetch("https://a/_keystone/v1/hooks/deploy", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-keystone-timestamp": timestamp,
        "x-keystone-signature": signDeployHook("test-webhook-secret", timestamp, body),
      },
      body,
    });
    expect(hooked.status).toBe(422);
    const refused = (await hooked.json()) as { error: { problems: { path: string }[] } };
    expect(refused.error.problems.map((p) => p.path)).toEqual(["release"]);
    expect(await h.state()).toBeNull();
  });
});

describe("warnings about missing secrets", () => {
  it("the health endpoint and the service list name each secret that is unset", async () => {
    const api = createAdminApi();
    const bare = {
      ...env,
      NOTIFY_SECRET: undefined,
      OVERRIDE_SECRET: undefined,
      AFFINITY_SECRET: undefined,
    };
    const health = await api.fetch(
      new Request("https://a/_keystone/health", {
        headers: { authorization: "Bearer test-read-token" },
      }),
      bare,
      createExecutionContext(),
    );
    const { warnings } = (await health.json()) as { warnings: string[] };
    expect(warnings).toEqual([
      "NOTIFY_SECRET is not set: notify events are sent unsigned (set the secret)",
      "OVERRIDE_SECRET is not set: x-keystone-override tokens are ignored and cannot be minted",
      "AFFINITY_SECRET is not set: sticky.affinity version pins and sticky.group visitor headers are off",
    ]);
    const full = await api.fetch(
      new Request("https://a/_keystone/health", {
        headers: { authorization: "Bearer test-read-token" },
      }),
      env,
      createExecutionContext(),
    );
    expect(await full.json()).toEqual({ ok: true, warnings: [] });
  });
});
