// Configs whose rollout can never count a request are caught: validate's warnings, the hint a
// holding verdict carries, and the "no eligible traffic" sentence of rollout status and
// rollout.noTraffic.
import { describe, expect, it } from "vitest";
import type { Condition } from "../../../schemas/condition.ts";
import type { RolloutState } from "../../../schemas/rollout-state.ts";
import { Service, type ServiceInput } from "../../../schemas/service.ts";
import { blueGreenShop, shopService } from "../../../test/support/fixtures.ts";
import { rolloutStateOf } from "../../../test/support/ledger-fixtures.ts";
import { statusView } from "../../control-plane/service/views.ts";
import { emptyState } from "../ledger/state.ts";
import type { WindowStats } from "../metrics/window-stats.ts";
import {
  NO_TRAFFIC_AFTER_MS,
  noTrafficSentence,
  openToAnyone,
  progressWarnings,
  zeroShareHint,
} from "./eligible-traffic.ts";

/** Blue/green with a preview rule; the rollout's analysis as given. */
type AnalysisInput = NonNullable<ServiceInput["rollout"]>["analysis"];

function blueGreen(analysis: AnalysisInput = {}, when?: Condition) {
  const preview = {
    name: "preview",
    when: when ?? { header: { name: "x-preview", equals: "1" } },
    route: "green",
  };
  return Service.parse(
    blueGreenShop({ rules: [preview], rollout: { strategy: "blueGreen", analysis } }),
  );
}

/** Blue/green's first check: green at 0 %. */
const state = (over: Partial<RolloutState> = {}) =>
  rolloutStateOf({
    strategy: "blueGreen",
    candidate: "green",
    baseline: "blue",
    weight: 0,
    ...over,
  });

describe("validate's warnings", () => {
  it("blue/green whose first check counts no preview rule: it may never pass, and how to fix it", () => {
    const [warning, ...more] = progressWarnings(blueGreen());
    expect(more).toEqual([]);
    expect(warning?.path).toEqual(["rollout"]);
    expect(warning?.message).toBe(
      `blue/green's first check may never pass: green is at 0 %, so this check counts only preview traffic: requests with an override token (keystone override-token shop green) and rules named in analysis.countRules that route to green (none does: "preview" is not named there); send preview requests with an override token, or name a preview rule only your team can reach in analysis.countRules`,
    );
  });

  it("a counted preview rule only the team can reach: no warning", () => {
    const internal = {
      all: [{ header: { name: "x-preview", equals: "1" } }, { ip: ["10.0.0.0/8"] }],
    };
    expect(progressWarnings(blueGreen({ countRules: ["preview"] }, internal))).toEqual([]);
  });

  it("a counted rule any client can match: anyone could pass or fail the check", () => {
    const warnings = progressWarnings(blueGreen({ countRules: ["preview"] }));
    expect(warnings).toEqual([
      {
        path: ["rollout", "analysis", "countRules", 0],
        message: expect.stringContaining(
          'rule "preview" is counted by the analysis, and any client can match it',
        ),
      },
    ]);
  });

  it("a canary step at 0 % with nothing counted to reach the candidate", () => {
    const config = Service.parse(
      shopService({
        rollout: {
          strategy: "canary",
          steps: [
            { weight: 10, bake: "1m" },
            { weight: 0, bake: "1m" },
          ],
        },
      }),
    );
    expect(progressWarnings(config)).toEqual([
      {
        path: ["rollout", "steps", 1],
        message: expect.stringMatching(
          /^step 2 may never pass: canary is at 0 % in this step, so its window counts only rules named in analysis.countRules that route to canary \(none does\): give the step a weight/,
        ),
      },
    ]);
  });

  it("nothing to say when a window needs no requests (threshold judge, minRequests 0)", () => {
    expect(progressWarnings(blueGreen({ minRequests: 0 }))).toEqual([]);
  });
});

describe("who can match a rule at will", () => {
  it("headers, cookies, paths and places are anyone's; an IP range or network is not", () => {
    expect(openToAnyone({ header: { name: "x", equals: "1" } })).toBe(true);
    expect(openToAnyone({ country: ["NZ"] })).toBe(true);
    expect(openToAnyone({ ip: ["10.0.0.0/8"] })).toBe(false);
    expect(openToAnyone({ asn: [13335] })).toBe(false);
    expect(
      openToAnyone({ all: [{ cookie: { name: "c", equals: "1" } }, { ip: ["10.0.0.0/8"] }] }),
    ).toBe(false);
    expect(
      openToAnyone({ any: [{ cookie: { name: "c", equals: "1" } }, { ip: ["10.0.0.0/8"] }] }),
    ).toBe(true);
    expect(openToAnyone({ not: { ip: ["10.0.0.0/8"] } })).toBe(true);
  });
});

describe("a step that counts nothing, at run time", () => {
  it("the hold hint is for a candidate with no public share only", () => {
    expect(zeroShareHint(blueGreen(), state())).toContain(
      "so this check counts only preview traffic",
    );
    expect(zeroShareHint(blueGreen(), state({ stepIndex: 1, weight: 100 }))).toBeUndefined();
  });

  it("no eligible traffic: said after 10 minutes without a counted request, not before, not with one", () => {
    const config = blueGreen();
    const early = NO_TRAFFIC_AFTER_MS - 1;
    expect(noTrafficSentence(config, state(), 0, early)).toBeNull();
    expect(noTrafficSentence(config, state(), 1, NO_TRAFFIC_AFTER_MS)).toBeNull();
    expect(
      noTrafficSentence(config, state({ phase: "paused" }), 0, NO_TRAFFIC_AFTER_MS),
    ).toBeNull();
    expect(noTrafficSentence(config, state(), 0, 12 * 60_000)).toMatch(
      /^no eligible traffic for 12m in step 1 of 2 at 0%: green is at 0 %/,
    );
    const canary = Service.parse(
      shopService({ rollout: { strategy: "canary", steps: [{ weight: 10, bake: "1m" }] } }),
    );
    const running = state({
      strategy: "canary",
      candidate: "canary",
      baseline: "stable",
      weight: 10,
      stepCount: 1,
    });
    expect(noTrafficSentence(canary, running, 0, NO_TRAFFIC_AFTER_MS)).toBe(
      "no eligible traffic for 10m in step 1 of 1 at 10%: the split sends canary 10% of requests to shop.example.com, and none was counted: are requests reaching the service?",
    );
  });

  it("rollout status carries the sentence while it holds", () => {
    const config = blueGreen();
    const window = (requests: number): WindowStats => ({
      requests,
      errors: 0,
      noAnswer: 0,
      errorRatePercent: null,
      p50: null,
      p95: null,
      p99: null,
      histogram: {},
      from: 0,
      to: NO_TRAFFIC_AFTER_MS,
    });
    const ledger = { ...emptyState("shop"), config, rollout: state() };
    const quiet = statusView(
      ledger,
      { candidate: window(0), baseline: window(500) },
      NO_TRAFFIC_AFTER_MS,
      60_000,
    );
    expect(quiet.noTraffic).toMatch(/^no eligible traffic for 10m in step 1 of 2 at 0%/);
    const busy = statusView(
      ledger,
      { candidate: window(3), baseline: window(500) },
      NO_TRAFFIC_AFTER_MS,
      60_000,
    );
    expect(busy.noTraffic).toBeNull();
  });
});
