// What `rollout status` shows after a rollout ended: the bar at what the candidate serves, which
// release each track serves after a promotion, and a halt that may still divert traffic.
import { describe, expect, it } from "vitest";
import type { RolloutStatus } from "../schemas/api-responses.ts";
import { createOutput } from "./io.ts";
import { renderStatus } from "./rollout-view.ts";

const out = createOutput(
  { stdout: () => {}, stderr: () => {}, env: {}, cwd: "/", isTty: false },
  { json: false, noColor: true },
);
const at = "2026-11-22T10:00:00.000Z";

function ended(phase: "aborted" | "promoted", over: Partial<RolloutStatus> = {}): RolloutStatus {
  return {
    state: {
      id: "r1",
      phase,
      strategy: "canary",
      candidate: "canary",
      baseline: "stable",
      stepIndex: 0,
      stepCount: 2,
      weight: phase === "promoted" ? 100 : 0,
      startedAt: at,
      stepStartedAt: at,
      failures: 0,
      pausedBy: null,
      lastTickAt: at,
      endedAt: at,
      lastVerdict: null,
    },
    split: { stable: 100, canary: 0 },
    tracks: [
      {
        track: "stable",
        origin: "http://a",
        release: phase === "promoted" ? "v2" : "v1",
        weight: 100,
      },
      { track: "canary", origin: "http://b", release: "v2", weight: 0 },
    ],
    promotion: null,
    desired: null,
    serving: null,
    countedRoutes: null,
    candidate: null,
    baseline: null,
    stepBakeMs: null,
    halt: null,
    incident: null,
    now: at,
    ...over,
  };
}

describe("rollout status after the end", () => {
  it("an aborted rollout shows a 0% bar beside stable 100%, and the halt while it may hold", () => {
    const halt = {
      rolloutId: "r1",
      version: "canary",
      sequence: 7,
      since: at,
      acknowledgedAt: at,
      until: "2026-11-22T10:02:31.000Z",
      mayHold: true,
    };
    const lines = renderStatus(out, "shop", ended("aborted", { halt })).join("\n");
    expect(lines).toContain("] 0%  stable 100%, canary 0%");
    expect(lines).toContain(
      "halted: isolates may still send canary's traffic to the baseline until 2026-11-22 10:02:31Z",
    );
    expect(lines).not.toContain("incident");
    const summary = "shop: rollout of canary v2 aborted by bo at step 1 of 2 (10%): wrong build";
    const named = renderStatus(out, "shop", ended("aborted", { incident: { id: "4", summary } }));
    expect(named.join("\n")).toContain(`incident 4: ${summary}\n  keystone incident show shop 4`);
    const lifted = renderStatus(
      out,
      "shop",
      ended("aborted", { halt: { ...halt, mayHold: false } }),
    ).join("\n");
    expect(lifted).not.toContain("halted:");
  });

  it("after an abort, weights an operator sets move the bar with them", () => {
    const lines = renderStatus(
      out,
      "shop",
      ended("aborted", { split: { stable: 90, canary: 10 } }),
    ).join("\n");
    expect(lines).toContain("] 10%  stable 90%, canary 10%");
  });

  it("a promoted rollout says which release stable serves now", () => {
    const promotion = { track: "stable", release: "v2", origin: "http://b", from: "canary" };
    const lines = renderStatus(out, "shop", ended("promoted", { promotion })).join("\n");
    expect(lines).toContain("stable now serves release v2 (from canary)");
    expect(lines).toContain("releases: stable v2 (100%), canary v2 (0%)");
  });
});

describe("rollout status of a step with no eligible traffic", () => {
  it("says so, with what the step counts, as the Worker words it", () => {
    const noTraffic =
      "no eligible traffic for 12m in step 1 of 2 at 0%: green is at 0 %, so this check counts only preview traffic";
    const base = ended("aborted");
    const running = { ...base, state: { ...base.state!, phase: "progressing" as const } };
    expect(renderStatus(out, "shop", { ...running, noTraffic }).join("\n")).toContain(noTraffic);
    expect(renderStatus(out, "shop", running).join("\n")).not.toContain("no eligible traffic");
  });
});

