// Faults between a decision and its publication, inside workerd with real Durable Objects and KV:
// a failing registry and an evicted object, repeated and out-of-order deliveries, stored rows in
// an older format or that no longer fit the schema, and a two-phase change whose caller vanished.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Service } from "../../schemas/service.ts";
import { localShop } from "../support/workerd/publish.ts";
import { RolloutHarness, rolloutService } from "../support/workerd/rollout-harness.ts";
import { flushRegistry, readPublishedEntries } from "../support/workerd/route-kv.ts";

const registry = () => env.REGISTRY.get(env.REGISTRY.idFromName("registry"));
const serviceObject = (name: string) => env.SERVICES.get(env.SERVICES.idFromName(name));

/** The route entries in KV as the registry last wrote them (after flushing a coalesced write). */
async function publishedDoc() {
  await flushRegistry();
  return readPublishedEntries();
}

async function publishedEntry(name: string) {
  const doc = await publishedDoc();
  return doc.services.find((s) => (s as { name: string }).name === name) as
    | { name: string; sequence: number; config: Service }
    | undefined;
}

/** Makes the registry's storage fail (its table gone) until `restore` puts it back. */
async function breakRegistry(): Promise<() => Promise<void>> {
  await runInDurableObject(registry(), (_, state) => {
    state.storage.sql.exec("ALTER TABLE entries RENAME TO entries_away");
  });
  return async () => {
    await runInDurableObject(registry(), (_, state) => {
      state.storage.sql.exec("DROP TABLE IF EXISTS entries");
      state.storage.sql.exec("ALTER TABLE entries_away RENAME TO entries");
    });
  };
}

describe("the outbox", () => {
  it("a rollback decided while the registry fails is published after the object restarts, by its alarm", async () => {
    const h = new RolloutHarness("evicted");
    await h.apply(
      rolloutService("evicted", env.CANARY_ORIGIN, {
        strategy: "canary",
        steps: [{ weight: 50, bake: "10m" }],
      }),
    );
    await h.command("start");
    expect((await publishedEntry("evicted"))?.config.split).toEqual({ stable: 50, canary: 50 });

    const restore = await breakRegistry();
    const aborted = await h.api("POST", "/services/evicted/rollout/abort", {});
    expect(aborted.status).toBe(200); // decided and stored: the publication waits in the outbox
    // Its retry (a second's backoff) and the alarm set for it moved an hour off while the
    // registry still fails: that alarm would otherwise deliver it by itself, on a slow machine
    // before the check below, or beside the one this test runs.
    await runInDurableObject(serviceObject("evicted"), async (_, state) => {
      state.storage.sql.exec("UPDATE outbox SET due_at = ?", Date.now() + 3_600_000);
      await state.storage.setAlarm(Date.now() + 3_600_000);
    });
    await restore();
    expect((await publishedEntry("evicted"))?.config.split).toEqual({ stable: 50, canary: 50 });

    // Restart: nothing in memory survives; only the stored outbox and its alarm remain.
    await evictDurableObject(serviceObject("evicted"));
    // The backoff over, the alarm delivers it.
    await runInDurableObject(serviceObject("evicted"), (_, state) => {
      state.storage.sql.exec("UPDATE outbox SET due_at = ?", Date.now());
    });
    expect(await runDurableObjectAlarm(serviceObject("evicted"))).toBe(true);
    const entry = await publishedEntry("evicted");
    expect(entry?.config.split).toEqual({ stable: 100, canary: 0 });
    expect(await registry().activeRollouts()).not.toContain("evicted");
  });

  it("a publication delivered twice, or an older one after a newer, changes nothing", async () => {
    const h = new RolloutHarness("dupes");
    await h.apply(
      rolloutService("dupes", env.CANARY_ORIGIN, {
        strategy: "canary",
        steps: [{ weight: 20, bake: "10m" }],
      }),
    );
    await h.command("start");
    const current = (await publishedEntry("dupes"))!;
    const again = {
      service: "dupes",
      sequence: current.sequence,
      config: current.config,
      rolloutActive: true,
    };
    expect(await registry().publish(again)).toEqual({ stored: false, sequence: current.sequence });
    const older = {
      ...again,
      sequence: current.sequence - 1,
      config: Service.parse(
        rolloutService("dupes", env.CANARY_ORIGIN, {
          strategy: "canary",
          steps: [{ weight: 20, bake: "10m" }],
        }),
      ),
    };
    expect(await registry().publish(older)).toEqual({ stored: false, sequence: current.sequence });
    expect((await publishedEntry("dupes"))?.config.split).toEqual({ stable: 80, canary: 20 });
    // A halt delivered twice is still one halt.
    const stats = env.STATS.get(env.STATS.idFromName("dupes/canary"));
    await stats.halt({ rolloutId: "x", sequence: 9 });
    await stats.halt({ rolloutId: "x", sequence: 9 });
    expect((await stats.record({ id: "dupes-check", batches: [] })).halt).toEqual({
      rolloutId: "x",
      sequence: 9,
    });
  });

  it("a publication arriving after the delete does not bring the service back", async () => {
    const h = new RolloutHarness("gone");
    await h.apply(
      rolloutService("gone", env.CANARY_ORIGIN, {
        strategy: "canary",
        steps: [{ weight: 20, bake: "10m" }],
      }),
    );
    const live = (await publishedEntry("gone"))!;
    expect((await h.api("DELETE", "/services/gone", {})).status).toBe(200);
    expect(await publishedEntry("gone")).toBeUndefined();
    const late = {
      service: "gone",
      sequence: live.sequence,
      config: live.config,
      rolloutActive: false,
    };
    expect((await registry().publish(late)).stored).toBe(false);
    expect(await publishedEntry("gone")).toBeUndefined();
  });
});

