// Stored state from older versions is upgraded on read; notify targets must be https.
import { describe, expect, it } from "vitest";
import { shopService } from "../test/support/fixtures.ts";
import { upgradeEventDetail } from "./history.ts";
import { Effect } from "./ledger.ts";
import { Service } from "./service.ts";
import { decodeStoredConfig, encodeStoredConfig } from "./stored-config.ts";

const shop = Service.parse(shopService());

describe("stored configs", () => {
  it("today's format round-trips; the previous one (bare Service JSON, no marker) loads", () => {
    expect(decodeStoredConfig(encodeStoredConfig(shop))).toEqual({
      ok: true,
      config: shop,
      format: 2,
    });
    expect(decodeStoredConfig(JSON.stringify(shop))).toEqual({ ok: true, config: shop, format: 1 });
  });

  it("a config that no longer fits the schema says why and keeps the raw value", () => {
    const decoded = decodeStoredConfig(
      JSON.stringify({ format: 2, config: { name: "x", hosts: 1 } }),
    );
    expect(decoded).toMatchObject({ ok: false, raw: { name: "x", hosts: 1 } });
    expect(!decoded.ok && decoded.problem).toContain("hosts");
    expect(decodeStoredConfig(JSON.stringify({ format: 9, config: shop }))).toMatchObject({
      ok: false,
      problem: "stored in format 9, newer than this code",
    });
  });

  it("history details written before they were typed are read as today's types", () => {
    expect(upgradeEventDetail({ split: { stable: 90, canary: 10 } })).toEqual({
      kind: "config",
      split: { stable: 90, canary: 10 },
    });
    const verdict = { at: 5, outcome: "advance", reason: "ok", candidate: null, baseline: null };
    expect(upgradeEventDetail({ phase: "progressing", step: 2, weight: 25, verdict })).toEqual({
      kind: "rollout",
      rolloutId: null,
      phase: "progressing",
      step: 2,
      weight: 25,
      verdict: { outcome: "advance", reason: "ok", candidate: null, baseline: null },
    });
    expect(upgradeEventDetail({ nonsense: true })).toBeUndefined();
  });
});

describe("notify targets", () => {
  const withNotify = (url: string) =>
    Service.safeParse(shopService({ notify: [{ url, events: ["rollout.promoted"] }] }));

  it("must be https; plain http only to this machine", () => {
    expect(withNotify("https://hooks.example.com/k").success).toBe(true);
    for (const local of ["http://127.0.0.1:9000/k", "http://localhost/k", "http://[::1]:80/k"])
      expect(withNotify(local).success, local).toBe(true);
    const plain = withNotify("http://hooks.example.com/k");
    expect(plain.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["notify.0.url", "use an https URL (http only for 127.0.0.1, ::1 or localhost)"],
    ]);
  });
});

describe("stored outbox effects", () => {
  it("a notification queued before formats (bare target URLs) is delivered as JSON", () => {
    const stored = {
      kind: "notify",
      service: "shop",
      event: "rollout.aborted",
      text: "shop: rollout aborted",
      targets: ["https://hooks.example.com/k"],
      detail: null,
      at: 0,
    };
    expect(Effect.parse(stored)).toMatchObject({
      targets: [{ url: "https://hooks.example.com/k", format: "json" }],
    });
    expect(Effect.parse(JSON.parse(JSON.stringify(Effect.parse(stored))))).toEqual(
      Effect.parse(stored),
    );
  });
});
