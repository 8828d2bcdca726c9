// Publication that costs O(the change) (issue 24, item 1), in workerd with the real registry
// object and KV: one change writes its service's key and the head; a host that moves rewrites only
// the shards it leaves and joins; an isolate reads only what the hosts it serves need, learns of a
// change from the head and re-reads only that service, re-reads everything it holds once it falls
// behind the head's list, never reads KV per request for hosts nobody claims, and still serves the
// whole document of an older registry.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  hostShardKey,
  hostShardOf,
  ROUTES_HEAD_KEY,
  ROUTES_KEY,
  requestShards,
  serviceKey,
} from "../../schemas/route-doc-format.ts";
import type { ServiceInput } from "../../schemas/service.ts";
import { MAX_SERVICES_PER_WRITE } from "../../worker/control-plane/registry/route-doc-writer.ts";
import { DataPlane } from "../../worker/data-plane/handler.ts";
import type { Env } from "../../worker/env.ts";
import { entryOf, publishDocument, send, serviceOn } from "../support/workerd/faults.ts";
import {
  flushRegistry,
  readHead,
  readHostShard,
  readPublishedEntry,
} from "../support/workerd/route-kv.ts";

const registry = () => env.REGISTRY.get(env.REGISTRY.idFromName("registry"));

/** Applies services through the admin API and flushes the registry's coalesced KV write. */
async function apply(...configs: ServiceInput[]): Promise<void> {
  for (const config of configs) {
    const response = await exports.default.fetch(
      `https://admin.test/_keystone/v1/services/${config.name}`,
      {
        method: "PUT",
        headers: { authorization: "Bearer test-admin-token", "content-type": "application/json" },
        body: JSON.stringify({ config }),
      },
    );
    expect(response.status, await response.clone().text()).toBe(200);
  }
  await flushRegistry();
}

async function remove(name: string): Promise<void> {
  const response = await exports.default.fetch(`https://admin.test/_keystone/v1/services/${name}`, {
    method: "DELETE",
    headers: { authorization: "Bearer test-admin-token" },
  });
  expect(response.status).toBe(200);
  await flushRegistry();
}

/** The route keys the latest publication wrote (each names the generation that wrote it), with their sizes. */
async function writtenByLatest(): Promise<Map<string, number>> {
  const { generation } = await readHead();
  const { keys } = await env.ROUTES.list({ prefix: "routes:v2:" });
  const written = new Map<string, number>();
  for (const { name } of keys) {
    const text = (await env.ROUTES.get(name, "text"))!;
    if (
      name === ROUTES_HEAD_KEY ||
      (JSON.parse(text) as { generation: number }).generation === generation
    )
      written.set(name, text.length);
  }
  return written;
}

/** The real KV binding, every key read recorded in order. */
function recordingKv(): { kv: Env["ROUTES"]; keys: string[] } {
  const keys: string[] = [];
  const kv = new Proxy(env.ROUTES, {
    get(target, property) {
      if (property !== "get") return Reflect.get(target, property);
      return (key: string, ...rest: unknown[]) => {
        keys.push(key);
        return (target.get as (...a: unknown[]) => unknown)(key, ...rest);
      };
    },
  });
  return { kv, keys };
}

const many = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) =>
    serviceOn(`${prefix}-${i}`, `${prefix}-${i}.${prefix}.example`),
  );

