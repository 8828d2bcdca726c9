// End to end under wrangler dev with real local origins and the real CLI: shadow traffic reported
// by `keystone mirror report`, and verdicts explained by `keystone rollout explain`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { MirrorReport } from "../../schemas/mirror.ts";
import type { ServiceInput } from "../../schemas/service.ts";
import { RolloutVerdicts } from "../../schemas/verdict-log.ts";
import { type E2eStack, fireCron, joinSharedStack, waitForVersion } from "../support/e2e-stack.ts";

let stack: E2eStack;

function service(over: Partial<ServiceInput>): ServiceInput {
  return {
    name: "shadowed",
    hosts: [stack.host],
    versions: {
      stable: { origin: stack.origins.stable.url, release: "v1" },
      canary: { origin: stack.origins.canary.url, release: "v2" },
    },
    baseline: "stable",
    split: { stable: 100, canary: 0 },
    ...over,
  };
}

async function apply(config: ServiceInput): Promise<void> {
  const file = stack.writeFile(`${config.name}.yaml`, stringify({ services: [config] }));
  const applied = await stack.cli(["apply", "-f", file]);
  expect(applied.code, applied.stderr).toBe(0);
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean) {
  for (let tries = 0; tries < 75; tries++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} did not happen within 15 s`);
}

beforeAll(async () => {
  stack = await joinSharedStack("judging");
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe("keystone mirror report", () => {
  it("shows a candidate that changed a JSON field, with the diff, and no copy of a POST", async () => {
    stack.origins.canary.behaviour.itemFields = { price: 12 };
    await apply(
      service({
        pathPrefix: "/items",
        mirror: {
          version: "canary",
          percent: 100,
          compare: { ignoreFields: ["updatedAt", "requestId"] },
        } as ServiceInput["mirror"],
      }),
    );
    await waitForVersion(stack.url, "stable", { path: "/items/1" });
    for (let i = 2; i <= 11; i++) {
      const response = await fetch(`${stack.url}/items/${i}`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { price: number }).price).toBe(10);
    }
    const post = await fetch(`${stack.url}/items/posted`, { method: "POST", body: "x" });
    expect(post.status).toBe(200);
    await post.arrayBuffer();

    const report = await until(
      "ten compared responses",
      async () => {
        const run = await stack.cli(["mirror", "report", "shadowed", "--json"]);
        expect(run.code, run.stderr).toBe(0);
        return MirrorReport.parse(JSON.parse(run.stdout));
      },
      (r) => r.totals.compared >= 11,
    );
    expect(report.totals.mismatched).toBe(report.totals.compared);
    expect(report.samples[0]?.differences).toEqual([
      { where: "body price", primary: "10", mirror: "12" },
    ]);
    expect(stack.origins.canary.hits.get("/items/posted")).toBeUndefined();

    const human = await stack.cli(["mirror", "report", "shadowed"]);
    expect(human.stdout).toContain("shadowed: mirroring 100% of requests to canary");
    expect(human.stdout).toMatch(/\/items\/:id\s+1\d\s+1\d/);
    expect(human.stdout).toContain("  body price: 10 → 12");
  });
});

describe("keystone rollout explain", () => {
  it("prints each verdict's checks with their numbers, and --json gives them whole", async () => {
    await apply(
      service({
        name: "explained",
        hosts: [`explained.${stack.host}`],
        rollout: {
          strategy: "canary",
          steps: [{ weight: 50, bake: "1s" }],
          analysis: { minRequests: 10, maxErrorRatePercent: 5, failureLimit: 0 },
        } as ServiceInput["rollout"],
      }),
    );
    const started = await stack.cli(["rollout", "start", "explained"]);
    expect(started.code, started.stderr).toBe(0);
    const local = stack.url.replace(stack.host, `explained.${stack.host}`);
    // The rollout's 50 % reaches the data plane within a refresh: some visitor lands in it.
    await until(
      "the canary serving",
      async () => {
        const cookie = `ks_explained=probe-${Math.random()}`;
        const response = await fetch(`${local}/`, { headers: { cookie } });
        await response.arrayBuffer();
        return response.headers.get("x-keystone-version");
      },
      (version) => version === "canary",
    );
    for (let i = 0; i < 80; i++) {
      const response = await fetch(`${local}/`, { headers: { cookie: `ks_explained=v-${i}` } });
      await response.arrayBuffer();
    }
    await fireCron(stack.url, Date.now() + 2_000);
    // The rollout ticks itself (every 2 s locally): a tick during the traffic may have held it
    // first, with too few requests, before the one that promoted it.
    await until(
      "the promotion",
      async () => (await stack.cli(["rollout", "status", "explained"])).stdout,
      (status) => status.includes("promoted"),
    );

    const explained = await stack.cli(["rollout", "explain", "explained"]);
    expect(explained.code, explained.stderr).toBe(0);
    expect(explained.stdout).toMatch(
      /^explained: rollout \S+ of canary against stable, threshold judge — last \d+ verdicts$/m,
    );
    expect(explained.stdout).toMatch(/step 1 {2}50% → 100% {2}promoted$/m);
    expect(explained.stdout).toMatch(/^ {2}→ healthy: \d+ requests.*; last step passed$/m);
    expect(explained.stdout).toMatch(/^ {2}· \d+ candidate requests, 10 needed → pass$/m);
    expect(explained.stdout).toMatch(
      /^ {2}· error rate 0\.00 % \(0 of \d+ requests\), limit 5\.0 % → pass$/m,
    );
    const json = await stack.cli(["rollout", "explain", "explained", "--json", "--last", "1"]);
    const view = RolloutVerdicts.parse(JSON.parse(json.stdout));
    expect(view.verdicts).toHaveLength(1);
    expect(view.verdicts[0]?.verdict.judgement?.thresholds[0]).toMatchObject({
      check: "minRequests",
      outcome: "pass",
      limit: 10,
    });
  });
});
