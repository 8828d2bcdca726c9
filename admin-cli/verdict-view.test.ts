// What `rollout explain` and `mirror report` print: every check in words with its numbers.
import { describe, expect, it } from "vitest";
import { Analysis } from "../schemas/rollout.ts";
import type { RolloutVerdicts } from "../schemas/verdict-log.ts";
import { metricCheck } from "../test/support/metric-fixtures.ts";
import { addLatency } from "../worker/core/metrics/histogram.ts";
import { summarize } from "../worker/core/metrics/window-stats.ts";
import { judgeStep } from "../worker/core/rollout/judgement.ts";
import { createOutput } from "./io.ts";
import { main } from "./main.ts";
import { renderMirrorReport } from "./mirror-view.ts";
import { renderVerdicts } from "./verdict-view.ts";

const out = createOutput(
  { stdout: () => {}, stderr: () => {}, env: {}, cwd: "/", isTty: false },
  { json: false, noColor: true },
);

function window(requests: number, errors: number) {
  const histogram = {};
  for (let i = 0; i < requests; i++) addLatency(histogram, 90 + (i % 20));
  return summarize({ requests, errors, noAnswer: 0, histogram }, 0, 0);
}

function entry(analysis: Record<string, unknown>, outcome: "hold" | "rollback", reason: string) {
  const { judgement } = judgeStep(Analysis.parse(analysis), {
    candidate: window(1840, 53),
    baseline: window(16_500, 165),
  });
  return {
    rolloutId: "r1",
    candidate: "canary",
    baseline: "stable",
    phase: outcome === "hold" ? ("progressing" as const) : ("rolledBack" as const),
    step: 1,
    weight: outcome === "hold" ? 10 : 0,
    verdict: {
      at: "2026-11-22T10:03:00.000Z",
      outcome,
      reason,
      candidate: null,
      baseline: null,
      judgement,
      fromWeight: 10,
    },
  };
}

