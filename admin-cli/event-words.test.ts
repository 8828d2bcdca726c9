// One story per event in the CLI's text: phases and events in the words every view uses ("rolled
// back", never the JSON's `rolledBack`), and an apply --force named in history. In process against
// a stand-in admin API.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { HistoryEntry } from "../schemas/history.ts";
import { AT, rolloutStatus } from "../test/support/cli-fixtures.ts";
import { type FakeAdminApi, startFakeAdminApi } from "../test/support/fake-admin-api.ts";
import { runCli } from "../test/support/run-cli.ts";

let api: FakeAdminApi;
const cli = (...argv: string[]) => runCli([...argv, "--url", api.url]);

beforeAll(async () => {
  api = await startFakeAdminApi();
});
afterAll(() => api.close());
beforeEach(() => api.answers.clear());

const history: HistoryEntry[] = [
  {
    at: AT,
    type: "config.applied",
    revision: 4,
    author: "ci",
    reason: null,
    detail: {
      kind: "config",
      split: { stable: 100, canary: 0 },
      forced: true,
      forcedOver: { name: "v9.0.0", origin: "https://v9.example" },
    },
  },
  {
    at: AT,
    type: "rollout.rolledBack",
    revision: null,
    author: "cron",
    reason: "error rate 25.00% > 5.00%",
    detail: {
      kind: "rollout",
      rolloutId: "r-1",
      phase: "rolledBack",
      step: 1,
      weight: 0,
      verdict: null,
    },
  },
];

describe("keystone history", () => {
  it("names a forced apply and a rollout's phase in words; --json keeps the detail", async () => {
    api.answers.set("GET /services/shop/history", { body: { name: "shop", history } });
    const { code, stdout } = await cli("history", "shop");
    expect(code).toBe(0);
    expect(stdout).toContain("config applied, forced over v9.0.0 serving");
    expect(stdout).toMatch(
      /rolled back\s+cron\s+error rate 25\.00% > 5\.00% · step 1 0%, rolled back/,
    );
    expect(stdout).not.toContain("rolledBack");
    const json = JSON.parse((await cli("history", "shop", "--json")).stdout);
    expect(json.history[0].detail).toMatchObject({ forced: true, forcedOver: { name: "v9.0.0" } });
  });
});

describe("rollout wait (and apply --wait)", () => {
  it("says each change, and how it ended, in words", async () => {
    api.answers.set("GET /services/shop/rollout", { body: rolloutStatus("rolledBack") });
    const { code, stderr } = await cli("rollout", "wait", "shop");
    expect(code).toBe(10);
    expect(stderr).toContain("shop: rolled back, step 1 of 2, canary at 10%");
    expect(stderr).not.toContain("rolledBack");
  });
});
