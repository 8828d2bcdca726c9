// End to end: a deploy of Keystone drops no request. The release before (built from git, as it
// shipped) runs alone and stores a service; then, over the same KV and Durable Object state, as a
// deploy leaves things while it rolls out, today's control plane owns the objects and a data
// plane of each release serves beside the other, under load, while today's CLI moves the split.
// Workers in workerd through Miniflare, each on a socket of its own, in front of real origins.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { convertV4MiniflareOptions, Miniflare, type V4WorkerOptions } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleKeystone, exportRevision, type WorkerBundle } from "../../bench/lib/bundle.ts";
import { applyService } from "../../bench/lib/keystone-client.ts";
import { BENCH_TOKEN, COMPATIBILITY_DATE, keystoneOptions } from "../../bench/lib/workers.ts";
import { ROUTES_HEAD_KEY, ROUTES_KEY } from "../../schemas/route-doc-format.ts";
import type { ServiceInput } from "../../schemas/service.ts";
import { type OriginServer, startOrigin } from "../../scripts/origin-server.ts";
import { PROJECT_ROOT } from "../../scripts/stack.ts";
import { runCli } from "../support/e2e-stack.ts";
import { parseMetrics, select } from "../support/prometheus-text.ts";

/**
 * The last commit of the release before publication per service: its registry writes the whole
 * route document (`routes:v1`) and its data plane reads only that.
 */
const PREVIOUS_RELEASE = "67b003a";

const SERVICE = "upgrade";
/** What every data plane request asks for: the origin echoes it and names itself (x-origin). */
const PATH = "/upgrade/ping";
/** Concurrent request loops during the deploy, each alternating the two data planes. */
const LOOPS = 12;
/** The load runs at least this long; the CLI moves the split this far into it. */
const LOAD_MS = 10_000;
const CHANGE_AT_MS = 2_000;
/** Once today's data plane serves the new split, the load goes on this long (both still served). */
const AFTER_SWITCH_MS = 2_000;
/** A guard against a hang, not a speed check: the load stops here whatever happened. */
const LOAD_CAP_MS = 30_000;

/** Which data plane answered, when, and how. */
interface Served {
  plane: string;
  startedAt: number;
  endedAt: number;
  /** HTTP status; 0 when the request failed without one (a reset, a refused connection). */
  status: number;
  /** The origin that answered (its x-origin header), or what went wrong. */
  origin: string;
}

let previous: Pick<WorkerBundle, "script">;
let current: WorkerBundle;
let origins: { stable: OriginServer; canary: OriginServer };
let dir: string;
/** The deploy: today's control plane beside a data plane of each release. */
let deploy: Miniflare | undefined;
let controlPlane: string;
let planes: Record<"previous" | "current" | "previousLate", string>;
/** Stable's requests as the release before's stats objects counted them before the deploy. */
let stableCountedBefore: number;
/** The same, as today's stats objects counted them when the deploy started. */
let stableCountedAtStart: number;
/** The release before's whole document as the upgrade found it. */
let documentAtUpgrade: string | null;
/** Every data plane response of the deploy. */
const served: Served[] = [];

/** A service both releases take: explicit track origins, the direct sockets' host. */
function upgradeService(): ServiceInput {
  return {
    name: SERVICE,
    hosts: ["127.0.0.1"],
    versions: {
      stable: { origin: origins.stable.url, release: "v1" },
      canary: { origin: origins.canary.url, release: "v2" },
    },
    baseline: "stable",
    split: { stable: 100, canary: 0 },
    sticky: { by: "none" },
  };
}

/** The objects of the control plane: its own, or (`scriptName`) another Worker's. */
function objects(scriptName?: string) {
  const object = (className: string) =>
    scriptName ? { className, scriptName } : { className, useSQLite: true };
  return {
    SERVICES: object("ServiceObject"),
    REGISTRY: object("RegistryObject"),
    STATS: object("StatsObject"),
    RELEASES: object("ReleaseObject"),
  };
}