describe("stored state from older versions and bad rows", () => {
  it("a config stored in the previous format (bare Service JSON, no head) loads and changes on", async () => {
    const config = Service.parse({ ...localShop(), name: "legacy", hosts: ["legacy.test"] });
    await runInDurableObject(serviceObject("legacy"), (_, state) => {
      state.storage.sql.exec(
        "INSERT INTO revisions (number, at, kind, author, reason, config) VALUES (1, 0, 'apply', 'old', NULL, ?), (2, 1, 'weights', 'old', NULL, ?)",
        JSON.stringify(config),
        JSON.stringify({ ...config, split: { stable: 90, canary: 10 } }),
      );
      state.storage.sql.exec(
        "INSERT INTO events (at, type, revision, author, reason, detail) VALUES (1, 'weights.changed', 2, 'old', NULL, ?)",
        JSON.stringify({ split: { stable: 90, canary: 10 } }),
      );
    });
    // The old object had published revision 2 as its sequence.
    await registry().publish({
      service: "legacy",
      sequence: 2,
      config: { ...config, split: { stable: 90, canary: 10 } },
      rolloutActive: false,
    });
    const h = new RolloutHarness("legacy");
    const record = (await (await h.api("GET", "/services/legacy")).json()) as {
      revision: number;
      config: Service;
    };
    expect(record).toMatchObject({ revision: 2, config: { split: { stable: 90, canary: 10 } } });
    expect((await h.history())[0]).toMatchObject({
      type: "weights.changed",
      detail: { kind: "config", split: { stable: 90, canary: 10 } },
    });
    const moved = await h.api("POST", "/services/legacy/weights", {
      split: { stable: 50, canary: 50 },
      baseRevision: 2,
    });
    expect(await moved.json()).toEqual({ name: "legacy", revision: 3, changed: true });
    // The old object published its revision as the sequence: the next publication is above it.
    expect(await publishedEntry("legacy")).toMatchObject({
      sequence: 3,
      config: { split: { stable: 50, canary: 50 } },
    });
  });

  it("a stored service that fails today's schema does not stop the registry publishing the others", async () => {
    const h = new RolloutHarness("fine");
    await h.apply({ ...localShop(), name: "broken", hosts: ["broken.test"] });
    await runInDurableObject(registry(), (_, state) => {
      state.storage.sql.exec(
        "UPDATE entries SET config = ? WHERE name = 'broken'",
        JSON.stringify({ format: 2, config: { name: "broken", hosts: "not-a-list" } }),
      );
      // As a publication of it would: the next write publishes it.
      state.storage.sql.exec("INSERT OR IGNORE INTO unpublished (name) VALUES ('broken')");
    });
    await h.apply({ ...localShop(), name: "fine", hosts: ["fine.test"] });
    const doc = await publishedDoc();
    const byName = new Map(
      doc.services.map((s) => [(s as { name: string }).name, s as { config: unknown }]),
    );
    expect(Service.safeParse(byName.get("fine")?.config).success).toBe(true);
    expect(byName.get("broken")?.config).toEqual({ name: "broken", hosts: "not-a-list" }); // as stored
    expect((await registry().list()).map((e) => e.name)).toContain("fine");
  });

  it("a stored wave or pin scope that fails today's schema is published as stored, not dropped", async () => {
    // Dropped, the entry would reach isolates without its wave: the candidate's share everywhere.
    const h = new RolloutHarness("waved");
    await h.apply({ ...localShop(), name: "waved", hosts: ["waved.test"] });
    const bad = { scope: 7, wave: { country: "NZ" } };
    await runInDurableObject(registry(), (_, state) => {
      state.storage.sql.exec(
        "UPDATE entries SET live = ? WHERE name = 'waved'",
        JSON.stringify(bad),
      );
      state.storage.sql.exec("INSERT OR IGNORE INTO unpublished (name) VALUES ('waved')");
    });
    await h.apply({ ...localShop(), name: "waved-too", hosts: ["waved-too.test"] });
    expect(await publishedEntry("waved")).toMatchObject({ live: bad });
  });
});

