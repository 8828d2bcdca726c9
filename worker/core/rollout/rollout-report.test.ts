// The Markdown report a CI job summary shows: the rollout's own events with their figures, the
// verdict and the status page link; other rollouts' events and table-breaking text kept out.
import { describe, expect, it } from "vitest";
import type { RolloutStatus } from "../../../schemas/api-responses.ts";
import type { HistoryEntry } from "../../../schemas/history.ts";
import { AT, rolloutState, rolloutStatus } from "../../../test/support/cli-fixtures.ts";
import { renderRolloutReport } from "./rollout-report.ts";

const figures = { requests: 120, errors: 24, errorRatePercent: 20, p50: 10, p95: 48.6, p99: 80 };

function event(rolloutId: string, type: HistoryEntry["type"], reason: string): HistoryEntry {
  return {
    at: AT,
    type,
    revision: null,
    author: "ci",
    reason: null,
    detail: {
      kind: "rollout",
      rolloutId,
      phase: "rolledBack",
      step: 1,
      weight: 0,
      verdict: { outcome: "rollback", reason, candidate: figures, baseline: null, fromWeight: 10 },
    },
  };
}

describe("the rollout report", () => {
  it("shows this rollout's steps with their figures, the verdict and the status page", () => {
    const state = { ...rolloutState("rolledBack"), lastVerdict: null };
    const status: RolloutStatus = {
      state,
      split: { stable: 100, canary: 0 },
      tracks: [{ track: "canary", origin: "http://c", release: "v2", weight: 0 }],
      promotion: null,
      desired: null,
      serving: null,
      countedRoutes: null,
      candidate: null,
      baseline: null,
      stepBakeMs: null,
      halt: null,
      incident: null,
      now: AT,
    };
    const markdown = renderRolloutReport(
      "shop",
      status,
      [
        event(state.id, "rollout.rolledBack", "error rate 20.00% > 5.00% | bad"),
        event("an-older-rollout", "rollout.promoted", "old"),
      ],
      "https://keystone.example.com/_keystone/ui",
    );
    expect(markdown).toContain("### Keystone: shop — ❌ rolled back");
    expect(markdown).toContain("canary rollout of **canary** (release v2)");
    expect(markdown).toContain(
      "| 2026-01-02 03:04:05Z | rolled back | 1 | 10% → 0% | 120 | 20.00% | 49 ms | - | - | error rate 20.00% > 5.00% \\| bad |",
    );
    expect(markdown).not.toContain("old |");
    expect(markdown).toContain("[Status page](https://keystone.example.com/_keystone/ui)");
  });

  it("shows a release name as text: no link, image or HTML a pull request's branch name could make", () => {
    const base = rolloutStatus("rolledBack");
    const release = "x](https://evil.example)![p](https://evil.example/p.png)<img>";
    const status = { ...base, state: { ...base.state!, release } };
    const markdown = renderRolloutReport(
      "shop",
      status,
      [],
      "https://keystone.example.com/_keystone/ui",
    );
    expect(markdown).toContain(
      "(release x\\](https://evil.example)!\\[p\\](https://evil.example/p.png)&lt;img>)",
    );
    expect(markdown).not.toMatch(/[^\\]\]\(https:\/\/evil/);
  });
});
