// Version affinity inside workerd: real pins in cookies and headers, weights changed through the
// admin API (what `keystone weights` calls), rollbacks through the ledger, tables through KV.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signPin } from "../../worker/core/affinity.ts";
import { MINUTE, RolloutHarness, rolloutService } from "../support/workerd/rollout-harness.ts";
import { Browser, send } from "../support/workerd/visitor-requests.ts";

const affinity = { sticky: { affinity: { maxAgeSeconds: 1800 } } };

async function pinnedService(name: string, split: Record<string, number>) {
  const h = new RolloutHarness(name);
  await h.apply(
    rolloutService(
      name,
      env.CANARY_ORIGIN,
      { strategy: "canary", steps: [{ weight: 50, bake: "10m" }] },
      { split, ...affinity },
    ),
  );
  return h;
}

async function weights(h: RolloutHarness, split: Record<string, number>) {
  const response = await h.api("POST", `/services/${h.service}/weights`, { split });
  expect(response.status).toBe(200);
  await h.syncRoutes();
}

const visitAll = (browsers: Browser[], path = "/") => Promise.all(browsers.map((b) => b.get(path)));

describe("version affinity", () => {
  it("visitors pinned at 10% keep their version across weights raised to 50% and dropped to 0%", async () => {
    const h = await pinnedService("pinned", { stable: 90, canary: 10 });
    const browsers = Array.from({ length: 120 }, (_, i) => new Browser(h, `pinned-visitor-${i}`));
    const first = await visitAll(browsers);
    expect(first.filter((v) => v === "canary").length).toBeGreaterThan(5);
    expect(browsers.every((b) => b.jar.has("ks_pin_pinned"))).toBe(true);

    await weights(h, { stable: 50, canary: 50 });
    expect(await visitAll(browsers)).toEqual(first);
    await weights(h, { stable: 100, canary: 0 });
    expect(await visitAll(browsers)).toEqual(first);
    // New visitors follow the weights of now.
    const newcomers = Array.from({ length: 20 }, (_, i) => new Browser(h, `newcomer-${i}`));
    expect(new Set(await visitAll(newcomers))).toEqual(new Set(["stable"]));
  }, 30_000);

  it("a rollback moves pinned visitors off the candidate at once", async () => {
    const h = await pinnedService("pinned-rollback", { stable: 100, canary: 0 });
    await h.command("start");
    const browsers = Array.from({ length: 60 }, (_, i) => new Browser(h, `rb-visitor-${i}`));
    const before = await visitAll(browsers);
    expect(before.filter((v) => v === "canary").length).toBeGreaterThan(10);
    // The abort, before this isolate has the new table: the first flush brings the halt, and
    // from then on the pins to the candidate are diverted.
    expect((await h.api("POST", "/services/pinned-rollback/rollout/abort", {})).status).toBe(200);
    await visitAll(browsers);
    await h.plane.flushOutcomes();
    expect(new Set(await visitAll(browsers))).toEqual(new Set(["stable"]));
    // With the table that carries the abort the halt no longer applies: the pins themselves are void.
    await h.syncRoutes();
    expect(new Set(await visitAll(browsers))).toEqual(new Set(["stable"]));
  }, 30_000);

  it("a page and twenty asset requests see one version while the weights change in between", async () => {
    const h = await pinnedService("pinned-page", { stable: 90, canary: 10 });
    const browsers = Array.from({ length: 30 }, (_, i) => new Browser(h, `page-visitor-${i}`));
    const seen = browsers.map(() => new Set<string>());
    const record = async (path: string) => {
      const versions = await visitAll(browsers, path);
      for (const [i, version] of versions.entries()) seen[i]!.add(version);
    };
    await record("/page");
    const moves = [
      { stable: 0, canary: 100 },
      { stable: 100, canary: 0 },
      { stable: 40, canary: 60 },
      { stable: 100, canary: 0 },
    ];
    for (let asset = 1; asset <= 20; asset++) {
      if (asset % 5 === 1) await weights(h, moves[(asset - 1) / 5]!);
      await record(`/assets/${asset}.js`);
    }
    expect(seen.map((versions) => versions.size)).toEqual(browsers.map(() => 1));
    expect(seen.some((versions) => versions.has("canary"))).toBe(true);
  }, 30_000);

  it("a forged pin, or one past its window, is ignored", async () => {
    const h = await pinnedService("pinned-forged", { stable: 100, canary: 0 });
    const forged = signPin("not-the-secret", "pinned-forged", {
      version: "canary",
      scope: "-",
      expiresAt: h.now() + MINUTE,
    });
    const cookies = new Map([
      ["ks_pinned-forged", "forger-1"],
      ["ks_pin_pinned-forged", forged],
    ]);
    expect((await send(h, { cookies })).version).toBe("stable");
    expect((await send(h, { headers: { "x-keystone-affinity": forged } })).version).toBe("stable");

    await weights(h, { stable: 0, canary: 100 });
    const given = await send(h, { headers: { "x-keystone-id": "bot" } });
    expect(given.version).toBe("canary");
    await weights(h, { stable: 100, canary: 0 });
    const again = await send(h, { headers: { "x-keystone-affinity": given.pin! } });
    expect(again.version).toBe("canary");
    const explained = (await (
      await h.api("POST", "/explain", {
        service: "pinned-forged",
        request: { headers: { "x-keystone-affinity": given.pin! } },
      })
    ).json()) as { version: string; reason: { kind: string; expiresAt: string }; why: string[] };
    expect(explained.version).toBe("canary");
    expect(explained.reason.kind).toBe("affinity");
    expect(Date.parse(explained.reason.expiresAt)).toBeGreaterThan(h.now());
    expect(explained.why.join("\n")).toContain("version pin keeps canary");
    h.advance(1_800_000 + 1_000);
    const late = await send(h, { headers: { "x-keystone-affinity": given.pin! } });
    expect(late.version).toBe("stable");
  }, 30_000);
});
