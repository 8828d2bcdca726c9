// End to end: a CI job gates on `keystone rollout wait` while the cron progresses the rollout,
// against real local origins, one of them faulty.
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { ServiceInput } from "../../schemas/service.ts";
import { RolloutVerdicts } from "../../schemas/verdict-log.ts";
import {
  fireCron,
  useStackWithFaultyOrigin,
  visitorInBuckets,
  waitForVersion,
} from "../support/e2e-stack.ts";

const setup = useStackWithFaultyOrigin("rollout");

function cart(canaryOrigin: string, steps: unknown[]): ServiceInput {
  return {
    name: "cart",
    hosts: [setup.stack.host],
    versions: {
      stable: { origin: setup.stack.origins.stable.url, release: "v1" },
      canary: { origin: canaryOrigin, release: "v2" },
    },
    baseline: "stable",
    split: { stable: 100, canary: 0 },
    rollout: {
      strategy: "canary",
      steps: steps as never,
      analysis: { minRequests: 20, maxErrorRatePercent: 5, failureLimit: 0 },
    },
  };
}

async function traffic(count: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const response = await fetch(`${setup.stack.url}/`, {
        headers: { cookie: `ks_cart=visitor-${i}-${Date.now()}` },
      });
      await response.arrayBuffer();
      const version = response.headers.get("x-keystone-version") ?? "none";
      seen.set(version, (seen.get(version) ?? 0) + 1);
    }),
  );
  return seen;
}

/**
 * Waits until the data plane serves the rollout's canary (publication and isolate refresh): each
 * probe is a new visitor, and only the rollout's table sends any to the canary (the file's split
 * is all stable).
 */
async function canaryServing(): Promise<void> {
  await waitForVersion(setup.stack.url, "canary");
}

/**
 * Waits until a visitor the rollout's 50 % sent to the canary is answered by stable: the rollback
 * reached the data plane (its table, or the halt the isolate learns on a flush). Any visitor would
 * read stable half the time from the table before.
 */
async function rollbackServing(): Promise<void> {
  const probe = visitorInBuckets("cart", 5_000, 10_000);
  await waitForVersion(setup.stack.url, "stable", { headers: { cookie: `ks_cart=${probe}` } });
}

/** The status page's HTML at `path`, signed in with the read token. */
async function statusPage(path: string): Promise<string> {
  const signedIn = await fetch(`${setup.stack.url}/_keystone/ui/sign-in`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: setup.stack.url },
    body: new URLSearchParams({ token: setup.stack.secrets.READ_TOKEN }).toString(),
  });
  const cookie = signedIn.headers.get("set-cookie")?.split(";")[0] ?? "";
  const page = await fetch(`${setup.stack.url}${path}`, { headers: { cookie } });
  expect(page.status).toBe(200);
  return page.text();
}

/**
 * The faulty canary's rollback, told by incident show, rollout explain, rollout report and the
 * status page: the same event name, time, step and weights (50% → 0%) everywhere, and the
 * operator's --reason on the started line.
 */
async function oneStoryOfTheRollback(): Promise<void> {
  const incident = JSON.parse(
    (await setup.stack.cli(["incident", "show", "cart", "1", "-o", "json"])).stdout,
  ) as { timeline: { event: string; at: string }[] };
  const at = incident.timeline.find((m) => m.event === "rollout.rolledBack")?.at;
  expect(at).toBeDefined();
  const when = at!.replace("T", " ").replace(/\.\d+Z$/, "Z");
  const markdown = (await setup.stack.cli(["incident", "show", "cart", "1"])).stdout;
  expect(markdown).toMatch(new RegExp(`^\\| ${when} \\| rolled back \\| 1 \\| 50% → 0% \\|`, "m"));
  const report = (await setup.stack.cli(["rollout", "report", "cart"])).stdout;
  expect(report).toMatch(new RegExp(`^\\| ${when} \\| rolled back \\| 1 \\| 50% → 0% \\|`, "m"));
  const explained = (await setup.stack.cli(["rollout", "explain", "cart"])).stdout;
  expect(explained).toMatch(new RegExp(`^${when} {2}step 1 {2}50% → 0% {2}rolled back$`, "m"));
  expect(explained).toMatch(
    / {2}started$\n {2}canary rollout of canary started — ship v3 for the sale$/m,
  );
  const page = await statusPage("/_keystone/ui/services/cart/incidents/1");
  expect(page).toMatch(
    new RegExp(
      `<td>${when}</td><td>rolled back</td><td class="num">1</td><td class="num">50% → 0%</td>`,
    ),
  );
}

/**
 * A revert after the rollback puts the file's v2 back on the canary track: the report still names
 * v3-broken, the release the rolled-back rollout shipped, not what the track holds now.
 */