describe("the registry publishes a key per service", () => {
  it("one change writes that service's key and the head only: ≤ 4 × its own entry", async () => {
    await apply(...many("pub", 12));
    await apply({ ...serviceOn("pub-3", "pub-3.pub.example"), split: { stable: 90, canary: 10 } });
    const written = await writtenByLatest();
    expect([...written.keys()].sort()).toEqual([ROUTES_HEAD_KEY, serviceKey("pub-3")]);
    const entryBytes = written.get(serviceKey("pub-3"))!;
    const total = [...written.values()].reduce((sum, n) => sum + n, 0);
    expect(total).toBeLessThanOrEqual(4 * entryBytes);
    expect((await readPublishedEntry("pub-3"))?.config.split).toEqual({ stable: 90, canary: 10 });
    expect((await readHead()).recent.at(-1)).toMatchObject({ services: ["pub-3"], shards: [] });
  });

  it("a host that moves rewrites only the shards it leaves and joins", async () => {
    const from = hostShardOf("a.mover.example");
    // "also" keeps the shard mover leaves from emptying (an empty shard's key is deleted).
    const beside = Array.from({ length: 500 }, (_, i) => `h${i}.also.example`).find(
      (host) => hostShardOf(host) === from,
    )!;
    await apply(
      serviceOn("mover", "a.mover.example"),
      serviceOn("also", beside),
      serviceOn("stayer", "c.stayer.example"),
    );
    const stayer = hostShardOf("c.stayer.example");
    const site = Array.from({ length: 200 }, (_, i) => `site${i}.example`).find(
      (s) => hostShardOf(`www.${s}`) !== from && hostShardOf(`www.${s}`) !== stayer,
    )!;
    const to = hostShardOf(`www.${site}`);
    const plane = new DataPlane(env);
    expect((await send(plane, "https://a.mover.example/")).status).toBe(200);
    await apply(serviceOn("mover", `www.${site}`));
    const written = await writtenByLatest();
    expect([...written.keys()].sort()).toEqual(
      [ROUTES_HEAD_KEY, serviceKey("mover"), hostShardKey(from), hostShardKey(to)].sort(),
    );
    expect((await readHead()).recent.at(-1)?.shards).toEqual([from, to].sort((a, b) => a - b));
    expect(await readHostShard(to)).toMatchObject({ [`www.${site}`]: ["mover"] });
    expect(await readHostShard(from)).toMatchObject({ [beside]: ["also"] });
    expect((await readHostShard(from))["a.mover.example"]).toBeUndefined();
    expect((await readHostShard(stayer))["c.stayer.example"]).toEqual(["stayer"]);
    // The isolate that served the old host learns the move from the head.
    await plane.cache.refresh(Date.now());
    expect((await send(plane, `https://www.${site}/`)).status).toBe(200);
    expect((await send(plane, "https://a.mover.example/")).status).toBe(404);
  });

  it("a deleted service's key is deleted, and its hosts leave the index", async () => {
    await apply(serviceOn("gone", "gone.gone.example"));
    await remove("gone");
    expect(await env.ROUTES.get(serviceKey("gone"))).toBeNull();
    expect(
      (await readHostShard(hostShardOf("gone.gone.example")))["gone.gone.example"],
    ).toBeUndefined();
    const plane = new DataPlane(env);
    expect((await send(plane, "https://gone.gone.example/")).status).toBe(404);
  });

  it("a registry that wrote the whole document writes every key once; the document stays a day for Workers still on the release before, then goes", async () => {
    await apply(serviceOn("old-a", "old-a.old.example"));
    await runInDurableObject(registry(), (_, state) => {
      state.storage.sql.exec("DELETE FROM meta WHERE key = 'published'");
    });
    await env.ROUTES.put(ROUTES_KEY, "{}");
    await env.ROUTES.delete(serviceKey("old-a"));
    await apply(serviceOn("old-b", "old-b.old.example"));
    expect(await env.ROUTES.get(ROUTES_KEY)).toBe("{}");
    expect((await readPublishedEntry("old-a"))?.name).toBe("old-a");
    const head = await readHead();
    expect(head.recentSince).toBe(head.generation);

    // A day later (the grace moved into the past), the next publication deletes it.
    await runInDurableObject(registry(), (_, state) => {
      state.storage.sql.exec("UPDATE meta SET value = '0' WHERE key = 'oldDocumentUntil'");
    });
    await apply(serviceOn("old-c", "old-c.old.example"));
    expect(await env.ROUTES.get(ROUTES_KEY)).toBeNull();
  });

  it("an upgrade with more services than one write may carry (KV: 1,000 operations per invocation) writes them over several, the head last", async () => {
    const names = Array.from({ length: MAX_SERVICES_PER_WRITE + 50 }, (_, i) => `many-${i}`);
    for (let i = 0; i < names.length; i += 100) {
      const response = await exports.default.fetch("https://admin.test/_keystone/v1/apply", {
        method: "POST",
        headers: { authorization: "Bearer test-admin-token", "content-type": "application/json" },
        body: JSON.stringify({
          services: names
            .slice(i, i + 100)
            .map((name) => ({ config: serviceOn(name, `${name}.many.example`) })),
        }),
      });
      expect(response.status, await response.clone().text()).toBe(200);
    }
    await runDurableObjectAlarm(registry());
    // The registry of the release before: its whole document in KV, no head, no keys.
    await runInDurableObject(registry(), (_, state) => {
      state.storage.sql.exec("DELETE FROM meta WHERE key = 'published'");
    });
    await env.ROUTES.delete(ROUTES_HEAD_KEY);
    for (const name of names) await env.ROUTES.delete(serviceKey(name));
    await env.ROUTES.put(ROUTES_KEY, "{}");

    // The first change after the upgrade owes every key: the first write carries as many as it
    // may, and no head, so isolates keep reading the whole document meanwhile; the rest follow
    // (a second later: on a loaded machine before apply returns), the head with the last. Each
    // write has its generation, so the writes are told apart by it, whatever the timing.
    await apply(serviceOn("many-last", "many-last.many.example"));
    await runDurableObjectAlarm(registry());
    const perWrite = new Map<number, number>();
    for (const name of [...names, "many-last"]) {
      const { generation } = (await env.ROUTES.get(serviceKey(name), "json")) as {
        generation: number;
      };
      perWrite.set(generation, (perWrite.get(generation) ?? 0) + 1);
    }
    const writes = [...perWrite].sort(([a], [b]) => a - b);
    expect(writes.length).toBeGreaterThan(1);
    const [, first] = writes[0]!;
    expect(first).toBeGreaterThan(MAX_SERVICES_PER_WRITE - 10); // the file's earlier services too
    expect(first).toBeLessThanOrEqual(MAX_SERVICES_PER_WRITE);
    expect(writes.reduce((sum, [, count]) => sum + count, 0)).toBe(names.length + 1);
    const head = await readHead();
    expect(head.generation).toBe(writes.at(-1)![0]);
    expect(head.recentSince).toBe(head.generation);
  }, 120_000); // 451 services applied and published: a guard against a hang on a loaded machine, not a speed check
});

