// Version affinity, track groups and regional waves in the pure routing core: what a visitor is
// served as weights, rollouts and places change.
import { describe, expect, it } from "vitest";
import type { LiveRouting } from "../../schemas/live-routing.ts";
import { Service, type ServiceInput } from "../../schemas/service.ts";
import { shopService } from "../../test/support/fixtures.ts";
import { signPin } from "./affinity.ts";
import { assembleRouteTable, compileService } from "./compile.ts";
import { type DecideContext, decideRoute, type Verdict } from "./decide.ts";
import { factsFromDescription, type RequestDescription } from "./facts.ts";
import { pinToIssue } from "./pin-issue.ts";
import type { RouteTable } from "./route-table.ts";

const NOW = Date.UTC(2026, 10, 21, 12);
const SECRET = "affinity-secret";
let minted = 0;
const ctx: DecideContext = {
  now: NOW,
  overrideSecret: undefined,
  affinitySecret: SECRET,
  mintVisitorId: () => `minted-visitor-${++minted}`,
};

const affine = (split: Record<string, number>, extra: Partial<ServiceInput> = {}) =>
  shopService({ split, sticky: { affinity: { maxAgeSeconds: 1800 } }, ...extra });

function tableOf(config: ServiceInput, live?: LiveRouting): RouteTable {
  return assembleRouteTable([compileService(Service.parse(config), 1, live)], 1);
}

/** A browser: sends its cookies, keeps what it is given. */
class Visitor {
  readonly jar = new Map<string, string>();
  constructor(id: string) {
    this.jar.set("ks_shop", id);
  }
  visit(table: RouteTable, request: Partial<RequestDescription> = {}, c = ctx): Verdict {
    const cookies = Object.fromEntries(this.jar);
    const facts = factsFromDescription({ host: "shop.example.com", cookies, ...request });
    const verdict = decideRoute(facts, table, c)!;
    const pin = pinToIssue(verdict, c.affinitySecret, c.now);
    if (pin) this.jar.set(pin.cookie, pin.token);
    return verdict;
  }
}

const visitors = (n: number) => Array.from({ length: n }, (_, i) => new Visitor(`visitor-${i}`));

