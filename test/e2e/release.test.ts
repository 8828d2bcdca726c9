// End to end: a release of three services under wrangler dev, in front of real origins (one of
// them faulty), driven by the real keystone CLI while the cron is fired through /__scheduled.
// api goes first (two steps); web starts when api reaches step 2; worker when api has passed.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { ServiceInput } from "../../schemas/service.ts";
import { type OriginServer, startOrigin } from "../../scripts/origin-server.ts";
import { PROJECT_ROOT } from "../../scripts/stack.ts";
import {
  type E2eStack,
  fireCron,
  joinSharedStack,
  visitorInBuckets,
  waitForVersion,
} from "../support/e2e-stack.ts";

let stack: E2eStack;
let faulty: OriginServer;
let lastTick = 0;

const SERVICES = ["api", "web", "worker"] as const;
type Name = (typeof SERVICES)[number];

function service(name: Name): ServiceInput {
  const steps =
    name === "api"
      ? [
          { weight: 50, bake: "1s" },
          { weight: 50, bake: "1s" },
        ]
      : [{ weight: 50, bake: "1s" }];
  return {
    name,
    hosts: [stack.host],
    pathPrefix: `/${name}`,
    versions: {
      stable: { origin: stack.origins.stable.url, release: "v1" },
      canary: { origin: stack.origins.canary.url, release: "v1" },
    },
    baseline: "stable",
    split: { stable: 100, canary: 0 },
    rollout: {
      strategy: "canary",
      steps,
      analysis: { minRequests: 20, maxErrorRatePercent: 5, failureLimit: 0 },
    },
  };
}

function releaseFile(name: string, workerOrigin: string): string {
  return stack.writeFile(
    `${name}.yaml`,
    stringify({
      name,
      services: [
        { service: "api", origin: stack.origins.canary.url, release: "v2" },
        { service: "web", release: "v2", after: { service: "api", reached: 2 } },
        {
          service: "worker",
          origin: workerOrigin,
          release: "v2",
          after: { service: "api", passed: true },
        },
      ],
    }),
  );
}

/** `keystone release start -f` of a three-service release file; must succeed. */
async function startRelease(name: string, workerOrigin: string) {
  const started = await stack.cli(["release", "start", "-f", releaseFile(name, workerOrigin)]);
  expect(started.code, started.stderr).toBe(0);
  return started;
}

/**
 * Requests through the Worker to each named service; the versions that answered. At 50 %, 100 new
 * visitors bring a step's 20 canary requests all but surely (60 left it short one round in 320).
 */
async function traffic(names: readonly Name[], count = 100): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (const name of names)
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const response = await fetch(`${stack.url}/${name}/x`, {
          headers: { cookie: `ks_${name}=v-${i}-${Date.now()}` },
        });
        await response.arrayBuffer();
        const version = `${name}:${response.headers.get("x-keystone-version")}`;
        seen.set(version, (seen.get(version) ?? 0) + 1);
      }),
    );
  return seen;
}

/**
 * Waits until the data plane serves `name`'s canary (publication and isolate refresh): each probe
 * is a new visitor, and only its rollout's table sends any to the canary (the split before is all
 * stable). A phase read from the control plane says nothing of what the data plane serves yet.
 */
async function canaryServing(name: Name): Promise<void> {
  await waitForVersion(stack.url, "canary", { path: `/${name}/x` });
}

/** Fires the cron past every bake so far, and waits until real time passes it (new windows). */
async function cron(): Promise<void> {
  const at = Math.max(Date.now(), lastTick) + 1_500;
  await fireCron(stack.url, at);
  lastTick = at;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now()) + 2_500));
}

/** A service's rollout phase, read from the admin API (quicker than a CLI process per read). */
async function rolloutPhase(name: Name): Promise<string | null> {
  const response = await fetch(`${stack.url}/_keystone/v1/services/${name}/rollout`, {
    headers: { authorization: `Bearer ${stack.secrets.ADMIN_TOKEN}` },
  });
  return ((await response.json()) as { state: { phase: string } | null }).state?.phase ?? null;
}