describe("host claims, checked against the services claiming the same hosts", () => {
  it("a registry from before the claims index builds it once, and still refuses a taken host", async () => {
    await apply(serviceOn("owner", "taken.claims.example"));
    await runInDurableObject(registry(), (_, state) => {
      state.storage.sql.exec("DELETE FROM claims");
    });
    await evictDurableObject(registry());
    const response = await exports.default.fetch("https://admin.test/_keystone/v1/services/thief", {
      method: "PUT",
      headers: { authorization: "Bearer test-admin-token", "content-type": "application/json" },
      body: JSON.stringify({ config: serviceOn("thief", "taken.claims.example") }),
    });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain('already served by service \\"owner\\"');
  });
});

describe("an isolate reads what its hosts need", () => {
  it("a cold isolate serving one host reads the head, its shards and one service, and compiles one", async () => {
    await apply(...many("cold", 20));
    const { kv, keys } = recordingKv();
    const plane = new DataPlane(env, { routes: kv });
    expect((await send(plane, "https://cold-7.cold.example/")).status).toBe(200);
    // The host's own shard and its site's (where wildcards of cold.example would be), read beside
    // the head (their keys depend on the host alone), then the one service they name.
    expect(keys.slice(0, 3).sort()).toEqual(
      [ROUTES_HEAD_KEY, ...requestShards("cold-7.cold.example").map(hostShardKey)].sort(),
    );
    expect(keys.slice(3)).toEqual([serviceKey("cold-7")]);
    expect(requestShards("cold-7.cold.example")).toHaveLength(2);
    expect([...plane.cache.loaded!.services.keys()]).toEqual(["cold-7"]);
    for (let i = 0; i < 20; i++) await send(plane, "https://cold-7.cold.example/");
    expect(keys).toHaveLength(4);
  });

  it("learns of a change from the head and re-reads only that service", async () => {
    await apply(...many("warm", 5));
    const { kv, keys } = recordingKv();
    const plane = new DataPlane(env, { routes: kv });
    for (const i of [0, 1, 2]) await send(plane, `https://warm-${i}.warm.example/`);
    await apply({
      ...serviceOn("warm-1", "warm-1.warm.example"),
      split: { stable: 0, canary: 100 },
    });
    await apply({
      ...serviceOn("warm-4", "warm-4.warm.example"),
      split: { stable: 0, canary: 100 },
    });
    keys.length = 0;
    await plane.cache.refresh(Date.now());
    // warm-4 changed too, but this isolate never served it: not read.
    expect(keys).toEqual([ROUTES_HEAD_KEY, serviceKey("warm-1")]);
    const served = await send(plane, "https://warm-1.warm.example/");
    expect(served.headers.get("x-keystone-version")).toBe("canary");
    expect(plane.cache.loaded?.generation).toBe(await registry().generation());
  });

  it("a new service on a host it serves is loaded on that host's next request", async () => {
    await apply(serviceOn("site", "both.paths.example"));
    const plane = new DataPlane(env);
    expect((await send(plane, "https://both.paths.example/api/x")).status).toBe(200);
    await apply(
      serviceOn("api", "both.paths.example", {
        pathPrefix: "/api",
        split: { stable: 0, canary: 100 },
      }),
    );
    await plane.cache.refresh(Date.now());
    const api = await send(plane, "https://both.paths.example/api/x");
    expect(api.headers.get("x-keystone-version")).toBe("canary");
    const site = await send(plane, "https://both.paths.example/x");
    expect(site.headers.get("x-keystone-version")).toBe("stable");
  });

  it("falling behind the head's list re-reads everything it holds", async () => {
    await apply(serviceOn("held", "held.behind.example"), serviceOn("busy", "busy.busy.example"));
    const { kv, keys } = recordingKv();
    const plane = new DataPlane(env, { routes: kv });
    await send(plane, "https://held.behind.example/");
    for (let i = 0; i < 20; i++)
      await apply({
        ...serviceOn("busy", "busy.busy.example"),
        split: { stable: 100 - i, canary: i },
      });
    await apply({ ...serviceOn("held", "held.behind.example"), split: { stable: 0, canary: 100 } });
    // 21 publications since the isolate's: further than the head's list reaches for "busy".
    const head = await readHead();
    expect(head.recentSince).toBeGreaterThan(plane.cache.loaded!.generation);
    keys.length = 0;
    await plane.cache.refresh(Date.now());
    expect(keys.sort()).toEqual(
      [
        ROUTES_HEAD_KEY,
        ...requestShards("held.behind.example").map(hostShardKey),
        serviceKey("held"),
      ].sort(),
    );
    const served = await send(plane, "https://held.behind.example/");
    expect(served.headers.get("x-keystone-version")).toBe("canary");
  });

  it("a wildcard over one label is listed in the head and served like any other", async () => {
    await apply(serviceOn("wild", "*.rootwild"));
    expect((await readHead()).rootHosts).toMatchObject({ "*.rootwild": ["wild"] });
    const { kv, keys } = recordingKv();
    const plane = new DataPlane(env, { routes: kv });
    expect((await send(plane, "https://a.b.rootwild/")).status).toBe(200);
    expect(keys.slice(0, -1).sort()).toEqual(
      [ROUTES_HEAD_KEY, ...requestShards("a.b.rootwild").map(hostShardKey)].sort(),
    );
    expect(keys.at(-1)).toBe(serviceKey("wild"));
  });

  it("random Host headers read each shard once at most, not KV per request", async () => {
    await apply(serviceOn("real", "real.random.example"));
    const { kv, keys } = recordingKv();
    const plane = new DataPlane(env, { routes: kv });
    const random = () =>
      `${crypto.randomUUID().slice(0, 8)}.${crypto.randomUUID().slice(0, 6)}.test`;
    for (let i = 0; i < 300; i++)
      expect((await send(plane, `https://${random()}/`)).status).toBe(404);
    // Hosts until every shard has been asked for: each shard is read once, never again.
    const asked = new Set<number>();
    for (let i = 0; asked.size < 64; i++) {
      for (const shard of requestShards(`www.site${i}.test`)) asked.add(shard);
      expect((await send(plane, `https://www.site${i}.test/`)).status).toBe(404);
    }
    const shardReads = keys.filter((key) => key.startsWith("routes:v2:hosts:"));
    expect(shardReads).toHaveLength(64);
    expect(new Set(shardReads).size).toBe(64);
    expect(keys).toHaveLength(1 + 64);
    for (let i = 0; i < 300; i++) await send(plane, `https://${random()}/`);
    expect(keys).toHaveLength(1 + 64);
    expect((await send(plane, "https://real.random.example/")).status).toBe(200);
  });
});

