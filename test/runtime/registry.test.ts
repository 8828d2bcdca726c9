// The registry: many services publishing at once all reach KV, each under its own key, latest state.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { Service } from "../../schemas/service.ts";
import { localShop } from "../support/workerd/publish.ts";
import { flushRegistry, readPublished } from "../support/workerd/route-kv.ts";

it("concurrent applies of ten services all end up in KV", async () => {
  const names = Array.from({ length: 10 }, (_, i) => `svc-${i}`);
  const results = await Promise.all(
    names.map((name) =>
      exports.default.fetch(`https://a/_keystone/v1/services/${name}`, {
        method: "PUT",
        headers: { authorization: "Bearer test-admin-token", "content-type": "application/json" },
        body: JSON.stringify({ config: { ...localShop(), name, hosts: [`${name}.example.com`] } }),
      }),
    ),
  );
  expect(results.map((r) => r.status)).toEqual(names.map(() => 200));
  const registry = env.REGISTRY.get(env.REGISTRY.idFromName("registry"));
  await flushRegistry();
  const doc = await readPublished();
  expect(doc.services.map((s) => s.name).sort()).toEqual(names.sort());
  expect(doc.generation).toBe(await registry.generation());
});

it("a registry stored before sequences (bare Service rows, no rollout column) loads its services", async () => {
  const registry = env.REGISTRY.get(env.REGISTRY.idFromName("old-registry"));
  const legacy = Service.parse({ ...localShop(), name: "legacy", hosts: ["legacy.example.com"] });
  await runInDurableObject(registry, (_, state) => {
    state.storage.sql.exec("DELETE FROM entries");
    state.storage.sql.exec(
      "CREATE TABLE services (name TEXT PRIMARY KEY, revision INTEGER NOT NULL, config TEXT NOT NULL, updated_at INTEGER NOT NULL)",
    );
    state.storage.sql.exec(
      "INSERT INTO services VALUES ('legacy', 3, ?, 0)",
      JSON.stringify(legacy),
    );
  });
  await evictDurableObject(registry);
  expect(await registry.list()).toEqual([{ name: "legacy", sequence: 3, config: legacy }]);
  expect(await registry.activeRollouts()).toEqual([]);
  // Its revision stood for the sequence: an older publication is ignored, a newer one lands.
  const stale = { service: "legacy", sequence: 2, config: null, rolloutActive: false };
  expect(await registry.publish(stale)).toEqual({ stored: false, sequence: 3 });
  expect(await registry.publish({ ...stale, sequence: 4 })).toEqual({ stored: true, sequence: 4 });
  expect(await registry.list()).toEqual([]);
});
