// The desired state inside workerd: the service object keeps the spec beside the config it serves
// (and upgrades objects stored before it did), keeps which release serves across a restart, and
// answers POST /plan with the apply's own decision, storing nothing.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Service } from "../../schemas/service.ts";
import { localShop } from "../support/workerd/publish.ts";

const serviceObject = (name: string) => env.SERVICES.get(env.SERVICES.idFromName(name));

function api(method: string, path: string, body?: unknown, token = "test-admin-token") {
  return exports.default.fetch(`https://admin.test/_keystone/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** A service that names its release: both tracks serve it; the rollout policy is a canary. */
function named(name: string, release: string, origin: string) {
  return {
    name,
    hosts: [`${name}.test`],
    release: { name: release, origin },
    rollout: { strategy: "canary", steps: [{ weight: 10, bake: "10m" }] },
  };
}

describe("the spec and the serving state in the service object", () => {
  it("an object stored before specs were kept (no spec column) loads, and its config stands for its spec", async () => {
    const config = Service.parse({ ...localShop(), name: "old", hosts: ["old.test"] });
    await runInDurableObject(serviceObject("old"), (_, state) => {
      state.storage.sql.exec("DROP TABLE revisions");
      state.storage.sql.exec(
        "CREATE TABLE revisions (number INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL, author TEXT, reason TEXT, config TEXT)",
      );
      state.storage.sql.exec(
        "INSERT INTO revisions (number, at, kind, author, reason, config) VALUES (1, 0, 'apply', 'old', NULL, ?)",
        JSON.stringify(config),
      );
    });
    await evictDurableObject(serviceObject("old"));
    // The old object had published its revision 1: the registry knows the service.
    const registry = env.REGISTRY.get(env.REGISTRY.idFromName("registry"));
    await registry.publish({ service: "old", sequence: 1, config, rolloutActive: false });
    const record = (await (await api("GET", "/services/old")).json()) as Record<string, unknown>;
    expect(record).toMatchObject({ revision: 1, config, spec: config });
    expect(record.serving).toMatchObject({ name: "v1.0.0", origin: env.STABLE_ORIGIN });
    // Naming the release it serves moves nothing: the spec is stored, the traffic stays.
    const applied = await api("POST", "/apply", {
      services: [{ config: named("old", "v1.0.0", env.STABLE_ORIGIN), baseRevision: 1 }],
    });
    expect(await applied.json()).toMatchObject({
      services: [{ name: "old", revision: 2, changed: true, plan: { outcome: "update" } }],
    });
    const after = (await (await api("GET", "/services/old")).json()) as {
      config: Service;
      spec: { release: unknown };
    };
    expect(after.spec.release).toEqual({ name: "v1.0.0", origin: env.STABLE_ORIGIN });
    expect(after.config.versions.stable).toMatchObject({ origin: env.STABLE_ORIGIN });
  });

  it("which release served before is kept across a restart: the older file is still refused", async () => {
    const v1 = named("kept", "v1", env.STABLE_ORIGIN);
    const v2 = named("kept", "v2", env.CANARY_ORIGIN);
    expect((await api("POST", "/apply", { services: [{ config: v1 }] })).status).toBe(200);
    expect((await api("POST", "/apply", { services: [{ config: v2 }] })).status).toBe(200);
    const promoted = await api("POST", "/services/kept/rollout/promote", { full: true });
    expect(promoted.status).toBe(200);
    await evictDurableObject(serviceObject("kept"));
    const refused = await api("POST", "/apply", { services: [{ config: v1 }] });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({
      error: { code: "stale_release", message: expect.stringContaining("would serve v1 while v2") },
    });
  });
});

describe("POST /plan", () => {
  it("answers, with the read token, what apply would do, and stores nothing", async () => {
    const v1 = named("planned", "v1", env.STABLE_ORIGIN);
    expect((await api("POST", "/apply", { services: [{ config: v1 }] })).status).toBe(200);
    const v2 = named("planned", "v2", env.CANARY_ORIGIN);
    const body = {
      services: [{ config: v2 }, { config: named("fresh", "v1", env.STABLE_ORIGIN) }],
    };
    const planned = await api("POST", "/plan", body, "test-read-token");
    expect(planned.status).toBe(200);
    const { services } = (await planned.json()) as {
      services: { name: string; revision: number; plan: { outcome: string; words: string } }[];
    };
    expect(services.map((s) => [s.name, s.revision, s.plan.outcome, s.plan.words])).toEqual([
      ["planned", 1, "rollout", "would start a canary toward v2 (1 step, threshold judge)"],
      ["fresh", 0, "create", "would create fresh serving v1"],
    ]);
    expect((await api("GET", "/services/planned")).status).toBe(200);
    expect(await (await api("GET", "/services/planned/rollout")).json()).toMatchObject({
      state: null,
    });
    expect((await api("GET", "/services/fresh")).status).toBe(404);
    // The read token plans; it cannot apply.
    expect((await api("POST", "/apply", body, "test-read-token")).status).toBe(403);
  });
});
