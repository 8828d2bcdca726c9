// The registry: many services publishing at once all reach KV, in one document, latest state.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { ROUTES_KEY, RoutesDoc } from "../../schemas/routes-doc.ts";
import { localShop } from "./publish.ts";

it("concurrent applies of ten services all end up in the KV document", async () => {
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
  await runDurableObjectAlarm(registry);
  const doc = RoutesDoc.parse(JSON.parse((await env.ROUTES.get(ROUTES_KEY))!));
  expect(doc.services.map((s) => s.name).sort()).toEqual(names.sort());
  expect(doc.generation).toBe(await registry.generation());
});

it("a registry stored before rollouts existed gains the rollout column on start", async () => {
  const registry = env.REGISTRY.get(env.REGISTRY.idFromName("old-registry"));
  await runInDurableObject(registry, (_, state) => {
    state.storage.sql.exec("ALTER TABLE services DROP COLUMN rollout_active");
  });
  await evictDurableObject(registry);
  await registry.publish("legacy", 1, null, false);
  expect(await registry.activeRollouts()).toEqual([]);
});