describe("version affinity", () => {
  it("visitors pinned at 10% keep their version when the weights go to 50% and then to 0%", () => {
    const crowd = visitors(2_000);
    const first = crowd.map((v) => v.visit(tableOf(affine({ stable: 90, canary: 10 }))));
    const served = first.map((v) => v.version.name);
    expect(served.filter((s) => s === "canary").length).toBeGreaterThan(100);
    expect(first.every((v) => v.outcomeRoute === "split")).toBe(true);

    for (const split of [
      { stable: 50, canary: 50 },
      { stable: 100, canary: 0 },
    ]) {
      const table = tableOf(affine(split));
      const again = crowd.map((v) => v.visit(table));
      expect(again.map((v) => v.version.name)).toEqual(served);
      expect(again.every((v) => v.outcomeRoute === "affinity")).toBe(true);
      // Without their pins the split alone would have moved some of them.
      const unpinned = visitors(2_000).map((v) => v.visit(table).version.name);
      expect(unpinned).not.toEqual(served);
    }
  });

  it("a rollback (or abort) voids the candidate's pins at once, keeps the baseline's, and later pins hold", () => {
    const running: LiveRouting = { scope: "r1", voided: null, wave: null };
    const crowd = visitors(500);
    const served = crowd.map((v) => v.visit(tableOf(affine({ stable: 50, canary: 50 }), running)));
    expect(served.some((v) => v.version.name === "canary")).toBe(true);
    const rolledBack = tableOf(affine({ stable: 100, canary: 0 }), {
      ...running,
      voided: "canary",
    });
    expect(crowd.map((v) => v.visit(rolledBack).version.name)).toEqual(crowd.map(() => "stable"));
    // The operator sends the candidate traffic again: those visitors are pinned under "r1!".
    const reopened = tableOf(affine({ stable: 0, canary: 100 }), { ...running, voided: "canary" });
    const canaryFans = visitors(20);
    for (const fan of canaryFans) fan.visit(reopened);
    expect(canaryFans.map((v) => v.visit(rolledBack).version.name)).toEqual(
      canaryFans.map(() => "canary"),
    );
  });

  it("a new rollout, a deleted version, an expired pin or a forged one falls back to the split", () => {
    const visitor = new Visitor("visitor-deleted");
    const pinned = visitor.visit(tableOf(affine({ stable: 0, canary: 100 })));
    expect(pinned.version.name).toBe("canary");
    const stableOnly = affine({ stable: 100, canary: 0 });
    expect(visitor.visit(tableOf(stableOnly)).reason.kind).toBe("affinity");
    const next: LiveRouting = { scope: "r2", voided: null, wave: null };
    expect(new Visitor("visitor-deleted").visit(tableOf(stableOnly, next)).version.name).toBe(
      "stable",
    );
    const pinnedAgain = new Visitor("visitor-deleted");
    pinnedAgain.visit(tableOf(affine({ stable: 0, canary: 100 })));
    const withoutCanary = affine(
      { stable: 100 },
      { versions: { stable: { origin: "http://stable.internal" } } },
    );
    expect(pinnedAgain.visit(tableOf(withoutCanary)).version.name).toBe("stable");

    const later = { ...ctx, now: NOW + 1_801_000 };
    const expired = new Visitor("visitor-expired");
    expired.visit(tableOf(affine({ stable: 0, canary: 100 })));
    expect(expired.visit(tableOf(stableOnly), {}, later).reason.kind).toBe("split");

    const forger = new Visitor("visitor-forger");
    const forged = signPin("not-the-secret", "shop", {
      version: "canary",
      scope: "-",
      expiresAt: NOW + 60_000,
    });
    forger.jar.set("ks_pin_shop", forged);
    expect(forger.visit(tableOf(stableOnly)).version.name).toBe("stable");
    const byHeader = forger.visit(tableOf(stableOnly), {
      headers: { "x-keystone-affinity": forged },
    });
    // A header, when sent, is the pin: the forged one is ignored and the split decides.
    expect([byHeader.version.name, byHeader.reason.kind]).toEqual(["stable", "split"]);
  });

  it("a non-browser client keeps its version with the header it was given", () => {
    const table = tableOf(affine({ stable: 0, canary: 100 }));
    const facts = factsFromDescription({ host: "shop.example.com", headers: { "x-id": "bot" } });
    const verdict = decideRoute(facts, table, ctx)!;
    const pin = pinToIssue(verdict, SECRET, NOW)!;
    const back = factsFromDescription({
      host: "shop.example.com",
      headers: { "x-keystone-affinity": pin.token },
    });
    const after = decideRoute(back, tableOf(affine({ stable: 100, canary: 0 })), ctx)!;
    expect([after.version.name, after.reason.kind]).toEqual(["canary", "affinity"]);
  });

  it("without AFFINITY_SECRET no pin is given or honoured", () => {
    const off = { ...ctx, affinitySecret: undefined };
    const visitor = new Visitor("visitor-off");
    const verdict = visitor.visit(tableOf(affine({ stable: 0, canary: 100 })), {}, off);
    expect(pinToIssue(verdict, undefined, NOW)).toBeUndefined();
    expect(visitor.jar.has("ks_pin_shop")).toBe(false);
  });
});

describe("regional waves", () => {
  const wave: LiveRouting = { scope: "r1", voided: null, wave: { country: ["NZ", "AU"] } };
  const table = tableOf(shopService({ split: { stable: 0, canary: 100 } }), wave);

  it("requests from the place follow the split; from elsewhere they stay on the baseline, recorded apart", () => {
    const at = (country: string | undefined) =>
      new Visitor(`visitor-${country}`).visit(table, country ? { country } : {});
    for (const country of ["NZ", "AU", "nz"]) {
      expect([at(country).version.name, at(country).outcomeRoute]).toEqual(["canary", "split"]);
    }
    for (const country of ["US", "DE", undefined]) {
      expect([at(country).version.name, at(country).outcomeRoute]).toEqual([
        "stable",
        "wave-outside",
      ]);
    }
  });

  it("colo and continent count as places too", () => {
    const byColo = tableOf(shopService({ split: { stable: 0, canary: 100 } }), {
      ...wave,
      wave: { colo: ["AKL"], continent: ["OC"] },
    });
    const v = new Visitor("visitor-place");
    expect(v.visit(byColo, { colo: "AKL" }).version.name).toBe("canary");
    expect(v.visit(byColo, { continent: "OC" }).version.name).toBe("canary");
    expect(v.visit(byColo, { colo: "FRA", continent: "EU" }).version.name).toBe("stable");
  });

  it("geo facts are read only when a wave (or a geo rule) asks", () => {
    let reads = 0;
    const spy = (place: RouteTable) => {
      const facts = factsFromDescription({ host: "shop.example.com" });
      Object.defineProperty(facts, "country", {
        get: () => {
          reads++;
          return "NZ";
        },
      });
      return decideRoute(facts, place, ctx)!;
    };
    spy(tableOf(shopService({ split: { stable: 0, canary: 100 } })));
    expect(reads).toBe(0);
    expect(spy(table).version.name).toBe("canary");
    expect(reads).toBe(1);
  });
});

