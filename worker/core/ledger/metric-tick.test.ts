// A rollout judged on the team's own metrics as well: what the providers answered decides with
// the judge, a failure past its limit acts, no data and a provider that is down hold the step (and
// past their limit pause it), and a dry-run metric is shown but never acted on.
import { describe, expect, it } from "vitest";
import type { Incident } from "../../../schemas/incident.ts";
import { RolloutState } from "../../../schemas/rollout-state.ts";
import {
  MINUTE,
  run,
  shopWithRollout,
  T0,
  windowStats,
} from "../../../test/support/ledger-fixtures.ts";
import type { MetricReading } from "../provider-metrics/metric-judge.ts";
import { incidentMarkdown } from "../rollout/incident-markdown.ts";
import { emptyState, type LedgerState } from "./state.ts";
import { claimTick, tick } from "./tick.ts";

const iso = (ms: number) => new Date(ms).toISOString();

/** The incident as `keystone incident show` prints it (its timeline left out). */
function markdownOf(incident: Incident): string {
  const wire = { ...incident, startedAt: iso(incident.startedAt), at: iso(incident.at) };
  return incidentMarkdown(
    { ...wire, timeline: [], lastCandidateRequest: null },
    { baseUrl: "https://keystone.example.com" },
  );
}

const errorsMetric = {
  name: "app-errors",
  provider: {
    prometheus: {
      address: "https://prometheus.example.com",
      query: 'sum(rate(app_errors_total{version="{{version}}"}[{{window}}]))',
    },
  },
  successCondition: "result < 0.01",
};

function startedWith(metrics: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  const config = shopWithRollout({
    rollout: {
      strategy: "canary",
      steps: [
        { weight: 10, bake: "1m" },
        { weight: 50, bake: "1m" },
      ],
      analysis: { minRequests: 10, failureLimit: 0, metrics },
      ...extra,
    },
  } as never);
  return run(run(emptyState("shop"), { kind: "apply", config }), { kind: "rollout.start" });
}

const values = (metric: string, v: number[], version: MetricReading["version"] = "candidate") => ({
  metric,
  version,
  query: `q ${version}`,
  answer: { values: v },
});

/** One tick at `at` with healthy traffic and these provider answers. */
function tickWith(state: LedgerState, metrics: MetricReading[], at: number) {
  const claim = claimTick(state, at);
  const decided = tick(
    claim.state,
    { candidate: windowStats(200, 0), baseline: windowStats(2000, 0), metrics },
    [],
    at,
  );
  return { claim, decided, rollout: decided.state.rollout! };
}

