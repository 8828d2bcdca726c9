// Fault suite, item 20.4: secrets in a config's URLs stay secret. A gate cannot hold credentials,
// and a failing gate or health check is told without its query wherever its failure is shown
// (rollout status, the verdict log, the status page); notify URLs (bearer secrets) are masked for
// the read token.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ConfigFile } from "../../schemas/config-file.ts";
import { formatProblems, problemsOf } from "../../schemas/problems.ts";
import { Service } from "../../schemas/service.ts";
import { providerCalls } from "../../worker/core/provider-metrics/provider-calls.ts";
import { MINUTE, RolloutHarness, rolloutService } from "../support/workerd/rollout-harness.ts";
import { statusPageHtml } from "../support/workerd/status-page.ts";

const SECRET = "s3cret-gate-token";
const steps = [
  { weight: 20, bake: "2m" },
  { weight: 50, bake: "2m" },
];
const analysis = { minRequests: 40, maxErrorRatePercent: 5, failureLimit: 0 };

async function readAs(token: string, path: string): Promise<string> {
  const response = await exports.default.fetch(`https://admin.test${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status, path).toBe(200);
  return response.text();
}

/** What apply would do with `config`, asked with the read token (POST /plan): the answer's text. */
async function planAsReader(config: unknown): Promise<string> {
  const response = await exports.default.fetch("https://keystone.test/_keystone/v1/plan", {
    method: "POST",
    headers: { authorization: "Bearer test-read-token", "content-type": "application/json" },
    body: JSON.stringify({ services: [{ config }] }),
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return text;
}

/** A service as a read token sees it, applied again with the admin token: what is stored after. */
async function reappliedAsReaderSaw(name: string) {
  const seen = JSON.parse(await readAs("test-read-token", `/_keystone/v1/services/${name}`));
  const again = await exports.default.fetch(`https://keystone.test/_keystone/v1/services/${name}`, {
    method: "PUT",
    headers: { authorization: "Bearer test-admin-token", "content-type": "application/json" },
    body: JSON.stringify({ config: seen.spec }),
  });
  expect(again.status, await again.clone().text()).toBe(200);
  return JSON.parse(await readAs("test-admin-token", `/_keystone/v1/services/${name}`));
}

