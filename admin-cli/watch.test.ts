// keystone rollout status --watch in process against a stand-in admin API: on a terminal it
// redraws in place with the cursor sequence, piped it appends plain lines without ANSI, it ends
// with the rollout (0 promoted, 10 rolled back or aborted) and Ctrl-C stops it with 0.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RolloutStatus } from "../schemas/api-responses.ts";
import { record, rolloutStatus } from "../test/support/cli-fixtures.ts";
import { type FakeAdminApi, startFakeAdminApi } from "../test/support/fake-admin-api.ts";
import { shopService } from "../test/support/fixtures.ts";
import { runCli } from "../test/support/run-cli.ts";
import { CURSOR } from "./live-frame.ts";

let api: FakeAdminApi;
const ESC = "\u001b";
const ANSI = `${ESC}[`;
const watch = ["rollout", "status", "shop", "--watch", "--interval", "0.2"];

beforeAll(async () => {
  api = await startFakeAdminApi();
});
afterAll(() => api.close());

/** Answers the rollout's status from a script, one entry per request, the last one repeated. */
function script(...statuses: RolloutStatus[]): void {
  let served = 0;
  api.answers.set("GET /services/shop/rollout", () => ({
    body: statuses[Math.min(served++, statuses.length - 1)],
  }));
}

function at(step: number, outcome = "hold", errorRatePercent = 0): RolloutStatus {
  const status = rolloutStatus("progressing");
  return {
    ...status,
    state: {
      ...status.state!,
      stepIndex: step - 1,
      lastVerdict: {
        ...status.state!.lastVerdict!,
        outcome: outcome as "hold",
        reason: `at step ${step}`,
      },
    },
    candidate: { ...status.candidate!, requests: 150, errorRatePercent },
    stepBakeMs: 120_000,
  };
}

function rolledBack(): RolloutStatus {
  const status = rolloutStatus("aborted");
  return {
    ...status,
    state: {
      ...status.state!,
      phase: "rolledBack",
      lastVerdict: {
        ...status.state!.lastVerdict!,
        outcome: "rollback",
        reason: "error rate 25.00% > 5.00%",
      },
    },
    incident: { id: "3", summary: "shop: rollout of canary v2 rolled back" },
  };
}

beforeEach(() => {
  api.answers.clear();
  api.seen.length = 0;
  const policy = {
    strategy: "canary" as const,
    steps: [
      { weight: 10, bake: "2m" },
      { weight: 50, bake: "2m" },
    ],
    analysis: { minRequests: 100, maxErrorRatePercent: 5, maxP95Ms: 500 },
  };
  api.answers.set("GET /services/shop", { body: record(shopService({ rollout: policy })) });
});

describe("keystone rollout status --watch", () => {
  it("on a terminal, redraws in place with the cursor sequence and ends with exit 10 on a rollback", async () => {
    script(at(1), at(2, "advance", 7.5), rolledBack());
    const result = await runCli([...watch, "--url", api.url], { tty: true });
    expect(result.code).toBe(10);
    expect(result.stderr).toContain(
      "shop: rollout rolled back (incident 3) — error rate 25.00% > 5.00%",
    );
    const redraws = result.stdout.split(new RegExp(`${ESC}\\[\\d+F${ESC}\\[0J`));
    expect(redraws).toHaveLength(3); // three frames, the last two drawn over the one before
    expect(result.stdout.startsWith(CURSOR.hide)).toBe(true);
    expect(result.stdout.endsWith(CURSOR.show)).toBe(true);
    const [first, second, last] = redraws;
    expect(first).toContain("▶ 10%");
    expect(second).toContain("✓ 10%");
    // 7.50% errors against a 5% limit is painted red; the verdict "advance" green.
    expect(second).toContain(`${ESC}[31m7.50%`);
    expect(second).toContain(`${ESC}[32madvance`);
    expect(last).toContain("incident 3: shop: rollout of canary v2 rolled back");
  });

  it("piped, appends one plain line per change, no ANSI, and exits 0 when promoted", async () => {
    const promoted = rolloutStatus("promoted");
    script(at(1), at(1), at(2, "advance"), {
      ...promoted,
      state: { ...promoted.state!, phase: "promoted" },
    });
    const result = await runCli([...watch, "--url", api.url]);
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(ANSI);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3); // the repeated status adds no line
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ shop: progressing · step 1 of 2 · canary 10% · bake \d+m\d+s left · canary 150 req 0\.00% errors p95 1ms · hold: at step 1$/,
    );
    expect(lines[1]).toContain("step 2 of 2");
    expect(lines[2]).toContain("shop: promoted");
  });

  it("watches through the Worker restarting (a 502 from the proxy in front) and still ends with the rollout", async () => {
    let served = 0;
    const scripted = [at(1), { status: 502, body: "<html>Bad Gateway</html>" }, rolledBack()];
    api.answers.set("GET /services/shop/rollout", () => {
      const next = scripted[Math.min(served++, 2)]!;
      return "status" in next ? (next as { status: number; body: unknown }) : { body: next };
    });
    const result = await runCli([...watch, "--url", api.url]);
    expect(result.code).toBe(10);
    expect(result.stderr).toContain("failed with HTTP 502");
    expect(result.stderr).toContain("retrying every 0.2s");
    expect(result.stdout).toContain("step 1 of 2");
  });

  it("Ctrl-C stops watching with exit 0", async () => {
    script(at(1));
    let interrupt: () => void = () => {};
    const run = runCli([...watch, "--url", api.url], {
      tty: true,
      onInterrupt: (stop) => {
        interrupt = stop;
        return () => {};
      },
    });
    // A second poll 0.2 s after the first; the wait allows for a busy machine (expect.poll's own
    // default gives up after 1 s).
    await expect
      .poll(() => api.seen.filter((r) => r.path.endsWith("/rollout")).length, { timeout: 10_000 })
      .toBeGreaterThan(1);
    interrupt();
    const result = await run;
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout.endsWith(CURSOR.show)).toBe(true);
  });
});