/** Waits (up to 20 s) until the services named are in these phases. */
async function phasesReach(wanted: Partial<Record<Name, string | null>>): Promise<void> {
  let seen = await phases();
  for (let tries = 0; tries < 100; tries++) {
    if (Object.entries(wanted).every(([name, phase]) => seen[name as Name] === phase)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
    seen = await phases();
  }
  expect(seen).toMatchObject(wanted);
}

async function phases(): Promise<Record<Name, string | null>> {
  return {
    api: await rolloutPhase("api"),
    web: await rolloutPhase("web"),
    worker: await rolloutPhase("worker"),
  };
}

beforeAll(async () => {
  stack = await joinSharedStack("release");
  faulty = await startOrigin("faulty", { errorRate: 0.5 });
  const applied = await stack.cli([
    "apply",
    "-f",
    stack.writeFile("services.yaml", stringify({ services: SERVICES.map(service) })),
  ]);
  if (applied.code !== 0) throw new Error(applied.stderr);
}, 180_000);

afterAll(async () => {
  await faulty?.close();
  await stack?.stop();
});

describe("a release of three services, gated by release wait", { timeout: 120_000 }, () => {
  it("a healthy release: each phase starts on its condition, all three promote together, wait exits 0", async () => {
    const started = await startRelease("healthy", stack.origins.canary.url);
    expect(started.stdout).toMatch(/web\s+waiting/);
    expect(await phases()).toEqual({ api: "progressing", web: null, worker: null });

    // The rollouts and the release tick themselves (every 2 s locally): each phase is waited for,
    // and then its canary in the data plane before the traffic it is judged on.
    await canaryServing("api");
    await traffic(["api"]);
    await cron();
    // api at step 2: web starts. api may already have passed it and hold for the release
    // (paused) by the time this looks: its own alarm ticks every 2 s.
    await phasesReach({ web: "progressing" });
    expect(["progressing", "paused"]).toContain((await phases()).api);

    await canaryServing("web");
    await traffic(["api", "web"]);
    await cron(); // api and web pass and hold for the release: worker starts
    await phasesReach({ api: "paused", web: "paused", worker: "progressing" });
    const held = await stack.cli(["rollout", "status", "api"]);
    expect(held.stdout).toContain("paused (release)");

    await canaryServing("worker");
    await traffic(["worker"]);
    const waiting = stack.cli([
      "release",
      "wait",
      "healthy",
      "--timeout",
      "60s",
      "--interval",
      "1s",
    ]);
    await cron(); // worker passes: every service promoted together
    const waited = await waiting;
    expect(waited.code, waited.stderr).toBe(0);
    expect(await phases()).toEqual({ api: "promoted", web: "promoted", worker: "promoted" });
    const status = JSON.parse(
      (await stack.cli(["release", "status", "healthy", "--json"])).stdout,
    ) as {
      events: { type: string; service: string | null }[];
    };
    expect(
      status.events.filter((e) => e.type === "release.servicePromoted").map((e) => e.service),
    ).toEqual(["api", "web", "worker"]);
    // Each started on its condition: web once api reached step 2, worker once api had passed.
    const order = status.events.map((e) => `${e.type} ${e.service}`);
    const at = (event: string) => order.indexOf(event);
    expect(at("release.serviceStarted web")).toBeGreaterThan(at("release.serviceStarted api"));
    expect(at("release.serviceStarted worker")).toBeGreaterThan(at("release.serviceHeld api"));
  });

  it("a failure in the last service rolls back all three, and wait exits 10", async () => {
    await startRelease("faulty", faulty.url);
    await canaryServing("api");
    await traffic(["api"]);
    await cron();
    await traffic(["api", "web"]);
    await cron(); // worker starts, on the faulty origin
    await phasesReach({ worker: "progressing" });
    await canaryServing("worker");
    await traffic(["worker"]);
    expect(faulty.totalHits()).toBeGreaterThan(10);

    const waiting = stack.cli([
      "release",
      "wait",
      "faulty",
      "--timeout",
      "60s",
      "--interval",
      "1s",
    ]);
    await cron(); // worker rolls back; the release aborts api and web
    const waited = await waiting;
    expect(waited.code).toBe(10);
    expect(waited.stderr).toMatch(/faulty: release rolled back — worker rolled back: error rate/);
    expect(await phases()).toEqual({ api: "aborted", web: "aborted", worker: "rolledBack" });

    // The rolled-back worker is halted once the isolate learns of it (its table, or a flush's
    // answer): a visitor its 50 % sent to the faulty canary gets stable from then on. api and web,
    // aborted by the release, switch back when their publication reaches the isolate (a refresh,
    // 1 s here): wait for that, then look.
    const probe = visitorInBuckets("worker", 5_000, 10_000);
    await waitForVersion(stack.url, "stable", {
      path: "/worker/x",
      headers: { cookie: `ks_worker=${probe}` },
    });
    const hits = faulty.totalHits();
    const deadline = Date.now() + 15_000;
    let after = await traffic(SERVICES, 20);
    while (after.size > SERVICES.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      after = await traffic(SERVICES, 20);
    }
    expect([...after.keys()].sort()).toEqual(["api:stable", "web:stable", "worker:stable"]);
    expect(faulty.totalHits()).toBe(hits);
  });

  it("release wait times out with exit 11; release abort stops what started", async () => {
    await startRelease("slow", stack.origins.canary.url);
    const waited = await stack.cli([
      "release",
      "wait",
      "slow",
      "--timeout",
      "2s",
      "--interval",
      "500ms",
    ]);
    expect(waited.code).toBe(11);
    expect(waited.stderr).toContain("slow: still running after 2s");
    const aborted = await stack.cli(["release", "abort", "slow", "--reason", "not today"]);
    expect(aborted.code, aborted.stderr).toBe(0);
    expect(aborted.stdout).toMatch(/release slow: aborted/);
    const status = JSON.parse(
      (await stack.cli(["release", "status", "slow", "--json"])).stdout,
    ) as {
      release: { services: { service: string; status: string }[] };
    };
    expect(status.release.services.map((s) => `${s.service} ${s.status}`)).toEqual([
      "api stopped",
      "web notStarted",
      "worker notStarted",
    ]);
    expect(await rolloutPhase("api")).toBe("aborted");
  });
});

/** The shell blocks docs/ci.md gives pipelines for the deploy webhook, in order. */
function webhookRecipes(): string[] {
  const text = readFileSync(join(PROJECT_ROOT, "docs", "ci.md"), "utf8");
  const section = text.slice(text.indexOf("<!-- The two blocks below are run by"));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe("the deploy webhook, as docs/ci.md tells a pipeline to call it", {
  timeout: 120_000,
}, () => {
  it("the curl and openssl lines set a service's release (a repeat changes nothing), then start a release", async () => {
    const [rollout, release] = webhookRecipes();
    expect(release).toBeDefined();
    const run = (script: string) =>
      promisify(execFile)("bash", ["-euo", "pipefail", "-c", script!], {
        cwd: stack.dir,
        env: {
          ...process.env,
          KEYSTONE_URL: stack.adminUrl,
          DEPLOY_WEBHOOK_SECRET: stack.secrets.DEPLOY_WEBHOOK_SECRET,
        },
      });
    const started = JSON.parse((await run(rollout!)).stdout);
    expect(started).toMatchObject({
      name: "api",
      changed: true,
      plan: {
        outcome: "rollout",
        words: expect.stringMatching(/^would start a canary toward v2\.4\.0/),
      },
    });
    expect(await rolloutPhase("api")).toBe("progressing");
    // The pipeline's retry (a new timestamp and signature): the release is already being rolled out.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = JSON.parse((await run(rollout!)).stdout);
    expect(again).toMatchObject({ changed: false, plan: { outcome: "unchanged" } });
    expect((await stack.cli(["rollout", "abort", "api"])).code).toBe(0);

    stack.writeFile(
      "release.json",
      JSON.stringify(
        {
          name: "hooked",
          services: [
            { service: "api", release: "v5" },
            { service: "web", release: "v5", after: { service: "api", passed: true } },
          ],
        },
        null,
        2,
      ),
    );
    const status = JSON.parse((await run(release!)).stdout) as {
      release: { phase: string; author: string };
    };
    expect(status.release).toMatchObject({ phase: "running", author: "deploy-webhook" });
    expect(await rolloutPhase("api")).toBe("progressing");
    const aborted = await stack.cli(["release", "abort", "hooked"]);
    expect(aborted.code, aborted.stderr).toBe(0);
  });
});
