// Upgrading Keystone itself: a data plane reads route entries a newer control plane wrote. Fields
// it does not know are ignored, so a fresh isolate still on the older release serves the service
// instead of skipping it; an entry that says it needs a capability this data plane lacks keeps the
// service's last good form on a warm isolate, and only that service is set aside.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DataPlane } from "../../worker/data-plane/handler.ts";
import { entryOf, publishRaw, send, serviceOn } from "../support/workerd/faults.ts";

const good = serviceOn("good", "good.test");
const shop = serviceOn("shop", "shop.test");

/** shop as a newer release might write it: new fields at the entry, the service, a rule, a version. */
function newerEntry(sequence: number, extra: Record<string, unknown> = {}) {
  const entry = entryOf(shop, sequence) as {
    config: { rules: Record<string, unknown>[]; versions: Record<string, Record<string, unknown>> };
  };
  entry.config.rules[0] = { ...entry.config.rules[0], priority: 3 };
  entry.config.versions.stable = { ...entry.config.versions.stable, weightV2: { any: 1 } };
  return { ...entry, config: { ...entry.config, retries: { max: 2 } }, signedBy: "k1", ...extra };
}

afterEach(() => vi.restoreAllMocks());

describe("route entries from a newer control plane", () => {
  it("a fresh isolate serves an entry with fields it does not know (they are ignored)", async () => {
    const logs = vi.spyOn(console, "error").mockImplementation(() => {});
    await publishRaw([entryOf(good), newerEntry(5)]);
    const plane = new DataPlane(env);
    const served = await send(plane, "https://shop.test/", { headers: { "x-canary": "always" } });
    expect(served.status).toBe(200);
    expect(served.headers.get("x-keystone-version")).toBe("canary");
    expect(plane.counters()).toMatchObject({ rejectedEntries: 0, rejectedServices: [] });
    expect(logs).not.toHaveBeenCalled();
  });

  it("an entry needing a capability the isolate lacks keeps the service's last good form", async () => {
    const logs = vi.spyOn(console, "error").mockImplementation(() => {});
    await publishRaw([entryOf(good), entryOf(shop, 2)]);
    const plane = new DataPlane(env);
    expect((await send(plane, "https://shop.test/")).status).toBe(200);

    await publishRaw([entryOf(good), newerEntry(6, { needs: ["condition.time"] })]);
    await plane.cache.refresh(Date.now());
    const kept = await send(plane, "https://shop.test/", { headers: { "x-canary": "always" } });
    expect(kept.status).toBe(200);
    expect(kept.headers.get("x-keystone-version")).toBe("canary");
    expect(plane.cache.loaded?.services.get("shop")?.sequence).toBe(2);
    expect((await send(plane, "https://good.test/")).status).toBe(200);
    expect(plane.counters().rejectedServices).toEqual(["shop"]);
    const logged = logs.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('"shop"'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(
      /route entry "shop" .* skipped: entry\.needs: needs condition\.time, which this data plane lacks .*still serving its entry of sequence 2/,
    );

    // Once the control plane writes an entry this data plane can serve, it is served.
    await publishRaw([entryOf(good), newerEntry(7)]);
    await plane.cache.refresh(Date.now());
    expect(plane.cache.loaded?.services.get("shop")?.sequence).toBe(7);
    expect(plane.counters().rejectedServices).toEqual([]);
  });
});