describe("rollout status beside the config file", () => {
  it("shows the release the file asks for beside the one serving, since when and how", () => {
    const serving = {
      name: "v2",
      origin: "http://b",
      revision: 7,
      how: "promoted" as const,
      rolloutId: "r1",
      at,
    };
    const desired = { name: "v3", origin: "http://c" };
    const lines = renderStatus(out, "shop", ended("promoted", { desired, serving })).join("\n");
    expect(lines).toContain("desired: v3 (config file) · serving: v2 since revision 7 (promoted)");
    const none = renderStatus(out, "shop", ended("promoted")).join("\n");
    expect(none).not.toContain("desired:");
  });
});

describe("rollout status before any rollout", () => {
  it("tells a service with a policy how to start one, and one without that it needs a policy", () => {
    const plan = { steps: [{ weight: 10, bake: "1m" }], analysis: {} } as never;
    const withPolicy = renderStatus(out, "shop", ended("promoted", { state: null }), plan);
    expect(withPolicy[0]).toBe("shop: no rollout yet (start one: keystone rollout start shop)");
    const without = renderStatus(out, "shop", ended("promoted", { state: null }));
    expect(without[0]).toBe(
      "shop: no rollout yet, and none can start: its config has no rollout: policy",
    );
  });
});

describe("rollout status: when the cron judges it next", () => {
  it("says it while the rollout is judged (held for its release included), not while paused", () => {
    const base = ended("aborted", { nextTickAt: "2026-11-22T10:01:30.000Z" });
    const with_ = (over: Partial<NonNullable<RolloutStatus["state"]>>) =>
      renderStatus(out, "shop", {
        ...base,
        state: { ...base.state!, endedAt: null, ...over },
      }).join("\n");
    expect(with_({ phase: "progressing" })).toContain("next analysis: in 1m30s");
    expect(with_({ phase: "paused", pausedBy: "release" })).toContain("next analysis: in 1m30s");
    expect(with_({ phase: "paused", pausedBy: "operator" })).not.toContain("next analysis");
    expect(with_({ phase: "promoted" })).not.toContain("next analysis");
    expect(with_({ phase: "rolledBack" })).toContain("next cut back: in 1m30s");
    const late = { ...base, nextTickAt: "2026-11-22T09:59:00.000Z" };
    const lateLines = renderStatus(out, "shop", {
      ...late,
      state: { ...late.state!, phase: "progressing", endedAt: null },
    });
    expect(lateLines.join("\n")).toContain("next analysis: due now");
  });
});

describe("rollout status of a paused rollout", () => {
  it("names the ways out: the command that goes on, and the abort", () => {
    const base = ended("aborted");
    const paused = (over: Partial<NonNullable<RolloutStatus["state"]>>) =>
      renderStatus(out, "shop", {
        ...base,
        state: { ...base.state!, phase: "paused", weight: 10, endedAt: null, ...over },
      }).join("\n");
    // Paused by an operator or by failed analysis: resume goes on (rollout resume refuses a gate).
    for (const pausedBy of ["operator", "analysis"] as const)
      expect(paused({ pausedBy })).toContain(
        "paused: keystone rollout resume shop to go on, keystone rollout abort shop to end it (all traffic to stable)",
      );
    expect(paused({ pausedBy: "gate" })).toContain(
      "paused at a gate: keystone rollout promote shop to go on, keystone rollout abort shop to end it (all traffic to stable)",
    );
    // Held for its release: neither resume nor promote moves it; the release does.
    expect(paused({ pausedBy: "release", heldBy: { release: "checkout" } })).toContain(
      "held: it goes on when every service of its release has passed (keystone release status checkout); keystone rollout abort shop to end it (all traffic to stable), failing the release",
    );
    for (const phase of ["progressing", "promoted", "aborted"] as const)
      expect(paused({ phase, pausedBy: null })).not.toContain("to go on");
  });
});
