// Races an operator would meet, inside workerd: two applies claiming one host, a host swap in one
// file, a revert to a host another service took, and cron ticks delivered twice or late.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ServiceInput } from "../../schemas/service.ts";
import { localShop } from "../support/workerd/publish.ts";
import { MINUTE, RolloutHarness, rolloutService } from "../support/workerd/rollout-harness.ts";
import { flushRegistry, readPublished } from "../support/workerd/route-kv.ts";

const h = new RolloutHarness("claims");
const svc = (name: string, host: string, extra: Partial<ServiceInput> = {}): ServiceInput => ({
  ...localShop(),
  name,
  hosts: [host],
  ...extra,
});

async function hostsInKv(): Promise<Map<string, string[]>> {
  await flushRegistry();
  const doc = await readPublished();
  return new Map(doc.services.map((s) => [s.name, s.config.hosts]));
}

async function errorOf(
  response: Response,
): Promise<{ status: number; code: string; message: string }> {
  const { error } = (await response.json()) as { error: { code: string; message: string } };
  return { status: response.status, ...error };
}

describe("host claims", () => {
  it("two concurrent applies claiming one host: exactly one wins, the other is told who owns it", async () => {
    const [a, b] = await Promise.all([
      h.api("PUT", "/services/race-a", { config: svc("race-a", "contested.test") }),
      h.api("PUT", "/services/race-b", { config: svc("race-b", "contested.test") }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const [winner, loser] = a.status === 200 ? ["race-a", b] : ["race-b", a];
    expect(await errorOf(loser)).toMatchObject({
      status: 409,
      code: "host_claimed",
      message: `host contested.test with pathPrefix / is already served by service "${winner}"`,
    });
    const kv = await hostsInKv();
    expect(kv.get(winner)).toEqual(["contested.test"]);
    expect(kv.has(winner === "race-a" ? "race-b" : "race-a")).toBe(false);
  });

  it("a host swap between two services in one file lands entirely, or not at all", async () => {
    await h.api("POST", "/apply", {
      services: [
        { config: svc("swap-a", "a.swap.test") },
        { config: svc("swap-b", "b.swap.test") },
      ],
    });
    // Half a swap alone cannot land: the other service still holds the host.
    const half = await h.api("PUT", "/services/swap-a", { config: svc("swap-a", "b.swap.test") });
    expect(await errorOf(half)).toMatchObject({ code: "host_claimed" });

    // One of the two is stale: nothing is stored, for either.
    const stale = await h.api("POST", "/apply", {
      services: [
        { config: svc("swap-a", "b.swap.test"), baseRevision: 1 },
        { config: svc("swap-b", "a.swap.test"), baseRevision: 0 },
      ],
    });
    expect(await errorOf(stale)).toMatchObject({ status: 409, code: "conflict" });
    const before = await hostsInKv();
    expect([before.get("swap-a"), before.get("swap-b")]).toEqual([
      ["a.swap.test"],
      ["b.swap.test"],
    ]);
    const record = (await (await h.api("GET", "/services/swap-a")).json()) as { revision: number };
    expect(record.revision).toBe(1);

    const swapped = await h.api("POST", "/apply", {
      services: [
        { config: svc("swap-a", "b.swap.test"), baseRevision: 1 },
        { config: svc("swap-b", "a.swap.test"), baseRevision: 1 },
      ],
    });
    expect(await swapped.json()).toMatchObject({
      services: [
        { name: "swap-a", revision: 2, changed: true },
        { name: "swap-b", revision: 2, changed: true },
      ],
    });
    const kv = await hostsInKv();
    expect([kv.get("swap-a"), kv.get("swap-b")]).toEqual([["b.swap.test"], ["a.swap.test"]]);
  });

  it("a plan (diff) says apply's refusal of a host another service serves; a swap in one file plans clean", async () => {
    await h.api("POST", "/apply", {
      services: [
        { config: svc("plan-owner", "owned.plan.test") },
        { config: svc("plan-other", "other.plan.test") },
      ],
    });
    const plan = async (services: { config: ServiceInput }[]) =>
      (await (await h.api("POST", "/plan", { services })).json()) as {
        services: { name: string; refused: { code: string; message: string } | null }[];
      };
    const thief = await plan([{ config: svc("plan-thief", "owned.plan.test") }]);
    expect(thief.services).toMatchObject([
      {
        name: "plan-thief",
        refused: {
          code: "host_claimed",
          message:
            'host owned.plan.test with pathPrefix / is already served by service "plan-owner"',
        },
      },
    ]);
    // What apply then does: refuses it, nothing stored.
    const applied = await h.api("POST", "/apply", {
      services: [{ config: svc("plan-thief", "owned.plan.test") }],
    });
    expect(await errorOf(applied)).toMatchObject({ code: "host_claimed" });
    const swap = await plan([
      { config: svc("plan-owner", "other.plan.test") },
      { config: svc("plan-other", "owned.plan.test") },
    ]);
    expect(swap.services.map((s) => s.refused)).toEqual([null, null]);
  });

  it("revert refuses a host another service now serves, naming it", async () => {
    await h.api("PUT", "/services/rev-a", { config: svc("rev-a", "x.rev.test") });
    await h.api("PUT", "/services/rev-a", { config: svc("rev-a", "y.rev.test"), baseRevision: 1 });
    await h.api("PUT", "/services/rev-b", { config: svc("rev-b", "x.rev.test") });
    const revert = await h.api("POST", "/services/rev-a/revert", { to: 1, baseRevision: 2 });
    expect(await errorOf(revert)).toMatchObject({
      status: 409,
      code: "host_claimed",
      message: 'host x.rev.test with pathPrefix / is already served by service "rev-b"',
    });
    expect(
      ((await (await h.api("GET", "/services/rev-a")).json()) as { revision: number }).revision,
    ).toBe(2);
  });

  it("a deleted service's hosts are free again, and applying its file again creates it anew", async () => {
    await h.api("PUT", "/services/del-a", { config: svc("del-a", "del.test") });
    expect((await h.api("DELETE", "/services/del-a", { baseRevision: 1 })).status).toBe(200);
    const again = await h.api("PUT", "/services/del-a", {
      config: svc("del-a", "del.test"),
      baseRevision: 0,
    });
    expect(await again.json()).toMatchObject({ name: "del-a", revision: 3, changed: true });
    expect((await hostsInKv()).get("del-a")).toEqual(["del.test"]);
  });
});

describe("cron ticks", () => {
  it("a tick delivered twice advances once; one scheduled before the current step began changes nothing", async () => {
    const t = new RolloutHarness("twice");
    await t.apply(
      rolloutService("twice", env.CANARY_ORIGIN, {
        strategy: "canary",
        steps: [
          { weight: 10, bake: "1m" },
          { weight: 30, bake: "1m" },
          { weight: 60, bake: "1m" },
        ],
        analysis: { minRequests: 5, maxErrorRatePercent: 5, failureLimit: 0 },
      }),
    );
    await t.command("start");
    const service = env.SERVICES.get(env.SERVICES.idFromName("twice"));
    // A tick the cron scheduled before the rollout started, delivered late: nothing to judge yet.
    const started = Date.parse((await t.state()).stepStartedAt as unknown as string);
    expect(await service.tick(started - 1)).toEqual({
      ticked: false,
      why: "this tick was scheduled before the current step began",
    });
    await t.traffic(200);
    t.advance(2 * MINUTE);
    const at = t.now();
    const [first, second] = await Promise.all([service.tick(at), service.tick(at)]);
    expect([first, second]).toContainEqual({ ticked: false, why: "this tick was already applied" });
    expect([first, second]).toContainEqual(
      expect.objectContaining({ ticked: true, outcome: "advance" }),
    );
    expect(await service.tick(at)).toEqual({
      ticked: false,
      why: "this tick was already applied",
    });
    expect((await t.state()).weight).toBe(30);
  });
});