describe("track groups", () => {
  const grouped = (name: string, baseline: string, candidate: string) =>
    Service.parse({
      name,
      hosts: [`${name}.example.com`],
      versions: {
        [baseline]: { origin: `http://${name}-${baseline}.internal` },
        [candidate]: { origin: `http://${name}-${candidate}.internal` },
      },
      baseline,
      split: { [baseline]: 80, [candidate]: 20 },
      sticky: { group: "checkout" },
    });
  const table = assembleRouteTable(
    [
      compileService(grouped("web", "stable", "canary")),
      compileService(grouped("api", "v1", "v2")),
    ],
    1,
  );
  const role = (verdict: Verdict) =>
    verdict.version.name === verdict.service.baseline ? "baseline" : "candidate";

  it("10,000 visitors at 20%: each is on the same track in both services, the api told only by the header", () => {
    let candidates = 0;
    for (let i = 0; i < 10_000; i++) {
      const cookies = { ks_checkout: `visitor-${i}-0000` };
      const web = decideRoute(
        factsFromDescription({ host: "web.example.com", cookies }),
        table,
        ctx,
      )!;
      const api = decideRoute(
        factsFromDescription({
          host: "api.example.com",
          headers: { "x-keystone-visitor": web.visitorToken! },
        }),
        table,
        ctx,
      )!;
      expect(api.visitorSource).toBe("group");
      expect(api.bucket).toBe(web.bucket);
      expect(role(api)).toBe(role(web));
      if (role(web) === "candidate") candidates++;
    }
    expect(candidates).toBeGreaterThan(1_800);
    expect(candidates).toBeLessThan(2_200);
  });

  it("raising the weights together keeps them together", () => {
    const at = (weight: number) =>
      assembleRouteTable(
        [["web", "stable", "canary"] as const, ["api", "v1", "v2"] as const].map(([n, b, c]) => {
          const config = grouped(n, b, c);
          return compileService({ ...config, split: { [b]: 100 - weight, [c]: weight } });
        }),
        1,
      );
    const [low, high] = [at(20), at(50)];
    for (let i = 0; i < 2_000; i++) {
      const cookies = { ks_checkout: `visitor-${i}-0000` };
      const roles = [low, high].flatMap((t) =>
        ["web", "api"].map((s) =>
          role(decideRoute(factsFromDescription({ host: `${s}.example.com`, cookies }), t, ctx)!),
        ),
      );
      expect(roles[0]).toBe(roles[1]);
      expect(roles[2]).toBe(roles[3]);
      if (roles[0] === "candidate") expect(roles[2]).toBe("candidate");
    }
  });

  it("a forged or foreign visitor header is ignored: the api buckets the request on its own", () => {
    const forged = "k1.checkout.dmlzaXRvci0x.AAAA";
    const api = decideRoute(
      factsFromDescription({ host: "api.example.com", headers: { "x-keystone-visitor": forged } }),
      table,
      ctx,
    )!;
    expect(api.visitorSource).toBe("minted");
    const noSecret = decideRoute(
      factsFromDescription({ host: "web.example.com", cookies: { ks_checkout: "visitor-1-0000" } }),
      table,
      { ...ctx, affinitySecret: undefined },
    )!;
    expect(noSecret.visitorToken).toBeUndefined();
  });
});
