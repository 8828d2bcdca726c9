// keystone incident list|show in process against a stand-in admin API: a table for people, the
// API's JSON for pipelines, and Markdown that names the failed check with its numbers.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { incidentWire } from "../test/support/cli-fixtures.ts";
import { apiError, type FakeAdminApi, startFakeAdminApi } from "../test/support/fake-admin-api.ts";
import { runCli } from "../test/support/run-cli.ts";

let api: FakeAdminApi;
const cli = (...argv: string[]) => runCli([...argv, "--url", api.url]);

beforeAll(async () => {
  api = await startFakeAdminApi();
});
afterAll(() => api.close());
beforeEach(() => {
  api.answers.clear();
  const incident = incidentWire();
  const { id, rolloutId, outcome, at, release, summary } = incident;
  const older = { id: "2", rolloutId: "r-old", outcome: "aborted", at: "2026-01-01T00:00:00.000Z" };
  api.answers.set("GET /services/shop/incidents", {
    body: {
      service: "shop",
      incidents: [
        { id, rolloutId, outcome, at, release, summary },
        { ...older, release: "v1", summary: "shop: rollout of canary v1 aborted by bo" },
      ],
    },
  });
  api.answers.set("GET /services/shop/incidents/3", { body: incident });
});

describe("keystone incident list", () => {
  it("prints a table, newest first", async () => {
    const { code, stdout } = await cli("incident", "list", "shop");
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[0]).toMatch(/^ID\s+WHEN\s+OUTCOME\s+RELEASE\s+SUMMARY$/);
    expect(lines[1]).toMatch(
      /^3\s+2026-01-02 03:09:05Z\s+rolled back\s+v2 \| hotfix\s+shop: rollout/,
    );
    expect(lines[2]).toMatch(/^2\s+.*aborted/);
  });

  it("--json gives {service, incidents: [{id, rolloutId, outcome, at, release, summary}]} only", async () => {
    const { code, stdout } = await cli("incident", "list", "shop", "--json");
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as { service: string; incidents: Record<string, unknown>[] };
    expect(parsed.service).toBe("shop");
    expect(parsed.incidents.map((i) => Object.keys(i).sort())).toEqual([
      ["at", "id", "outcome", "release", "rolloutId", "summary"],
      ["at", "id", "outcome", "release", "rolloutId", "summary"],
    ]);
    expect(parsed.incidents.map((i) => i.id)).toEqual(["3", "2"]);
  });

  it("says so when there are none", async () => {
    api.answers.set("GET /services/shop/incidents", { body: { service: "shop", incidents: [] } });
    expect((await cli("incident", "list", "shop")).stdout).toContain("shop: no incidents");
  });
});

describe("keystone incident show", () => {
  it("prints Markdown with the failed check and its numbers, the timeline and where to look", async () => {
    const { code, stdout } = await cli("incident", "show", "shop", "3");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^# Incident 3 of shop: rollout rolled back\n/);
    expect(stdout).toContain("## Failed check\n");
    expect(stdout).toContain("| error rate | **25.00%** | 5.00% | – |");
    expect(stdout).toContain("| Decided | 2026-01-02 03:09:05Z by the analysis (cron) |");
    expect(stdout).toContain(
      "| Last request to the candidate | in the second from 2026-01-02 03:09:07Z |",
    );
    expect(stdout).toContain(
      "| 2026-01-02 03:09:05Z | rolled back | 2 | 50% | cron | 200 req · 25.00% errors · p95 120 ms | 200 req · 0.00% errors · p95 120 ms |",
    );
    // Stored strings stay inside their cells and render no HTML.
    expect(stdout).toContain("canary v2 \\| hotfix");
    expect(stdout).toContain("&lt;b>ship&lt;/b> it");
    expect(stdout).toContain(`- Status page: ${api.url}/_keystone/ui/services/shop/incidents/3`);
    expect(stdout).toContain("`keystone incident show shop 3 -o json`");
  });

  it("an aborted rollout's Markdown names the operator who aborted and why, and has no failed checks", async () => {
    const aborted = {
      ...incidentWire(),
      outcome: "aborted",
      actor: { kind: "operator", name: "bo" },
      reason: "wrong build",
      failedChecks: [],
    };
    api.answers.set("GET /services/shop/incidents/3", { body: aborted });
    const { code, stdout } = await cli("incident", "show", "shop", "3");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^# Incident 3 of shop: rollout aborted\n/);
    expect(stdout).toContain("| Decided | 2026-01-02 03:09:05Z by an operator (bo) |");
    expect(stdout).toContain("| Why | wrong build |");
    expect(stdout).not.toContain("## Failed check");
  });

  it("-o json and --json print the API's incident as JSON", async () => {
    for (const argv of [["-o", "json"], ["--json"]]) {
      const { code, stdout } = await cli("incident", "show", "shop", "3", ...argv);
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual(incidentWire());
    }
  });

  it("an unknown incident exits 1 with the API's message; a bad -o is usage", async () => {
    api.answers.set(
      "GET /services/shop/incidents/9",
      apiError(404, "not_found", 'service "shop" has no incident 9'),
    );
    const missing = await cli("incident", "show", "shop", "9");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('service "shop" has no incident 9');
    expect((await cli("incident", "show", "shop", "3", "-o", "html")).code).toBe(2);
  });
});
