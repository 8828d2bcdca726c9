// The data plane as a Worker of its own (worker/data-plane/wrangler.toml) beside the control plane
// Worker (wrangler.toml), both built as they ship and run in workerd through Miniflare, which binds
// them as Cloudflare does: the data plane's stats objects by script_name, the control plane by a
// service binding, one KV namespace. Real origins, the real CLI over real HTTP: a service applied
// through the data plane Worker's /_keystone/ (handed to the control plane), routed by it, its
// split changed, its outcomes counted by the control plane's stats objects.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleDataPlane, bundleKeystone } from "../../bench/lib/bundle.ts";
import { COMPATIBILITY_DATE } from "../../bench/lib/workers.ts";
import { type OriginServer, startOrigin } from "../../scripts/origin-server.ts";
import { type CliRun, runCli, waitForVersion } from "../support/e2e-stack.ts";

const ADMIN_TOKEN = "data-plane-worker-admin-token";
const READ_TOKEN = "data-plane-worker-read-token";
const CONTROL_PLANE = "keystone-edge";

let mf: Miniflare;
let dataPlaneUrl: string;
let origins: { stable: OriginServer; canary: OriginServer };
let dir: string;

const cli = (args: string[]): Promise<CliRun> =>
  runCli(args, dir, { KEYSTONE_URL: dataPlaneUrl, KEYSTONE_TOKEN: ADMIN_TOKEN });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keystone-data-plane-worker-"));
  origins = { stable: await startOrigin("stable"), canary: await startOrigin("canary") };
  const controlPlane = bundleKeystone().script;
  const dataPlane = bundleDataPlane().script;
  const vars = {
    // The admin surface on 127.0.0.1 only: another hostname's /_keystone/ is the data plane's.
    ADMIN_HOSTS: "127.0.0.1",
    ROUTE_REFRESH_SECONDS: "1",
    METRICS_FLUSH_SECONDS: "1",
  };
  const common = {
    modules: true,
    compatibilityDate: COMPATIBILITY_DATE,
    kvNamespaces: ["ROUTES"],
  };
  mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      workers: [
        {
          ...common,
          name: "data-plane",
          scriptPath: dataPlane,
          modulesRoot: dirname(dataPlane),
          bindings: vars,
          durableObjects: { STATS: { className: "StatsObject", scriptName: CONTROL_PLANE } },
          serviceBindings: { CONTROL_PLANE },
          unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
        },
        {
          ...common,
          name: CONTROL_PLANE,
          scriptPath: controlPlane,
          // As wrangler.toml: the control plane uses Node's crypto and buffer; the data plane
          // Worker asks for nothing (worker/data-plane/wrangler.toml).
          compatibilityFlags: ["nodejs_compat"],
          modulesRoot: dirname(controlPlane),
          bindings: { ...vars, ADMIN_TOKEN, READ_TOKEN },
          durableObjects: {
            SERVICES: { className: "ServiceObject", useSQLite: true },
            REGISTRY: { className: "RegistryObject", useSQLite: true },
            STATS: { className: "StatsObject", useSQLite: true },
            RELEASES: { className: "ReleaseObject", useSQLite: true },
          },
        },
      ],
    }),
  );
  dataPlaneUrl = (await mf.unsafeGetDirectURL("data-plane")).toString().replace(/\/$/, "");
});

afterAll(async () => {
  await mf?.dispose();
  await origins?.stable.close();
  await origins?.canary.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the data plane Worker beside the control plane Worker", () => {
  it("takes a service applied with the CLI through its /_keystone/, and routes it", async () => {
    const file = join(dir, "keystone.yaml");
    writeFileSync(
      file,
      [
        "services:",
        "  - name: split-shop",
        '    hosts: ["127.0.0.1", "shop.split.test"]',
        "    versions:",
        `      stable: { origin: "${origins.stable.url}" }`,
        `      canary: { origin: "${origins.canary.url}" }`,
        "    baseline: stable",
        "    split: { stable: 100, canary: 0 }",
        "",
      ].join("\n"),
    );
    const applied = await cli(["apply", "-f", file]);
    expect(applied.code, applied.stderr).toBe(0);
    await waitForVersion(dataPlaneUrl, "stable", { path: "/items/1" });
    expect(origins.stable.hits.get("/items/1")).toBeGreaterThan(0);
  });

  it("follows a split changed with the CLI", async () => {
    const changed = await cli(["weights", "split-shop", "stable=0", "canary=100"]);
    expect(changed.code, changed.stderr).toBe(0);
    await waitForVersion(dataPlaneUrl, "canary", { path: "/items/2" });
    expect(origins.canary.hits.get("/items/2")).toBeGreaterThan(0);
  });

  it("sends its outcomes to the control plane's stats objects", async () => {
    for (let i = 0; i < 20; i++) await (await fetch(`${dataPlaneUrl}/counted/${i}`)).arrayBuffer();
    // Outcomes are flushed a second after the first is held; the metrics read the stats objects.
    const deadline = Date.now() + 15_000;
    let counted = 0;
    while (Date.now() < deadline && counted < 20) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const response = await fetch(`${dataPlaneUrl}/_keystone/metrics`, {
        headers: { authorization: `Bearer ${READ_TOKEN}` },
      });
      expect(response.status).toBe(200);
      const text = await response.text();
      counted = text
        .split("\n")
        .filter(
          (line) =>
            line.startsWith("keystone_requests_total{") &&
            line.includes('service="split-shop"') &&
            line.includes('version="canary"'),
        )
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
    }
    expect(counted).toBeGreaterThanOrEqual(20);
  });

  it("gives no admin answer at /_keystone/ on a hostname that is not an admin host: it is a path of the service", async () => {
    const response = await mf.dispatchFetch("http://shop.split.test/_keystone/v1/services", {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    await response.arrayBuffer();
    expect(response.headers.get("x-keystone-version")).toBe("canary");
    expect(origins.canary.hits.get("/_keystone/v1/services")).toBe(1);
  });

  it("served every request itself: the control plane Worker's isolate routed none", async () => {
    // Forwarding every request to the control plane would pass every test above (it routes and
    // counts them too): this one tells them apart.
    const response = await fetch(`${dataPlaneUrl}/_keystone/v1/isolate`, {
      headers: { authorization: `Bearer ${READ_TOKEN}` },
    });
    expect(response.status).toBe(200);
    const isolate = (await response.json()) as { requestsServed: number };
    expect(isolate.requestsServed).toBe(0);
  });
});