/**
 * One Worker of the deploy, on a socket of its own: a control plane (admin API on 127.0.0.1, its
 * own objects) or a data plane (no admin surface, the control plane's objects by script name).
 * Every one binds the KV namespace "ROUTES"; isolates refresh their routes and flush their
 * outcomes every second.
 */
function keystoneWorker(
  name: string,
  bundle: Pick<WorkerBundle, "script">,
  role: "control plane" | "data plane",
): V4WorkerOptions {
  const options = keystoneOptions(bundle.script, {
    ADMIN_HOSTS: role === "control plane" ? "127.0.0.1" : "",
    ROUTE_REFRESH_SECONDS: "1",
    METRICS_FLUSH_SECONDS: "1",
  });
  return {
    ...options,
    name,
    modules: true,
    // Module names are relative to this root; bundles live in temporary folders.
    modulesRoot: dirname(bundle.script),
    compatibilityDate: COMPATIBILITY_DATE,
    durableObjects: objects(role === "data plane" ? "control-plane" : undefined),
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  };
}

/** Workers in one workerd, their KV and Durable Object state kept in this file's folder. */
function startWorkers(workers: V4WorkerOptions[]): Miniflare {
  return new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      resourcePersistencePath: join(dir, "state"),
      workers,
    }),
  );
}

async function directUrl(mf: Miniflare, name: string): Promise<string> {
  return (await mf.unsafeGetDirectURL(name)).toString().replace(/\/$/, "");
}

/** One request to a data plane; a failure without a response is recorded, not thrown. */
async function request(plane: string, url: string): Promise<Served> {
  const startedAt = Date.now();
  try {
    const response = await fetch(url + PATH);
    await response.arrayBuffer();
    const origin =
      response.headers.get("x-origin") ?? `none (${response.headers.get("x-keystone-version")})`;
    return { plane, startedAt, endedAt: Date.now(), status: response.status, origin };
  } catch (error) {
    return { plane, startedAt, endedAt: Date.now(), status: 0, origin: String(error) };
  }
}

/** Polls a data plane until it answers 2xx from `origin`: a publication reached its isolate. */
async function waitForOrigin(url: string, origin: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: Served | undefined;
  while (Date.now() < deadline) {
    last = await request("probe", url);
    if (last.status >= 200 && last.status < 300 && last.origin === origin) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `${url} did not answer from ${origin} within ${timeoutMs} ms: last ${JSON.stringify(last)}`,
  );
}

/** Requests a control plane's stats objects counted for one version, every reason summed. */
async function requestsCounted(controlPlane: string, version: string): Promise<number> {
  const response = await fetch(`${controlPlane}/_keystone/metrics`, {
    headers: { authorization: `Bearer ${BENCH_TOKEN}` },
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`/_keystone/metrics: HTTP ${response.status} ${text}`);
  return select(parseMetrics(text), "keystone_requests_total", {
    service: SERVICE,
    version,
  }).reduce((sum, sample) => sum + sample.value, 0);
}

/**
 * Polls a control plane's count of a version's requests until it reaches `expected` (isolates
 * flush their outcomes every second) or stops moving for a few seconds; returns the last count,
 * which a test compares with what was served: a flush counted twice or refused shows there.
 */
async function countedOnce(
  controlPlane: string,
  version: string,
  expected: number,
): Promise<number> {
  let counted = await requestsCounted(controlPlane, version);
  for (let still = 0; counted < expected && still < 20; ) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = await requestsCounted(controlPlane, version);
    still = now === counted ? still + 1 : 0;
    counted = now;
  }
  return counted;
}