describe("a tick with the rollout's own metrics", () => {
  it("asks each provider with the query filled for the version it measures and the window", () => {
    const { claim } = tickWith(startedWith([errorsMetric]), [], T0 + 90_000);
    const calls = claim.reply.run ? claim.reply.metrics : [];
    expect(calls).toHaveLength(1);
    expect(calls[0]?.query).toBe('sum(rate(app_errors_total{version="canary"}[90s]))');
    expect(calls[0]?.url).toMatch(/^https:\/\/prometheus\.example\.com\/api\/v1\/query\?query=/);
  });

  it("rolls back a candidate whose app error counter rises while its HTTP answers are all 200", () => {
    const { rollout, decided } = tickWith(
      startedWith([errorsMetric]),
      [values("app-errors", [0.2])],
      T0 + MINUTE,
    );
    expect(rollout.phase).toBe("rolledBack");
    expect(decided.events[0]?.type).toBe("rollout.rolledBack");
    const check = rollout.lastVerdict?.judgement?.metrics?.[0];
    expect(check).toMatchObject({
      outcome: "fail",
      cause: "measured",
      candidate: [0.2],
      failed: 1,
    });
    expect(check?.sentence).toBe(
      "metric app-errors = 0.2 (prometheus), successCondition result < 0.01 → fail (1 failed, 0 tolerated)",
    );
    expect(rollout.lastVerdict?.judgement?.outcome).toBe("fail");
  });

  it("advances when the metric passes, like the judge alone", () => {
    const { rollout } = tickWith(
      startedWith([errorsMetric]),
      [values("app-errors", [0.001])],
      T0 + MINUTE,
    );
    expect(rollout.stepIndex).toBe(1);
    expect(rollout.lastVerdict?.judgement?.metrics?.[0]?.outcome).toBe("pass");
  });

  it("holds a failure within failureLimit, counting it across the step's ticks", () => {
    let state = startedWith([{ ...errorsMetric, failureLimit: 1 }]);
    const first = tickWith(state, [values("app-errors", [0.2])], T0 + MINUTE);
    expect(first.rollout).toMatchObject({ phase: "progressing", stepIndex: 0 });
    expect(first.rollout.lastVerdict?.outcome).toBe("failed");
    state = first.decided.state;
    const second = tickWith(state, [values("app-errors", [0.2])], T0 + 2 * MINUTE);
    expect(second.rollout.phase).toBe("rolledBack");
    expect(second.rollout.lastVerdict?.judgement?.metrics?.[0]?.failed).toBe(2);
  });

  it("holds the step when the provider is down or has no data, said apart from a metric failure", () => {
    let state = startedWith([errorsMetric]);
    const down = tickWith(
      state,
      [
        {
          metric: "app-errors",
          version: "candidate",
          query: "q",
          answer: { failure: "connection refused" },
        },
      ],
      T0 + MINUTE,
    );
    expect(down.rollout).toMatchObject({ phase: "progressing", stepIndex: 0 });
    expect(down.rollout.lastVerdict?.outcome).toBe("inconclusive");
    expect(down.rollout.lastVerdict?.reason).toMatch(
      /prometheus failed \(connection refused\), not a metric failure → inconclusive \(1 of 3 tolerated\)/,
    );
    state = down.decided.state;
    const empty = tickWith(state, [values("app-errors", [])], T0 + 2 * MINUTE);
    expect(empty.rollout.lastVerdict?.judgement?.metrics?.[0]).toMatchObject({
      cause: "noData",
      outcome: "inconclusive",
      inconclusive: 2,
    });
    expect(empty.rollout.stepIndex).toBe(0);
  });

  it("keeps a verdict whose metric read NaN or +Inf storable as JSON: NaN is no data, +Inf a value", () => {
    // Prometheus answers "NaN" for 0/0 and "+Inf" for x/0; JSON holds neither, and a stored
    // verdict that no longer parses made every load of the service object throw (no status, no
    // abort, the canary stuck at its weight).
    const nan = tickWith(
      startedWith([errorsMetric]),
      [values("app-errors", [Number.NaN])],
      T0 + MINUTE,
    );
    expect(nan.rollout).toMatchObject({ phase: "progressing", stepIndex: 0 });
    expect(nan.rollout.lastVerdict?.judgement?.metrics?.[0]).toMatchObject({
      cause: "noData",
      outcome: "inconclusive",
      candidate: [null],
    });
    const inf = tickWith(
      startedWith([errorsMetric]),
      [values("app-errors", [Number.POSITIVE_INFINITY, 0.5])],
      T0 + MINUTE,
    );
    expect(inf.rollout.phase).toBe("rolledBack");
    const check = inf.rollout.lastVerdict?.judgement?.metrics?.[0];
    expect(check).toMatchObject({ outcome: "fail", candidate: [null, 0.5] });
    expect(check?.sentence).toMatch(/^metric app-errors = \[Infinity, 0\.5\] \(prometheus\)/);
    for (const rollout of [nan.rollout, inf.rollout])
      expect(RolloutState.parse(JSON.parse(JSON.stringify(rollout)))).toEqual(rollout);
  });

  it("pauses for an operator past inconclusiveLimit", () => {
    let state = startedWith([{ ...errorsMetric, inconclusiveLimit: 1 }]);
    for (const at of [T0 + MINUTE, T0 + 2 * MINUTE])
      state = tickWith(state, [values("app-errors", [])], at).decided.state;
    expect(state.rollout).toMatchObject({ phase: "paused", pausedBy: "analysis" });
    expect(state.rollout?.lastVerdict?.reason).toMatch(
      /no data from prometheus .*: paused for an operator$/,
    );
  });

  it("shows a failing dry-run metric without acting on it", () => {
    const { rollout } = tickWith(
      startedWith([{ ...errorsMetric, dryRun: true }]),
      [values("app-errors", [0.2])],
      T0 + MINUTE,
    );
    expect(rollout.stepIndex).toBe(1);
    const check = rollout.lastVerdict?.judgement?.metrics?.[0];
    expect(check).toMatchObject({ outcome: "fail", dryRun: true });
    expect(check?.sentence).toMatch(/^\[dry run\] metric app-errors .* \(dry run: not acted on\)$/);
    expect(rollout.lastVerdict?.judgement?.outcome).toBe("pass");
  });

  it("compares the candidate with the baseline from the same query run for each", () => {
    const ratio = {
      name: "orders",
      provider: { web: { url: "https://stats.example.com/orders/{{version}}", path: "$.rate" } },
      baseline: { maxRatio: 1.25, worseWhen: "lower" },
    };
    const { claim } = tickWith(startedWith([ratio]), [], T0 + MINUTE);
    const urls = claim.reply.run ? claim.reply.metrics.map((c) => c.url) : [];
    expect(urls).toEqual([
      "https://stats.example.com/orders/canary",
      "https://stats.example.com/orders/stable",
    ]);
    const fewer = tickWith(
      startedWith([ratio]),
      [values("orders", [60], "candidate"), values("orders", [100], "baseline")],
      T0 + MINUTE,
    ).rollout;
    expect(fewer.phase).toBe("rolledBack");
    expect(fewer.lastVerdict?.judgement?.metrics?.[0]?.sentence).toMatch(
      /candidate 60 against baseline 100 \(ratio 1\.667, shortfall 40\).*candidate ≥ baseline ÷ 1\.25 → fail/,
    );
    const close = tickWith(
      startedWith([ratio]),
      [values("orders", [90], "candidate"), values("orders", [100], "baseline")],
      T0 + MINUTE,
    ).rollout;
    expect(close.stepIndex).toBe(1);
  });

  it("starts each step's tally afresh", () => {
    let state = startedWith([{ ...errorsMetric, inconclusiveLimit: 1 }]);
    state = tickWith(state, [values("app-errors", [])], T0 + MINUTE).decided.state;
    state = tickWith(state, [values("app-errors", [0.001])], T0 + 2 * MINUTE).decided.state;
    expect(state.rollout?.stepIndex).toBe(1);
    state = tickWith(state, [values("app-errors", [])], T0 + 3 * MINUTE).decided.state;
    expect(state.rollout?.lastVerdict?.judgement?.metrics?.[0]?.inconclusive).toBe(1);
    expect(state.rollout?.phase).toBe("progressing");
  });
});