describe("a two-phase change whose caller vanished", () => {
  it("is committed by the service's alarm when the registry took its claims, and dropped when not", async () => {
    const h = new RolloutHarness("orphan");
    await h.apply({ ...localShop(), name: "orphan", hosts: ["orphan.test"] });
    const apply = (split: Record<string, number>) => ({
      kind: "apply" as const,
      config: Service.parse({ ...localShop(), name: "orphan", hosts: ["orphan.test"], split }),
    });
    const expire = () =>
      runInDurableObject(serviceObject("orphan"), (_, state) => {
        const row = state.storage.sql.exec("SELECT value FROM meta WHERE key = 'pendingTx'").one();
        state.storage.sql.exec(
          "UPDATE meta SET value = ? WHERE key = 'pendingTx'",
          JSON.stringify({ ...JSON.parse(String(row.value)), expiresAt: 0 }),
        );
      });

    const taken = await serviceObject("orphan").prepare(
      "tx-taken",
      apply({ stable: 60, canary: 40 }),
    );
    if (!taken.ok) throw new Error(taken.error.message);
    expect((await registry().commitClaims("tx-taken", [taken.value.publication!])).ok).toBe(true);
    await expire();
    await runDurableObjectAlarm(serviceObject("orphan"));
    expect(await (await h.api("GET", "/services/orphan")).json()).toMatchObject({
      revision: 2,
      config: { split: { stable: 60, canary: 40 } },
    });

    const lost = await serviceObject("orphan").prepare(
      "tx-lost",
      apply({ stable: 10, canary: 90 }),
    );
    expect(lost.ok).toBe(true);
    await expire();
    await runDurableObjectAlarm(serviceObject("orphan"));
    expect(await (await h.api("GET", "/services/orphan")).json()).toMatchObject({ revision: 2 });
    // Presumed abort: the registry refuses the claims of a change it has already given up.
    const late = await registry().commitClaims("tx-lost", []);
    expect(!late.ok && late.error.code).toBe("conflict");
  });
});