describe("item 20.4: secrets stay secret", () => {
  it("a gate URL with credentials is refused at validation, like an origin", () => {
    const parsed = ConfigFile.safeParse({
      services: [
        rolloutService("gated", env.CANARY_ORIGIN, {
          strategy: "canary",
          steps,
          gates: { beforeStep: ["https://ci:hunter2@ci.example/gate"] },
        }),
      ],
    });
    expect(parsed.success).toBe(false);
    const text = parsed.success ? "" : formatProblems(problemsOf(parsed.error));
    expect(text).toContain(
      "services[0].rollout.gates.beforeStep[0]: a gate URL cannot hold credentials",
    );
  });

  it("a failing gate and health check are told without their query in status, verdicts and the status page", async () => {
    const h = new RolloutHarness("leaky-gate");
    const config = rolloutService("leaky-gate", env.CANARY_ORIGIN, {
      strategy: "canary",
      steps,
      analysis,
      gates: { beforeStep: [`${env.STABLE_ORIGIN}/status/503?token=${SECRET}`] },
    });
    config.versions.canary = {
      ...config.versions.canary!,
      healthPath: `/status/500?key=${SECRET}`,
    };
    await h.apply(config);
    await h.command("start");
    await h.traffic(300);
    h.advance(3 * MINUTE);
    await h.tick();
    const state = await h.state();
    expect(state.weight).toBe(20);
    expect(state.lastVerdict?.reason).toContain(
      `gate ${env.STABLE_ORIGIN}/status/503?… answered 503`,
    );
    expect(state.lastVerdict?.reason).toContain(
      `health check ${env.CANARY_ORIGIN}/status/500?… answered 500`,
    );
    for (const path of [
      "/_keystone/v1/services/leaky-gate/rollout",
      "/_keystone/v1/services/leaky-gate/rollout/verdicts?last=20",
      "/_keystone/v1/services/leaky-gate/history",
    ])
      expect(await readAs("test-read-token", path), path).not.toContain(SECRET);
    expect(await statusPageHtml()).not.toContain(SECRET);
  }, 60_000);

  it("notify URLs are masked for the read token, gates and health checks lose their query; the admin token sees the config whole", async () => {
    const h = new RolloutHarness("hooked");
    const hook = "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX";
    const config = rolloutService("hooked", env.CANARY_ORIGIN, {
      strategy: "canary",
      steps,
      gates: { beforePromote: [`https://ci.example/gate?token=${SECRET}`] },
    });
    config.notify = [{ url: hook, events: ["rollout.rolledBack"] }];
    config.versions.canary = { ...config.versions.canary!, healthPath: `/health?key=${SECRET}` };
    await h.apply(config);
    for (const path of ["/_keystone/v1/services/hooked", "/_keystone/v1/services"]) {
      const read = await readAs("test-read-token", path);
      expect(read, path).not.toContain("XXXXSECRETXXXX");
      expect(read, path).not.toContain(SECRET);
      expect(read, path).toContain("https://hooks.slack.com/…");
      expect(read, path).toContain("https://ci.example/gate?…");
      expect(read, path).toContain("/health?…");
    }
    // What apply would do, asked with the read token: the stored spec and the next one, masked.
    const plan = await planAsReader(config);
    expect(plan).not.toContain("XXXXSECRETXXXX");
    expect(plan).not.toContain(SECRET);
    expect(plan).toContain("https://hooks.slack.com/…");
    const whole = JSON.parse(await readAs("test-admin-token", "/_keystone/v1/services/hooked"));
    expect(whole.config.notify[0].url).toBe(hook);
    expect(whole.config.rollout.gates.beforePromote[0]).toContain(SECRET);
  });
  it("read-token output applied again keeps the secrets; a masked value that stands for nothing stored is refused", async () => {
    const h = new RolloutHarness("reapplied");
    const hook = "https://hooks.slack.com/services/T000/B000/REAPPLYSECRET";
    const config = rolloutService("reapplied", env.CANARY_ORIGIN, {
      strategy: "canary",
      steps,
      gates: { beforeStep: [`https://ci.example/gate?token=${SECRET}`] },
    });
    config.notify = [{ url: hook, events: ["rollout.rolledBack"] }];
    config.versions.canary = { ...config.versions.canary!, healthPath: `/health?key=${SECRET}` };
    await h.apply(config);
    const before = JSON.parse(await readAs("test-admin-token", "/_keystone/v1/services/reapplied"));

    // What a reader saw (get -o yaml with the read token), applied with the admin token.
    const seen = JSON.parse(await readAs("test-read-token", "/_keystone/v1/services/reapplied"));
    expect(JSON.stringify(seen.spec)).not.toContain("REAPPLYSECRET");
    const put = (spec: unknown) =>
      exports.default.fetch("https://keystone.test/_keystone/v1/services/reapplied", {
        method: "PUT",
        headers: { authorization: "Bearer test-admin-token", "content-type": "application/json" },
        body: JSON.stringify({ config: spec }),
      });
    const again = await put(seen.spec);
    expect(again.status, await again.clone().text()).toBe(200);
    const after = JSON.parse(await readAs("test-admin-token", "/_keystone/v1/services/reapplied"));
    expect(after.revision).toBe(before.revision);
    expect(after.spec.notify[0].url).toBe(hook);
    expect(after.spec.rollout.gates.beforeStep[0]).toContain(SECRET);
    expect(after.spec.versions.canary.healthPath).toBe(`/health?key=${SECRET}`);

    // A masked value standing for no stored secret: refused, naming where, nothing stored.
    const elsewhere = {
      ...seen.spec,
      notify: [{ ...seen.spec.notify[0], url: "https://other.example/…" }],
    };
    const refused = await put(elsewhere);
    expect(refused.status).toBe(422);
    const { error } = (await refused.json()) as {
      error: { problems: { path: string; message: string }[] };
    };
    expect(error.problems, JSON.stringify(error)).toContainEqual({
      path: "notify[0].url",
      message: expect.stringContaining("how the read token shows a secret"),
    });
    const unchanged = JSON.parse(
      await readAs("test-admin-token", "/_keystone/v1/services/reapplied"),
    );
    expect(unchanged.revision).toBe(before.revision);
    expect(unchanged.spec.notify[0].url).toBe(hook);
  });

  it("a reader's plan cannot tell a guessed secret from the real one", async () => {
    const h = new RolloutHarness("guessed");
    const hook = "https://hooks.slack.com/services/T000/B000/GUESSMENOT";
    const config = rolloutService("guessed", env.CANARY_ORIGIN, { strategy: "canary", steps });
    config.notify = [{ url: hook, events: ["rollout.rolledBack"] }];
    await h.apply(config);
    const plan = async (token: string, url: string) => {
      const response = await exports.default.fetch("https://keystone.test/_keystone/v1/plan", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          services: [{ config: { ...config, notify: [{ ...config.notify![0]!, url }] } }],
        }),
      });
      const body = (await response.json()) as {
        services: { plan: { outcome: string; revision: boolean } }[];
      };
      return body.services[0]!.plan;
    };
    const guess = "https://hooks.slack.com/services/T000/B000/GUESS1";
    expect(await plan("test-read-token", hook)).toMatchObject({
      outcome: "unchanged",
      revision: false,
    });
    expect(await plan("test-read-token", guess)).toEqual(await plan("test-read-token", hook));
    // The admin token sees the real difference.
    expect(await plan("test-admin-token", guess)).toMatchObject({
      outcome: "update",
      revision: true,
    });
  });

  it("a reader's plan of secrets nothing stored stands for (a new service, a new notify target) says what apply would do, not a refusal", async () => {
    const hook = "https://hooks.slack.com/services/T000/B000/NEWSECRET";
    const plan = async (config: unknown) => {
      const text = await planAsReader(config);
      expect(text).not.toContain("NEWSECRET");
      expect(text).not.toContain(SECRET);
      const [service] = (
        JSON.parse(text) as { services: { refused: unknown; plan: { outcome: string } | null }[] }
      ).services;
      return service!;
    };
    // A service nobody applied yet, with a notify URL, a gate query and a health-check query.
    const fresh = rolloutService("fresh-secrets", env.CANARY_ORIGIN, {
      strategy: "canary",
      steps,
      gates: { beforePromote: [`https://ci.example/gate?token=${SECRET}`] },
    });
    fresh.notify = [{ url: hook, events: ["rollout.rolledBack"] }];
    fresh.versions.canary = { ...fresh.versions.canary!, healthPath: `/health?key=${SECRET}` };
    expect(await plan(fresh)).toMatchObject({ refused: null, plan: { outcome: "create" } });
    // A stored service given a notify target it did not have.
    const h = new RolloutHarness("more-hooks");
    const config = rolloutService("more-hooks", env.CANARY_ORIGIN, { strategy: "canary", steps });
    await h.apply(config);
    const more = { ...config, notify: [{ url: hook, events: ["rollout.rolledBack"] }] };
    expect(await plan(more)).toMatchObject({ refused: null, plan: { outcome: "update" } });
  });

  it("a web metric provider's query (an endpoint's ?api_key=) is masked for the read token, kept on re-apply, never in a reading's query", async () => {
    const h = new RolloutHarness("webkey");
    const url = `https://metrics.example/orders?api_key=${SECRET}&v={{version}}`;
    const config = rolloutService("webkey", env.CANARY_ORIGIN, {
      strategy: "canary",
      steps,
      analysis: {
        metrics: [
          {
            name: "orders",
            provider: { web: { url, path: "$.v" } },
            failureCondition: "result > 1",
          },
        ],
      },
    });
    await h.apply(config);
    const before = JSON.parse(await readAs("test-admin-token", "/_keystone/v1/services/webkey"));
    expect(before.spec.rollout.analysis.metrics[0].provider.web.url).toBe(url);
    for (const path of ["/_keystone/v1/services/webkey", "/_keystone/v1/services"]) {
      const read = await readAs("test-read-token", path);
      expect(read, path).not.toContain(SECRET);
      expect(read, path).toContain("https://metrics.example/orders?…");
    }
    // What a reader saw, applied again with the admin token: no change, the key kept.
    const after = await reappliedAsReaderSaw("webkey");
    expect(after.revision).toBe(before.revision);
    expect(after.spec.rollout.analysis.metrics[0].provider.web.url).toBe(url);
    // The query a reading carries (analysis test, verdicts, incidents, Slack) leaves it out too.
    const now = Date.now();
    const calls = providerCalls(
      Service.parse(config),
      { candidate: "canary", baseline: "stable" },
      now - 5 * MINUTE,
      now,
    );
    expect(calls[0]!.url).toContain(SECRET);
    expect(calls[0]!.query).toBe("https://metrics.example/orders?… $.v");
  });

  it("a Prometheus or Datadog address's query is masked for the read token as a web provider's is, and kept on re-apply", async () => {
    const h = new RolloutHarness("addrkey");
    const prometheus = `https://prom.example/?api_key=${SECRET}`;
    const datadog = `https://dd.example/?token=${SECRET}`;
    const config = rolloutService("addrkey", env.CANARY_ORIGIN, {
      strategy: "canary",
      steps,
      analysis: {
        metrics: [
          {
            name: "up",
            provider: { prometheus: { address: prometheus, query: "up" } },
            failureCondition: "result > 1",
          },
          {
            name: "errors",
            provider: {
              datadog: {
                address: datadog,
                query: "sum:errors{*}",
                apiKeySecret: "METRICS_DD_API",
                appKeySecret: "METRICS_DD_APP",
              },
            },
            failureCondition: "result > 1",
          },
        ],
      },
    });
    await h.apply(config);
    const before = JSON.parse(await readAs("test-admin-token", "/_keystone/v1/services/addrkey"));
    for (const path of ["/_keystone/v1/services/addrkey", "/_keystone/v1/services"]) {
      const read = await readAs("test-read-token", path);
      expect(read, path).not.toContain(SECRET);
      expect(read, path).toContain("https://prom.example/?…");
      expect(read, path).toContain("https://dd.example/?…");
    }
    // What a reader saw, applied again with the admin token: no change, the keys kept.
    const after = await reappliedAsReaderSaw("addrkey");
    expect(after.revision).toBe(before.revision);
    const [up, errors] = after.spec.rollout.analysis.metrics;
    expect(up.provider.prometheus.address).toBe(prometheus);
    expect(errors.provider.datadog.address).toBe(datadog);
  });
});