describe("the incident of a rollback", () => {
  it("lists each metric with its query, value, condition and result, in the Markdown too", () => {
    const { decided } = tickWith(
      startedWith([errorsMetric, { ...errorsMetric, name: "trial", dryRun: true }]),
      [values("app-errors", [0.2]), values("trial", [])],
      T0 + MINUTE,
    );
    const incident = decided.incident!;
    expect(incident.metrics?.map((m) => [m.name, m.outcome, m.dryRun])).toEqual([
      ["app-errors", "fail", false],
      ["trial", "inconclusive", true],
    ]);
    const markdown = markdownOf(incident);
    expect(markdown).toContain(
      "| metric app-errors (prometheus): q candidate | 0.2 | successCondition result &lt; 0.01 | – | fail |",
    );
    expect(markdown).toContain(
      "| metric trial (prometheus): q candidate | no data | successCondition result &lt; 0.01 | – | inconclusive (dry run, not acted on) |",
    );
  });

  it("lists the statistical judge's failed checks with their numbers", () => {
    const state = startedWith([], {});
    const config = {
      ...state.config!,
      rollout: {
        ...state.config!.rollout!,
        analysis: {
          ...state.config!.rollout!.analysis,
          judge: "statistical" as const,
          metrics: undefined,
        },
      },
    };
    const claim = claimTick({ ...state, config }, T0 + MINUTE);
    const decided = tick(
      claim.state,
      { candidate: windowStats(2000, 80), baseline: windowStats(18_000, 180) },
      [],
      T0 + MINUTE,
    );
    const incident = decided.incident!;
    expect(incident.failedJudgeChecks?.checks.map((c) => c.check)).toEqual(["errorRate"]);
    const markdown = markdownOf(incident);
    expect(markdown).toMatch(
      /\| error rate against the baseline \(statistical\) \| \*\*4\.0 % \(\+3\.0 pp, \+[\d.]+ pp to \+[\d.]+ pp\)\*\* \| \+0\.50 pp at 99\.0 % confidence \| 1\.0 % \|/,
    );
  });
});
