// Fault suite, item 1 (failure isolation): one bad route entry, or KV itself failing, never stops
// the other services from routing, on fresh and warm isolates.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DataPlane } from "../../worker/data-plane/handler.ts";
import {
  entryOf,
  Fault,
  faultyKv,
  publishRaw,
  send,
  serviceOn,
} from "../support/workerd/faults.ts";

const good = serviceOn("good", "good.test");
const other = serviceOn("other", "other.test");
/** Stored by a partial upgrade or a hand edit: a release no header can carry, a split off 100. */
const broken = {
  name: "other",
  sequence: 3,
  config: {
    ...serviceOn("other", "other.test"),
    versions: { stable: { origin: env.STABLE_ORIGIN, release: "v3\nx-evil: 1" } },
    split: { stable: 5 },
  },
};

afterEach(() => vi.restoreAllMocks());

describe("item 1: one non-conforming service in the route document", () => {
  it("on a fresh isolate the others route; the bad entry is skipped, logged once with its name and counted", async () => {
    const logs = vi.spyOn(console, "error").mockImplementation(() => {});
    await publishRaw([entryOf(good), broken]);
    const plane = new DataPlane(env);
    const served = await send(plane, "https://good.test/");
    expect(served.status).toBe(200);
    expect(served.headers.get("x-keystone-version")).toBe("stable");
    expect((await send(plane, "https://other.test/")).status).toBe(404);
    expect(plane.counters()).toMatchObject({ rejectedEntries: 1, rejectedServices: ["other"] });

    // The same bad entry in the next publication is not logged again.
    await publishRaw([entryOf(good), broken]);
    await plane.cache.refresh(Date.now());
    const skipped = logs.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('"other"'));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatch(/route entry "other" .* skipped: .*split: weights sum to 5/);
    expect(plane.counters().rejectedEntries).toBe(2);
  });

  it("on a warm isolate the service keeps its last good form until a good entry arrives", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    await publishRaw([entryOf(good), entryOf(other, 2)]);
    const plane = new DataPlane(env);
    expect((await send(plane, "https://other.test/")).status).toBe(200);

    await publishRaw([entryOf(good), broken]);
    await plane.cache.refresh(Date.now());
    const kept = await send(plane, "https://other.test/", { headers: { "x-canary": "always" } });
    expect(kept.status).toBe(200);
    expect(kept.headers.get("x-keystone-version")).toBe("canary");
    expect(plane.cache.loaded?.services.get("other")?.sequence).toBe(2);

    await publishRaw([entryOf(good), entryOf(other, 4)]);
    await plane.cache.refresh(Date.now());
    expect(plane.counters().rejectedServices).toEqual([]);
    expect(plane.cache.loaded?.services.get("other")?.sequence).toBe(4);
  });

  it("a format 1 document from an older registry still loads, its bad service skipped alone", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const [goodEntry] = [entryOf(good) as { config: unknown }];
    await publishRaw([goodEntry.config, broken.config], 1);
    const plane = new DataPlane(env);
    expect((await send(plane, "https://good.test/")).status).toBe(200);
    expect(plane.counters().rejectedServices).toEqual(["other"]);
  });
});

describe("item 1: KV throwing, then recovering", () => {
  it("a fresh isolate answers 503 with a request id and no internals, then routes once KV is back", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    await publishRaw([entryOf(good)]);
    const fault = new Fault();
    fault.on = true;
    const plane = new DataPlane(env, { routes: faultyKv(fault) });
    const down = await send(plane, "https://good.test/");
    expect(down.status).toBe(503);
    const body = await down.text();
    expect(body).toMatch(
      /^keystone: no routing config is loaded: the route table could not be read \(request id [0-9a-f-]{36}\)\n$/,
    );
    expect(body).toContain(down.headers.get("x-keystone-request-id")!);
    expect(body).not.toContain("injected");

    fault.on = false;
    await plane.cache.refresh(Date.now());
    expect((await send(plane, "https://good.test/")).status).toBe(200);
  });

  it("a warm isolate keeps serving its table while KV throws", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    await publishRaw([entryOf(good)]);
    const fault = new Fault();
    const plane = new DataPlane(env, { routes: faultyKv(fault) });
    expect((await send(plane, "https://good.test/")).status).toBe(200);
    fault.on = true;
    await plane.cache.refresh(Date.now());
    expect((await send(plane, "https://good.test/")).status).toBe(200);
    // Cold: the head, good.test's shard and its service; then the refresh's head read, which threw.
    expect(plane.cache.reads).toBe(4);
  });
});