describe("rollout explain", () => {
  it("says how many of the candidate's requests their clients did not finish, left out of the checks", () => {
    const candidate = { ...window(1840, 53), clientFaults: 3 };
    const { judgement } = judgeStep(Analysis.parse({}), {
      candidate,
      baseline: window(16_500, 165),
    });
    const lines = renderVerdicts(out, {
      service: "shop",
      judge: "threshold",
      verdicts: [
        {
          ...entry({}, "hold", "healthy"),
          verdict: { ...entry({}, "hold", "").verdict, judgement },
        },
      ],
    });
    expect(lines).toContain(
      "  · left out: 3 requests the client did not finish (a stalled or abandoned upload), not the candidate's doing",
    );
  });

  it("prints each verdict's checks in words, for the statistical judge", () => {
    const view: RolloutVerdicts = {
      service: "shop",
      judge: "statistical",
      verdicts: [entry({ judge: "statistical" }, "rollback", "error rate … → fail")],
    };
    const lines = renderVerdicts(out, view);
    expect(lines[0]).toBe(
      "shop: rollout r1 of canary against stable, statistical judge — last 1 verdict",
    );
    expect(lines[2]).toBe("2026-11-22 10:03:00Z  step 1  10% → 0%  rolled back");
    expect(lines[3]).toBe("  · error rate 2.9 % (53 of 1,840 requests), limit 5.0 % → pass");
    expect(lines[4]).toMatch(
      /^ {2}· error rate 2\.9 % vs 1\.0 % baseline over 1,840 vs 16,500 requests: \+1\.9 pp \(.* confidence it is worse by more than 0\.50 pp → fail$/,
    );
    expect(lines[5]).toMatch(/^ {2}· median latency .* → (pass|inconclusive)$/);
  });

  it("prints the threshold judge's checks with their limits, and why a passed window still holds", () => {
    const view: RolloutVerdicts = {
      service: "shop",
      judge: "threshold",
      verdicts: [entry({ maxErrorRateDeltaPercent: 3 }, "hold", "healthy: …; baking, 3m00s left")],
    };
    expect(renderVerdicts(out, view).slice(2)).toEqual([
      "2026-11-22 10:03:00Z  step 1  10%  held",
      "  · 1,840 candidate requests, 100 needed → pass",
      "  · error rate 2.9 % (53 of 1,840 requests), limit 5.0 % → pass",
      "  · error rate 2.9 % vs 1.0 % baseline over 1,840 vs 16,500 requests: +1.9 pp, limit +3.0 pp → pass",
      "  → healthy: …; baking, 3m00s left",
    ]);
  });

  it("prints each metric with its query, and tells a provider's failure from a metric's", () => {
    const base = entry({}, "hold", "held");
    const judgement = {
      ...base.verdict.judgement,
      outcome: "fail" as const,
      metrics: [
        metricCheck({
          sentence:
            "metric app-errors = 0.2 (prometheus), successCondition result < 0.01 → fail (1 failed, 0 tolerated)",
        }),
        metricCheck({
          name: "queue",
          query: "queue_depth",
          candidate: null,
          outcome: "inconclusive",
          cause: "providerFailed",
          problem: "connection refused",
          failed: 0,
          inconclusive: 1,
          sentence:
            "metric queue: prometheus failed (connection refused), not a metric failure → inconclusive (1 of 3 tolerated)",
        }),
      ],
    };
    const lines = renderVerdicts(out, {
      service: "shop",
      judge: "threshold",
      verdicts: [{ ...base, verdict: { ...base.verdict, judgement } }],
    });
    expect(lines.slice(-4)).toEqual([
      "  · metric app-errors = 0.2 (prometheus), successCondition result < 0.01 → fail (1 failed, 0 tolerated)",
      '    query: sum(rate(app_errors_total{version="canary"}[60s]))',
      "  · metric queue: prometheus failed (connection refused), not a metric failure → inconclusive (1 of 3 tolerated)",
      "    query: queue_depth",
    ]);
  });

  it("says so when there is nothing to explain", () => {
    expect(renderVerdicts(out, { service: "shop", judge: null, verdicts: [] })).toEqual([
      "shop: no rollout verdicts yet",
    ]);
  });
});

describe("mirror report", () => {
  it("prints totals, paths and each sample's differences", () => {
    const lines = renderMirrorReport(
      out,
      {
        service: "shop",
        mirror: { version: "canary", percent: 10 },
        totals: { compared: 1204, mismatched: 37, failed: 2, mismatchPercent: 3.073 },
        paths: [{ path: "/items/:id", compared: 800, mismatched: 30 }],
        samples: [
          {
            at: "2026-11-22T10:03:00.000Z",
            method: "GET",
            path: "/items/17",
            primaryVersion: "stable",
            primaryStatus: 200,
            mirrorStatus: 200,
            differences: [{ where: "body price", primary: "10", mirror: "12" }],
          },
        ],
      },
      60,
    );
    expect(lines).toEqual([
      "shop: mirroring 10% of requests to canary — last 60 minutes",
      "compared 1,204 · differing 37 (3.07 %) · mirrored origin did not answer 2",
      "",
      "PATH        COMPARED  DIFFERING\n/items/:id  800       30",
      "",
      "Sample diffs, newest first:",
      "2026-11-22 10:03:00Z  GET /items/17  stable 200 vs canary 200",
      "  body price: 10 → 12",
    ]);
  });
});

describe("their flags", () => {
  it("refuse a count out of range with a usage error naming the flag, before any request", async () => {
    let stderr = "";
    const io = {
      stdout: () => {},
      stderr: (t: string) => (stderr += t),
      env: {},
      cwd: "/",
      isTty: false,
    };
    expect(await main(["rollout", "explain", "shop", "--last", "0"], io)).toBe(2);
    expect(stderr).toContain('--last takes a number from 1 to 500, not "0"');
    expect(await main(["mirror", "report", "shop", "--minutes", "9999"], io)).toBe(2);
    expect(stderr).toContain('--minutes takes a number from 1 to 360, not "9999"');
  });
});