describe("eventual consistency and both shapes", () => {
  /** By hand, as KV at a colo may show it: lag's key at `keyGeneration`, a head at `headGeneration` naming lag. */
  async function kvShows(
    keyGeneration: number | undefined,
    headGeneration: number,
    canary: number,
  ) {
    if (keyGeneration !== undefined) {
      const config = serviceOn("lag", "lag.lag.example", {
        split: { stable: 100 - canary, canary },
      });
      const entry = entryOf(config, keyGeneration);
      await env.ROUTES.put(
        serviceKey("lag"),
        JSON.stringify({ format: 1, generation: keyGeneration, entry }),
      );
    }
    const recent = [{ generation: headGeneration, services: ["lag"], shards: [] }];
    const head = { ...(await readHead()), generation: headGeneration, recent };
    await env.ROUTES.put(
      ROUTES_HEAD_KEY,
      JSON.stringify({ ...head, recentSince: headGeneration - 1 }),
    );
  }

  it("a service key older than the head says is read again at the next refresh, never served older", async () => {
    await apply(serviceOn("lag", "lag.lag.example"));
    const { kv, keys } = recordingKv();
    const plane = new DataPlane(env, { routes: kv });
    await send(plane, "https://lag.lag.example/");
    const held = plane.cache.loaded!.generation;
    const version = async () =>
      (await send(plane, "https://lag.lag.example/")).headers.get("x-keystone-version");

    // The head says lag changed; this colo's KV still has its older key: kept, and owed.
    await kvShows(undefined, held + 1, 100);
    await plane.cache.refresh(Date.now());
    keys.length = 0;
    await plane.cache.refresh(Date.now());
    expect(keys).toEqual([ROUTES_HEAD_KEY, serviceKey("lag")]);
    expect(await version()).toBe("stable");

    // The key arrives: served, and no longer read.
    await kvShows(held + 1, held + 1, 100);
    await plane.cache.refresh(Date.now());
    expect(await version()).toBe("canary");
    keys.length = 0;
    await plane.cache.refresh(Date.now());
    expect(keys).toEqual([ROUTES_HEAD_KEY]);

    // A key older than the one held (another colo's cache) is never taken.
    await kvShows(held, held + 2, 0);
    await plane.cache.refresh(Date.now());
    expect(await version()).toBe("canary");
  });

  it("with only an older registry's whole document in KV, every service is served from it", async () => {
    await env.ROUTES.delete(ROUTES_HEAD_KEY);
    await publishDocument([
      entryOf(serviceOn("doc-a", "doc-a.test")),
      entryOf(serviceOn("doc-b", "doc-b.test")),
    ]);
    const { kv, keys } = recordingKv();
    const plane = new DataPlane(env, { routes: kv });
    expect((await send(plane, "https://doc-b.test/")).status).toBe(200);
    // The host's shards are read beside the head before the isolate knows KV holds no head.
    expect(keys).toEqual([
      ...requestShards("doc-b.test").map(hostShardKey),
      ROUTES_HEAD_KEY,
      ROUTES_KEY,
    ]);
    expect([...plane.cache.loaded!.services.keys()].sort()).toEqual(["doc-a", "doc-b"]);
  });
});