/** Counts of responses per origin (or failure), for the log. */
function tally(responses: Served[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of responses) {
    const key = `${s.status} ${s.origin}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/**
 * The release before as `npm run deploy` built it: from its git revision, or, in a clone without
 * that history (a shallow CI checkout), the same build committed beside this test. Rebuild that
 * file with: node --input-type=module -e 'import { bundleKeystone, exportRevision } from
 * "./bench/lib/bundle.ts"; import { readFileSync, writeFileSync } from "node:fs"; import {
 * gzipSync } from "node:zlib"; writeFileSync("test/e2e/fixtures/release-67b003a.js.gz",
 * gzipSync(readFileSync(bundleKeystone(exportRevision("67b003a")).script), { level: 9 }));'
 */
function previousRelease(): Pick<WorkerBundle, "script"> {
  try {
    return bundleKeystone(exportRevision(PREVIOUS_RELEASE));
  } catch (error) {
    if (!String(error).includes("is not in this clone")) throw error;
    const built = join(mkdtempSync(join(tmpdir(), "keystone-previous-release-")), "index.js");
    writeFileSync(
      built,
      gunzipSync(
        readFileSync(join(PROJECT_ROOT, `test/e2e/fixtures/release-${PREVIOUS_RELEASE}.js.gz`)),
      ),
    );
    console.log(
      `the release before: ${PREVIOUS_RELEASE} is not in this clone, its committed build is used`,
    );
    return { script: built };
  }
}

beforeAll(async () => {
  // Both bundles as they ship: `npm run deploy`'s wrangler build, of that revision and of this one.
  previous = previousRelease();
  current = bundleKeystone();
  origins = { stable: await startOrigin("stable"), canary: await startOrigin("canary") };
  dir = mkdtempSync(join(tmpdir(), "keystone-e2e-upgrade-"));
});

afterAll(async () => {
  await deploy?.dispose();
  await origins?.stable.close();
  await origins?.canary.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a deploy of Keystone drops no request", () => {
  it("the release before, alone, stores a service and serves it from stable", async () => {
    const before = startWorkers([keystoneWorker("control-plane", previous, "control plane")]);
    try {
      const url = await directUrl(before, "control-plane");
      await applyService(url, upgradeService());
      await waitForOrigin(url, "stable");
      // Its outcomes are flushed within a second: wait until it has counted every request stable
      // received, so what it stored is known before the deploy.
      const received = origins.stable.hits.get(PATH) ?? 0;
      stableCountedBefore = await countedOnce(url, "stable", received);
      expect(stableCountedBefore).toBe(received);
    } finally {
      await before.dispose();
    }
  });

  it("today's data plane serves the release before's document until today's control plane publishes", async () => {
    deploy = startWorkers([
      keystoneWorker("control-plane", current, "control plane"),
      keystoneWorker("previous", previous, "data plane"),
      keystoneWorker("current", current, "data plane"),
      // A Worker of the release before that takes its first request only after today's control
      // plane has published: an isolate started late in the deploy, with nothing cached.
      keystoneWorker("previous-late", previous, "data plane"),
    ]);
    controlPlane = await directUrl(deploy, "control-plane");
    planes = {
      previous: await directUrl(deploy, "previous"),
      current: await directUrl(deploy, "current"),
      previousLate: await directUrl(deploy, "previous-late"),
    };
    // What the release before's stats objects stored is still counted by today's.
    stableCountedAtStart = await requestsCounted(controlPlane, "stable");
    expect(stableCountedAtStart, "stable's requests counted before the deploy").toBe(
      stableCountedBefore,
    );
    // Nothing has changed since the upgrade: KV holds only the whole document (routes:v1).
    const routes = await deploy.getKVNamespace("ROUTES", "control-plane");
    documentAtUpgrade = await routes.get(ROUTES_KEY, "text");
    expect(documentAtUpgrade, "the release before's document").not.toBeNull();
    expect(await routes.get(ROUTES_HEAD_KEY, "text"), "a head before any change").toBeNull();
    const first = await request("current", planes.current);
    const old = await request("previous", planes.previous);
    served.push(first, old);
    expect(first, "today's data plane, first request").toMatchObject({
      status: 200,
      origin: "stable",
    });
    expect(old, "the release before's data plane").toMatchObject({ status: 200, origin: "stable" });
  });

  it("under load, both data planes answer 2xx while today's CLI moves the split", async () => {
    const load: Served[] = [];
    const started = Date.now();
    let stopAt = started + LOAD_MS;
    const loops = Array.from({ length: LOOPS }, async (_, loop) => {
      for (let i = loop; Date.now() < stopAt; i++) {
        const plane = i % 2 === 0 ? "previous" : "current";
        load.push(await request(plane, planes[plane]));
      }
    });

    await new Promise((resolve) => setTimeout(resolve, CHANGE_AT_MS));
    const changeStartedAt = Date.now();
    const change = await runCli(["weights", SERVICE, "stable=0", "canary=100"], dir, {
      KEYSTONE_URL: controlPlane,
      KEYSTONE_TOKEN: BENCH_TOKEN,
    });
    const changedAt = Date.now();

    // Today's data plane takes the new split from today's publication (the key per service).
    let switchedAt: number | undefined;
    while (change.code === 0 && switchedAt === undefined && Date.now() < started + LOAD_CAP_MS) {
      switchedAt = load.find((s) => s.plane === "current" && s.origin === "canary")?.endedAt;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    stopAt = Math.min(Math.max(stopAt, (switchedAt ?? 0) + AFTER_SWITCH_MS), started + LOAD_CAP_MS);
    await Promise.all(loops);
    served.push(...load);
    expect(change.code, change.stderr).toBe(0);

    const previousServed = load.filter((s) => s.plane === "previous");
    const currentServed = load.filter((s) => s.plane === "current");
    console.log(
      `upgrade under load: ${load.length} requests in ${Date.now() - started} ms over ${LOOPS} loops; ` +
        `the CLI ran ${changedAt - changeStartedAt} ms; its change took effect in today's data plane ${switchedAt === undefined ? "never" : `${switchedAt - changedAt} ms`} after it returned\n` +
        `  previous: ${JSON.stringify(tally(previousServed))}\n  current:  ${JSON.stringify(tally(currentServed))}`,
    );
    expect(switchedAt, "today's data plane never served canary").toBeDefined();
    // Today's control plane published a key per service and kept the whole document as it was.
    const routes = await deploy!.getKVNamespace("ROUTES", "control-plane");
    expect(await routes.get(ROUTES_HEAD_KEY, "text"), "today's head").not.toBeNull();
    expect(await routes.get(ROUTES_KEY, "text"), "the release before's document").toBe(
      documentAtUpgrade,
    );
    const failed = load.filter((s) => s.status < 200 || s.status >= 300);
    expect(
      failed.length,
      `responses that were not 2xx: ${JSON.stringify(failed.slice(0, 5))}`,
    ).toBe(0);
    // Every request today's data plane took after it first served canary went to canary.
    const after = currentServed.filter((s) => s.startedAt > switchedAt!);
    expect(after.length).toBeGreaterThan(0);
    expect(tally(after)).toEqual({ "200 canary": after.length });
    // The release before reads only routes:v1, which today's control plane keeps frozen as it was
    // at the upgrade (a day, for Workers still on that release): it goes on serving the split it
    // knew, all stable, and never fails.
    expect(tally(previousServed)).toEqual({ "200 stable": previousServed.length });

    // Its outcomes reach today's stats objects: after the switch only the release before sends
    // anything to stable, so stable's count rises by exactly what both data planes served from it.
    const servedFromStable = served.filter((s) => s.origin === "stable").length;
    const previousFromStable = served.filter((s) => s.plane === "previous").length;
    const counted =
      (await countedOnce(controlPlane, "stable", stableCountedAtStart + servedFromStable)) -
      stableCountedAtStart;
    console.log(
      `  stable counted by today's stats objects: ${counted} of ${servedFromStable} served (${previousFromStable} by the release before)`,
    );
    expect(counted).toBe(servedFromStable);
  });

  it("a data plane of the release before started after today's publication serves from routes:v1", async () => {
    // Cold: nothing cached, so it reads the frozen whole document, as a Worker of the release
    // before starting anywhere mid-deploy would (it would answer 503 without it).
    const late = await request("previous", planes.previousLate);
    expect(late).toMatchObject({ status: 200, origin: "stable" });
  });
});
