// The GitLab template's .keystone-health-check job alone, run as GitLab runs it (bash -eo
// pipefail, test/support/gitlab-runner.ts), against a stand-in admin API and a stand-in location:
// how it fails when something is wrong, and what its log says then. The pipeline against a real
// stack is test/pipelines/gitlab-template.test.ts.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RolloutStatus } from "../../schemas/api-responses.ts";
import { PROJECT_ROOT } from "../../scripts/stack.ts";
import { rolloutState, rolloutStatus } from "../support/cli-fixtures.ts";
import { apiError, type FakeAdminApi, startFakeAdminApi } from "../support/fake-admin-api.ts";
import { GitlabPipeline } from "../support/gitlab-runner.ts";
import { GITLAB_EXAMPLE, gitlabProject } from "../support/pipeline-files.ts";

/** The example's include of the template, and one job extending .keystone-health-check. */
function healthCheckProject(): string {
  const include = /^include:\n(?: {2}.*\n)+/m.exec(readFileSync(GITLAB_EXAMPLE, "utf8"))![0];
  const job = [
    "stages: [health-check]",
    "health-check:",
    "  stage: health-check",
    "  extends: .keystone-health-check",
    "  variables:",
    "    KEYSTONE_SERVICE: storefront",
    "",
  ].join("\n");
  return gitlabProject(`${include}\n${job}`);
}

/** storefront's rollout as `keystone rollout status --json` reads it: blue idle, taking v3.0.0. */
function storefrontRollout(
  phase: "paused" | "progressing" | "promoted",
  release: string | undefined = "v3.0.0",
): RolloutStatus {
  const state = {
    ...rolloutState(phase),
    id: "storefront-rollout-1",
    strategy: "blueGreen" as const,
    candidate: "blue",
    baseline: "green",
    weight: 0,
    ...(release === undefined ? {} : { release }),
  };
  return { ...rolloutStatus(phase), state };
}

/** What the stand-in location answers a request: status and headers. */
type Answering = (token: string | undefined) => { status: number; headers: Record<string, string> };