async function theReportKeepsTheShippedRelease(): Promise<void> {
  const { history } = JSON.parse((await setup.stack.cli(["history", "cart", "--json"])).stdout) as {
    history: { type: string; revision: number | null }[];
  };
  const applied = history.find((h) => h.type === "config.applied")?.revision;
  expect(applied).toBeTypeOf("number");
  const reverted = await setup.stack.cli(["revert", "cart", "--to", String(applied)]);
  expect(reverted.code, reverted.stderr).toBe(0);
  const got = JSON.parse((await setup.stack.cli(["get", "cart", "--json"])).stdout) as {
    config: { versions: Record<string, { release?: string }> };
  };
  expect(got.config.versions.canary?.release).toBe("v2");
  const report = (await setup.stack.cli(["rollout", "report", "cart"])).stdout;
  expect(report).toContain("canary rollout of **canary** (release v3-broken)");
}

describe("a CI job gating on rollout wait", () => {
  it("a healthy canary: the cron promotes it and rollout wait exits 0", async () => {
    expect(
      (
        await setup.stack.cli([
          "apply",
          "-f",
          setup.stack.writeFile(
            "healthy.yaml",
            stringify({
              services: [cart(setup.stack.origins.canary.url, [{ weight: 50, bake: "1s" }])],
            }),
          ),
        ])
      ).code,
    ).toBe(0);
    const started = await setup.stack.cli(["rollout", "start", "cart", "--release", "v2"]);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toContain("canary rollout of canary started at 50%");
    await canaryServing();
    const seen = await traffic(80);
    expect(seen.get("canary")).toBeGreaterThan(10);
    const waiting = setup.stack.cli([
      "rollout",
      "wait",
      "cart",
      "--timeout",
      "60s",
      "--interval",
      "1s",
    ]);
    await fireCron(setup.stack.url, Date.now() + 2_000);
    const waited = await waiting;
    expect(waited.code, waited.stderr).toBe(0);
    const status = await setup.stack.cli(["rollout", "status", "cart"]);
    expect(status.stdout).toMatch(/promoted/);
  });

  it("a faulty canary: rollout wait exits 10 and the faulty origin stops receiving traffic", async () => {
    const config = cart(setup.faulty.url, [{ weight: 50, bake: "10m" }]);
    expect(
      (
        await setup.stack.cli([
          "apply",
          "-f",
          setup.stack.writeFile("setup.faulty.yaml", stringify({ services: [config] })),
          // The file names v1, which the first test's promotion replaced: a reset, on purpose.
          "--force",
        ])
      ).code,
    ).toBe(0);
    const started = await setup.stack.cli([
      "rollout",
      "start",
      "cart",
      "--release",
      "v3-broken",
      "--reason",
      "ship v3 for the sale",
    ]);
    expect(started.code, started.stderr).toBe(0);
    await canaryServing();
    await traffic(100);
    expect(setup.faulty.totalHits()).toBeGreaterThan(20);

    // The rollout ticks from its own object's alarm (every 2 s locally): it may be judged already.
    const waiting = setup.stack.cli([
      "rollout",
      "wait",
      "cart",
      "--timeout",
      "60s",
      "--interval",
      "1s",
    ]);
    await fireCron(setup.stack.url);
    const waited = await waiting;
    expect(waited.code).toBe(10);
    expect(waited.stderr).toMatch(/rolled back — error rate \d+\.\d+% > 5\.00%/);
    // Judged on the candidate's own figures: enough requests, some of them failed.
    const explained = await setup.stack.cli([
      "rollout",
      "explain",
      "cart",
      "--json",
      "--last",
      "1",
    ]);
    const [last] = RolloutVerdicts.parse(JSON.parse(explained.stdout)).verdicts;
    const checks = last?.verdict.judgement?.thresholds ?? [];
    expect(checks.find((c) => c.check === "minRequests")?.value).toBeGreaterThanOrEqual(20);
    expect(checks.find((c) => c.check === "errorRate")).toMatchObject({ outcome: "fail" });

    await rollbackServing();
    const hitsBefore = setup.faulty.totalHits();
    expect(await traffic(60)).toEqual(new Map([["stable", 60]]));
    expect(setup.faulty.totalHits()).toBe(hitsBefore);

    const history = JSON.parse((await setup.stack.cli(["history", "cart", "--json"])).stdout) as {
      history: { type: string }[];
    };
    expect(history.history.map((h) => h.type)).toContain("rollout.rolledBack");
    await oneStoryOfTheRollback();
    await theReportKeepsTheShippedRelease();
  });

  it("rollout wait times out with exit 11", async () => {
    const config = cart(setup.stack.origins.canary.url, [{ weight: 10, bake: "1h" }]);
    expect(
      (
        await setup.stack.cli([
          "apply",
          "-f",
          setup.stack.writeFile("slow.yaml", stringify({ services: [config] })),
          "--force",
        ])
      ).code,
    ).toBe(0);
    expect((await setup.stack.cli(["rollout", "start", "cart"])).code).toBe(0);
    const waited = await setup.stack.cli([
      "rollout",
      "wait",
      "cart",
      "--timeout",
      "2s",
      "--interval",
      "500ms",
    ]);
    expect(waited.code).toBe(11);
    expect((await setup.stack.cli(["rollout", "abort", "cart"])).code).toBe(0);
  });
});
