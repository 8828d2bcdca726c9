// End to end: consistent visitors through wrangler dev, real origins and the real keystone CLI.
// A track group across two services, with the web origin relaying to the api through the Worker;
// version pins across `keystone weights`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { ServiceInput } from "../../schemas/service.ts";
import { type OriginServer, startOrigin } from "../../scripts/origin-server.ts";
import { bucketKeyOf, bucketOf } from "../../worker/core/hash.ts";
import {
  type E2eStack,
  joinSharedStack,
  visitorInBuckets,
  waitForResponse,
  waitForVersion,
} from "../support/e2e-stack.ts";
import { E2E_BUCKET_SECRET } from "../support/shared-stack.ts";

/** The stack's bucket key: these tests place visitors as its Worker does. */
const BUCKET_KEY = bucketKeyOf(E2E_BUCKET_SECRET);

let stack: E2eStack;
let webStable: OriginServer;
let webCanary: OriginServer;

function service(name: string, pathPrefix: string, origins: [string, string], extra = {}) {
  return {
    name,
    hosts: [stack.host],
    pathPrefix,
    versions: { stable: { origin: origins[0] }, canary: { origin: origins[1] } },
    baseline: "stable",
    split: { stable: 80, canary: 20 },
    ...extra,
  } satisfies ServiceInput;
}

async function apply(name: string, ...services: ServiceInput[]): Promise<void> {
  const applied = await stack.cli(["apply", "-f", stack.writeFile(name, stringify({ services }))]);
  expect(applied.code, applied.stderr).toBe(0);
}

beforeAll(async () => {
  stack = await joinSharedStack("visitors");
  webStable = await startOrigin("web-stable", { relayTo: `${stack.url}/api/data` });
  webCanary = await startOrigin("web-canary", { relayTo: `${stack.url}/api/data` });
}, 180_000);

afterAll(async () => {
  await webStable?.close();
  await webCanary?.close();
  await stack?.stop();
});

describe("a track group across services", () => {
  it("the web origin relays x-keystone-visitor to the api: every visitor is on the same track in both", async () => {
    const group = { sticky: { by: "cookie", group: "shop" } };
    await apply(
      "group.yaml",
      service("site", "/", [webStable.url, webCanary.url], group),
      service("site-api", "/api", [stack.origins.stable.url, stack.origins.canary.url], group),
    );
    await waitForVersion(stack.url, "stable", { path: "/api/ready" });
    let candidates = 0;
    for (let i = 0; i < 150; i++) {
      const response = await fetch(`${stack.url}/page`, {
        headers: { cookie: `ks_shop=visitor-${i}-e2e0` },
      });
      const body = (await response.json()) as { relayed: { version: string } };
      const web = response.headers.get("x-keystone-version");
      expect(body.relayed.version, `visitor ${i}`).toBe(web);
      if (web === "canary") candidates++;
    }
    expect(candidates).toBeGreaterThan(10);

    // keystone explain shows the group and the bucket both services share.
    const web = await stack.cli([
      "explain",
      "site",
      "--json",
      "--cookie",
      "ks_shop=visitor-7-e2e0",
    ]);
    const explained = JSON.parse(web.stdout) as { group: string; bucket: number; why: string[] };
    expect(explained.group).toBe("shop");
    expect(explained.bucket).toBe(bucketOf("shop", "visitor-7-e2e0", BUCKET_KEY));
    const human = await stack.cli(["explain", "site-api", "--cookie", "ks_shop=visitor-7-e2e0"]);
    expect(human.stdout).toContain(`group "shop": bucket ${explained.bucket} is shared`);
  }, 120_000);

  it("a client cannot forge x-keystone-visitor: it is ignored, and the origin gets Keystone's own", async () => {
    const canaryVisitor = visitorInBuckets("shop", 9_000, 10_000);
    const forged = `k1.shop.${Buffer.from(canaryVisitor).toString("base64url")}.forged-signature`;
    let canary = 0;
    for (let i = 0; i < 40; i++) {
      const response = await fetch(`${stack.url}/api/data`, {
        headers: { "x-keystone-visitor": forged },
      });
      const echoed = (await response.json()) as { headers: Record<string, string> };
      expect(echoed.headers["x-keystone-visitor"]).toMatch(/^k1\.shop\./);
      expect(echoed.headers["x-keystone-visitor"]).not.toBe(forged);
      if (response.headers.get("x-keystone-version") === "canary") canary++;
    }
    // Honoured, the forged key would have put all 40 on the canary; ignored, about 20% land there.
    expect(canary).toBeLessThan(30);
  }, 60_000);
});

describe("version affinity with keystone weights", () => {
  it("visitors pinned at 10% stay on their version when the weights go to 50% and to 0%", async () => {
    const pinned = (split: Record<string, number>) =>
      service("pinned", "/pinned", [stack.origins.stable.url, stack.origins.canary.url], {
        split,
        sticky: { affinity: { maxAgeSeconds: 3600 } },
      });
    await apply("pinned.yaml", pinned({ stable: 90, canary: 10 }));
    const probe10 = visitorInBuckets("pinned", 9_000, 10_000);
    // Until the table carrying "pinned" is live, "site" (path prefix "/", 20% canary, visitors by
    // another cookie) answers /pinned too, and a probe there reads canary one time in five: only
    // the pin cookie says the answer came from "pinned".
    await waitForResponse(
      stack.url,
      `"pinned" serving canary at 10%`,
      (r) =>
        r.headers.get("x-keystone-version") === "canary" &&
        r.headers.getSetCookie().some((c) => c.startsWith("ks_pin_pinned=")),
      { path: "/pinned/x", headers: { cookie: `ks_pinned=${probe10}` } },
    );
    const visitors = Array.from({ length: 80 }, (_, i) => `pinned-visitor-${i}-e2e0`);
    const jars = visitors.map((visitor) => `ks_pinned=${visitor}`);
    const visit = async () =>
      Promise.all(
        jars.map(async (jar, i) => {
          const response = await fetch(`${stack.url}/pinned/asset.js`, {
            headers: { cookie: jar },
          });
          await response.arrayBuffer();
          const pin = response.headers.getSetCookie().find((c) => c.startsWith("ks_pin_pinned="));
          if (pin) jars[i] = `${jar}; ${pin.split(";")[0]}`;
          return response.headers.get("x-keystone-version");
        }),
      );
    const first = await visit();
    // The split alone placed them: the top 10% of buckets on the canary, no one else.
    expect(first).toEqual(
      visitors.map((v) => (bucketOf("pinned", v, BUCKET_KEY) >= 9_000 ? "canary" : "stable")),
    );
    expect(first.filter((v) => v === "canary").length).toBeGreaterThan(0);

    const raised = await stack.cli(["weights", "pinned", "stable=50", "canary=50"]);
    expect(raised.code, raised.stderr).toBe(0);
    const probe50 = visitorInBuckets("pinned", 5_000, 9_000);
    await waitForVersion(stack.url, "canary", {
      path: "/pinned/x",
      headers: { cookie: `ks_pinned=${probe50}` },
    });
    expect(await visit()).toEqual(first);

    const dropped = await stack.cli(["weights", "pinned", "stable=100", "canary=0"]);
    expect(dropped.code, dropped.stderr).toBe(0);
    await waitForVersion(stack.url, "stable", {
      path: "/pinned/x",
      headers: { cookie: `ks_pinned=${probe10}` },
    });
    expect(await visit()).toEqual(first);
  }, 120_000);
});