/** A stand-in for a Keystone location in front of storefront: keeps the tokens it was sent. */
async function startLocation() {
  const tokens: string[] = [];
  const held: ServerResponse[] = [];
  const location = {
    url: "",
    tokens,
    /** How it answers; `silent`: it takes the request and never answers. */
    answering: "silent" as Answering | "silent",
    close: () => {
      for (const response of held) response.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req, res) => {
    const sent = req.headers["x-keystone-override"];
    const token = typeof sent === "string" ? sent : undefined;
    if (token !== undefined) tokens.push(token);
    if (location.answering === "silent") {
      held.push(res);
      return;
    }
    const { status, headers } = location.answering(token);
    res.writeHead(status, headers);
    res.end("ok\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  location.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/store/health`;
  return location;
}

const TOKEN = "v1.storefront.blue.1796670118.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";

let api: FakeAdminApi;
let location: Awaited<ReturnType<typeof startLocation>>;

beforeAll(async () => {
  api = await startFakeAdminApi();
  location = await startLocation();
});
afterAll(async () => {
  await api.close();
  await location.close();
});
beforeEach(() => {
  api.answers.clear();
  api.seen.length = 0;
  location.tokens.length = 0;
  api.answers.set("GET /services/storefront/rollout", { body: storefrontRollout("paused") });
  api.answers.set("POST /services/storefront/override-tokens", {
    body: {
      token: TOKEN,
      service: "storefront",
      version: "blue",
      expiresAt: "2026-12-07T20:00:00.000Z",
    },
  });
  // A location on the new table: the token forces blue, which runs v3.0.0.
  const forced = { "x-keystone-version": "blue", "x-keystone-release": "v3.0.0" };
  location.answering = (token) => ({ status: 200, headers: token === TOKEN ? forced : {} });
});

/** The job's result, run with the project's CI/CD variables and `extra`. */
async function healthCheck(extra: Record<string, string> = {}) {
  const pipeline = new GitlabPipeline(healthCheckProject(), {
    KEYSTONE_URL: api.url,
    KEYSTONE_TOKEN: "test-admin-token",
    KEYSTONE_CLI_DIR: PROJECT_ROOT,
    // The developer's own contexts (keystone context use) never steer the job.
    KEYSTONE_CONFIG_DIR: "/nonexistent/keystone-config",
    KEYSTONE_PREVIEW_URL: location.url,
    KEYSTONE_HEALTH_CHECKS: "2",
    KEYSTONE_HEALTH_TIMEOUT: "3",
    ...extra,
  });
  await pipeline.run();
  return pipeline.results.get("health-check")!;
}

describe("the blue/green health check", () => {
  it("passes when the idle colour answers with the release the paused rollout ships", async () => {
    const check = await healthCheck();
    expect(check.status, check.log).toBe("success");
    expect(check.log).toContain("check 2 of 2: blue answered with v3.0.0");
    expect(location.tokens).toEqual([TOKEN, TOKEN]);
  });

  it("with no rollout, or one already ended, says so instead of checking a colour", async () => {
    api.answers.set("GET /services/storefront/rollout", {
      body: { ...storefrontRollout("paused"), state: null },
    });
    const none = await healthCheck();
    expect(none.status).toBe("failed");
    expect(none.log).toContain(
      "storefront has no rollout waiting for the switch (none): the deploy-preview job starts one",
    );
    expect(none.log).not.toContain("TypeError");
    api.answers.set("GET /services/storefront/rollout", { body: storefrontRollout("promoted") });
    const ended = await healthCheck();
    expect(ended.status).toBe("failed");
    expect(ended.log).toContain("storefront has no rollout waiting for the switch (promoted)");
    // Nothing was minted, nothing was asked of the location.
    expect(api.seen.map((r) => `${r.method} ${r.path}`)).not.toContain(
      "POST /services/storefront/override-tokens",
    );
    expect(location.tokens).toEqual([]);
  });

  it("stops at the CLI's own error and exit code when the rollout cannot be read", async () => {
    api.answers.set("GET /services/storefront/rollout", apiError(401, "unauthorized", "bad token"));
    const check = await healthCheck();
    expect(check.status).toBe("failed");
    expect(check.log).toContain("the token from KEYSTONE_TOKEN was refused");
    expect(check.log).not.toContain("SyntaxError");
    // 5, as documented for a refused token (docs/cli.md): not a parse failure's 1.
    expect(check.code).toBe(5);
  });

  it("never prints the token it forces the colour with, not even under set -x", async () => {
    // BASH_ENV: bash runs it before the job's script, as a job's own `set -x` would.
    const xtrace = join(mkdtempSync(join(tmpdir(), "keystone-xtrace-")), "xtrace.sh");
    writeFileSync(xtrace, "set -x\n");
    const check = await healthCheck({ BASH_ENV: xtrace });
    expect(check.status, check.log).toBe("success");
    expect(check.log).toContain("+ keystone override-token storefront blue");
    expect(location.tokens).toEqual([TOKEN, TOKEN]);
    expect(check.log).not.toContain(TOKEN);
    // Nor a part of it a reader could put back together (its signature).
    expect(check.log).not.toContain(TOKEN.split(".").at(-1));
  });

  it("without OVERRIDE_SECRET on the Worker, fails at the mint with the API's reason and the CLI's code", async () => {
    api.answers.set(
      "POST /services/storefront/override-tokens",
      apiError(503, "unavailable", "override tokens are off: set the OVERRIDE_SECRET secret"),
    );
    const check = await healthCheck();
    expect(check.status).toBe("failed");
    expect(check.log).toContain("override tokens are off: set the OVERRIDE_SECRET secret");
    expect(check.code).toBe(1);
    expect(location.tokens).toEqual([]);
  });

  it("names what the last answer was when the time runs out", async () => {
    const cases: [Answering, string][] = [
      // A location on the table before: blue there still runs the build before.
      [
        () => ({
          status: 200,
          headers: { "x-keystone-version": "blue", "x-keystone-release": "v1.0.0" },
        }),
        "(last: HTTP 200 from blue with v1.0.0)",
      ],
      // The new build is there, and failing.
      [
        () => ({
          status: 500,
          headers: { "x-keystone-version": "blue", "x-keystone-release": "v3.0.0" },
        }),
        "(last: HTTP 500 from blue with v3.0.0)",
      ],
      // Not a 2xx either: a redirect proves nothing about the build.
      [
        () => ({
          status: 302,
          headers: {
            location: "/login",
            "x-keystone-version": "blue",
            "x-keystone-release": "v3.0.0",
          },
        }),
        "(last: HTTP 302 from blue with v3.0.0)",
      ],
      // The token was not honoured (a data plane without the same OVERRIDE_SECRET): the public
      // answer, with the version header off or on.
      [
        () => ({ status: 200, headers: {} }),
        "(last: HTTP 200 naming no version: the token did not force blue (does",
      ],
      [
        () => ({ status: 200, headers: { "x-keystone-version": "green" } }),
        "(last: HTTP 200 from green: the token did not force blue (does",
      ],
    ];
    for (const [answering, last] of cases) {
      location.answering = answering;
      const check = await healthCheck({ KEYSTONE_HEALTH_TIMEOUT: "1" });
      expect(check.status, check.log).toBe("failed");
      expect(check.log).toContain(
        `${location.url} did not answer from blue with v3.0.0 within 1s ${last}`,
      );
    }
  });

  it("a URL that takes the request and never answers fails on time, saying it gave no answer", async () => {
    location.answering = "silent";
    const started = Date.now();
    const check = await healthCheck({ KEYSTONE_HEALTH_TIMEOUT: "2" });
    expect(check.status, check.log).toBe("failed");
    expect(check.log).toContain("curl: (28)");
    expect(check.log).toContain("within 2s (last: no answer (curl's error above))");
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it("says each new kind of answer while it waits, once", async () => {
    let served = 0;
    location.answering = () =>
      ++served <= 2
        ? { status: 200, headers: { "x-keystone-version": "blue", "x-keystone-release": "v1.0.0" } }
        : {
            status: 200,
            headers: { "x-keystone-version": "blue", "x-keystone-release": "v3.0.0" },
          };
    const check = await healthCheck({ KEYSTONE_HEALTH_TIMEOUT: "20" });
    expect(check.status, check.log).toBe("success");
    expect(check.log.split("not yet: HTTP 200 from blue with v1.0.0").length - 1).toBe(1);
    expect(check.log).toContain("check 2 of 2: blue answered with v3.0.0");
  });

  it("tells a pipeline that still sets KEYSTONE_PREVIEW_HEADER that it is not read any more", async () => {
    const check = await healthCheck({ KEYSTONE_PREVIEW_HEADER: "x-preview" });
    expect(check.status, check.log).toBe("success");
    expect(check.log).toContain(
      "KEYSTONE_PREVIEW_HEADER is not read any more: the check forces the idle colour with an override token (the Worker needs OVERRIDE_SECRET)",
    );
    expect((await healthCheck()).log).not.toContain("KEYSTONE_PREVIEW_HEADER");
  });
});
