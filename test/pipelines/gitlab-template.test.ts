// The GitLab template executed through the example pipeline (test/support/gitlab-runner.ts: the
// jobs' scripts with bash, stage by stage) against wrangler dev, real origins and the real CLI,
// deploy after deploy as a team's pipelines run them, keystone.yaml unchanged in Git: the one
// deploy job promotes a release and changes nothing when run again; a faulty one fails with exit
// 10; the blue/green pipeline holds at its manual switch, twice, the second time on the other
// colour. One pipeline runs the CLI fetched from the ref the include pinned, as GitLab would.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { PROJECT_ROOT } from "../../scripts/stack.ts";
import { fireCron, useStackWithFaultyOrigin, visitorInBuckets } from "../support/e2e-stack.ts";
import { GitlabPipeline } from "../support/gitlab-runner.ts";
import { gitlabProject } from "../support/pipeline-files.ts";
import { driveUntil } from "../support/rollout-driver.ts";

const setup = useStackWithFaultyOrigin("gitlab-template");

/**
 * keystone.yaml: shop (canary) and storefront (blue/green). No preview rule: the health check
 * reaches the idle colour with an override token.
 */
function keystoneYaml(): string {
  return stringify({
    services: [
      {
        name: "shop",
        hosts: [setup.stack.host],
        rollout: {
          strategy: "canary",
          steps: [{ weight: 50, bake: "1s" }],
          analysis: { minRequests: 20, maxErrorRatePercent: 5, failureLimit: 0 },
        },
      },
      {
        name: "storefront",
        hosts: [setup.stack.host],
        pathPrefix: "/store",
        rollout: { strategy: "blueGreen", bake: "1s", analysis: { minRequests: 5 } },
      },
    ],
  });
}

/** The team's GitLab project: the example pipeline, the template, and keystone.yaml. */
function project(ref?: string): string {
  const dir = gitlabProject(undefined, undefined, ref);
  writeFileSync(join(dir, "keystone.yaml"), keystoneYaml());
  return dir;
}

/** What GitLab and the project's CI/CD settings would set; the CLI from this checkout. */
function variables(extra: Record<string, string>): Record<string, string> {
  return {
    KEYSTONE_URL: setup.stack.adminUrl,
    KEYSTONE_TOKEN: setup.stack.secrets.ADMIN_TOKEN,
    KEYSTONE_CLI_DIR: PROJECT_ROOT,
    KEYSTONE_WAIT: "90s",
    CI_DEFAULT_BRANCH: "main",
    CI_PIPELINE_URL: "https://gitlab.example.com/shop/-/pipelines/7",
    GITLAB_USER_LOGIN: "ops",
    ...extra,
  };
}

async function revisionOf(service: string): Promise<number> {
  return JSON.parse((await setup.stack.cli(["get", service, "--json"])).stdout).revision;
}

interface Answer {
  origin: string;
  release: string | undefined;
  /** The track the Worker chose (x-keystone-version as the origin got it). */
  track: string | undefined;
}

/** Which origin answered a request through the Worker (a new visitor, or `visitor`), and how. */
async function answer(path = "/", visitor = `v-${Math.random()}`): Promise<Answer> {
  const response = await fetch(`${setup.stack.url}${path}`, {
    headers: { cookie: `ks_shop=${visitor}` },
  });
  // The faulty origin's 500 is plain text: an answer servedBy polls past instead of throwing.
  if (!response.ok)
    return {
      origin: `HTTP ${response.status} ${await response.text()}`,
      release: undefined,
      track: undefined,
    };
  const body = (await response.json()) as { origin: string; headers: Record<string, string> };
  return {
    origin: body.origin,
    release: body.headers["x-keystone-release"],
    track: body.headers["x-keystone-version"],
  };
}

/** Which origin answered, and the release label it was sent. */
async function served(path = "/") {
  const { origin, release } = await answer(path);
  return { origin, release };
}

/**
 * Polls until shop answers as expected (publication and isolate refresh): origin, track and
 * release, as the table before answered some visitors the same origin and release by another
 * track. `visitor`: one the table before sent elsewhere (new visitors when not given).
 */
async function servedBy(expected: Answer, visitor?: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  let last: Answer | undefined;
  while (Date.now() < deadline) {
    last = await answer("/", visitor);
    if (JSON.stringify(last) === JSON.stringify(expected)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `shop did not answer as ${JSON.stringify(expected)} within 15 s: last ${JSON.stringify(last)}`,
  );
}

// Each case waits on real rollouts (promotions, a rollback, switches): longer than e2e's default.
describe("the GitLab template against a local stack, deploy after deploy", {
  timeout: 300_000,
}, () => {
  it("the deploy job: a new release promotes, the same again changes nothing, a faulty one fails with exit 10", async () => {
    const { stable, canary } = setup.stack.origins;
    const deploy = (sha: string, origin: string) => {
      const pipeline = new GitlabPipeline(
        project(),
        variables({ CI_COMMIT_BRANCH: "main", CI_COMMIT_SHORT_SHA: sha, KEYSTONE_ORIGIN: origin }),
      );
      return driveUntil(setup.stack.url, pipeline.run()).then(
        () => pipeline.results.get("deploy")!,
      );
    };
    const first = await deploy("a1", stable.url);
    expect(first.status, first.log).toBe("success");
    expect(first.log).toContain("created shop, serving a1");
    // storefront waits for its own first deploy; shop's is not held up by it.
    expect(first.log).toContain("storefront: not created yet: the file names no release");
    expect(first.dotenv).toEqual({ KEYSTONE_PHASE: "none" });

    const second = await deploy("b2", canary.url);
    expect(second.status, second.log).toBe("success");
    expect(second.log).toContain("started a canary toward b2 (1 step, threshold judge)");
    expect(second.dotenv).toEqual({ KEYSTONE_PHASE: "promoted" });
    // The job ends when the CLI reads "promoted"; the data plane takes the promotion a refresh
    // later. Until then the canary's half answers b2 from the canary origin too, on the canary
    // track: only stable's track tells the promotion.
    await servedBy({ origin: "canary", release: "b2", track: "stable" });
    const promoted = await revisionOf("shop");

    const again = await deploy("b2", canary.url);
    expect(again.status, again.log).toBe("success");
    expect(again.log).toMatch(
      /no change \(b2 serving since revision \d+, when rollout \w{8} promoted it\)/,
    );
    expect(await revisionOf("shop")).toBe(promoted);

    const faulty = await deploy("c3", setup.faulty.url);
    expect(faulty).toMatchObject({
      status: "failed",
      code: 10,
      dotenv: { KEYSTONE_PHASE: "rolledBack" },
    });
    expect(faulty.log).toMatch(/rolled back — error rate \d+\.\d+% > 5\.00%/);
    // Until the rollback reaches the data plane, the stable half of the rollout's visitors reads
    // b2 as before: a visitor its 50 % sent to the faulty c3 is answered by b2 only after it.
    await servedBy(
      { origin: "canary", release: "b2", track: "stable" },
      visitorInBuckets("shop", 5_000, 10_000),
    );
  });

  it("blue/green, twice: each release previews on the idle colour, waits at the manual switch, then serves", async () => {
    const { stable, canary } = setup.stack.origins;
    const first = await setup.stack.cli([
      "apply",
      "-f",
      setup.stack.writeFile("keystone.yaml", keystoneYaml()),
      "--service",
      "storefront",
      "--release",
      "v1.0.0",
      "--origin",
      stable.url,
    ]);
    expect(first.code, first.stderr).toBe(0);
    for (const [tag, origin, colour, before] of [
      ["v2.0.0", canary.url, "green", undefined],
      ["v3.0.0", stable.url, "blue", "v1.0.0"],
    ] as const) {
      const pipelineVariables = {
        CI_COMMIT_TAG: tag,
        KEYSTONE_ORIGIN: origin,
        KEYSTONE_PREVIEW_URL: `${setup.stack.url}/store/health`,
        KEYSTONE_HEALTH_TIMEOUT: "15",
      };
      if (before) {
        // Blue ran v1.0.0 before: a location still on the table before answers the idle colour's
        // requests from that build. Its colour is right, its release is not: the check holds.
        const stale = await staleLocation(colour, before);
        try {
          const held = new GitlabPipeline(
            project(),
            variables({
              ...pipelineVariables,
              KEYSTONE_PREVIEW_URL: stale.url,
              KEYSTONE_HEALTH_TIMEOUT: "3",
            }),
          );
          await held.run();
          const check = held.results.get("health-check")!;
          expect(check.status, check.log).toBe("failed");
          expect(check.log).toContain(
            `did not answer from ${colour} with ${tag} within 3s (last: HTTP 200 from ${colour} with ${before})`,
          );
          expect(held.status("traffic-switch")).toBe("skipped");
          // The check forced the colour with an override token and did not print it.
          expect(stale.overrides.length).toBeGreaterThan(0);
          expect(stale.overrides.every((token) => token.startsWith("v1.storefront.blue."))).toBe(
            true,
          );
          expect(check.log).not.toContain(stale.overrides[0]);
        } finally {
          await stale.close();
        }
      }
      const pipeline = new GitlabPipeline(project(), variables(pipelineVariables));
      await pipeline.run();
      // After the held pipeline, the release's rollout is the one its deploy-preview paused.
      if (before)
        expect(pipeline.results.get("deploy-preview")!.log).toContain(
          "the rollout is paused already: it waits for the manual traffic switch",
        );
      const statuses = Object.fromEntries([...pipeline.results].map(([n, r]) => [n, r.status]));
      expect(statuses, pipeline.results.get("health-check")?.log).toEqual({
        "deploy-preview": "success",
        "health-check": "success",
        "traffic-switch": "manual",
        cleanup: "created",
      });
      expect(pipeline.results.get("health-check")!.log).toContain(`${colour} answered with ${tag}`);
      // At the gate the cron runs and nothing moves: the public still gets the serving colour.
      await fireCron(setup.stack.url, Date.now() + 5_000);
      await pipeline.run();
      expect(pipeline.status("traffic-switch")).toBe("manual");
      expect((await served("/store/")).release).not.toBe(tag);

      await driveUntil(setup.stack.url, pipeline.play("traffic-switch"), "/store/");
      const switched = pipeline.results.get("traffic-switch")!;
      expect(switched.status, switched.log).toBe("success");
      expect(switched.dotenv).toEqual({ KEYSTONE_PHASE: "promoted" });
      expect(pipeline.results.get("cleanup")!.status).toBe("success");
      const answered = origin === canary.url ? "canary" : "stable";
      expect(await served("/store/")).toEqual({ origin: answered, release: tag });
    }
  });
});

/**
 * A location still serving the table before, as the health check meets it: the idle colour's
 * name with the release it ran then. Keeps the override tokens it was sent.
 */
async function staleLocation(colour: string, release: string) {
  const overrides: string[] = [];
  const server = createServer((req, res) => {
    const token = req.headers["x-keystone-override"];
    if (typeof token === "string") overrides.push(token);
    res.writeHead(200, { "x-keystone-version": colour, "x-keystone-release": release });
    res.end("ok\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/store/health`,
    overrides,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A snapshot of this checkout as the Keystone Edge project on a "GitLab" (a local bare repo). */
function keystoneServer(): { url: string; sha: string } {
  const server = mkdtempSync(join(tmpdir(), "keystone-gitlab-server-"));
  const work = mkdtempSync(join(tmpdir(), "keystone-snapshot-"));
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(work, file)), { recursive: true });
    cpSync(join(PROJECT_ROOT, file), join(work, file));
  }
  const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
  git(work, "init", "-q", "-b", "main");
  git(work, "add", "-A");
  git(work, "-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-qm", "snapshot");
  const sha = git(work, "rev-parse", "HEAD");
  // A later commit on main: the job must run the pinned one, not the branch's head.
  writeFileSync(join(work, "admin-cli", "main.ts"), "throw new Error('not the pinned commit');\n");
  git(work, "-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-qam", "later");
  const bare = join(server, "platform", "keystone-edge.git");
  mkdirSync(dirname(bare), { recursive: true });
  git(server, "clone", "-q", "--bare", work, bare);
  // GitLab serves any commit of the project by its SHA, as fetching a pinned ref needs.
  git(bare, "config", "uploadpack.allowAnySHA1InWant", "true");
  return { url: `file://${server}`, sha };
}

describe("the CLI the jobs run", { timeout: 120_000 }, () => {
  it("comes from the commit the include pinned (its project and ref inputs), not a branch", async () => {
    const server = keystoneServer();
    const builds = mkdtempSync(join(tmpdir(), "keystone-builds-"));
    // Dependencies as `npm ci` would install them from the pinned commit's lock file (the
    // registry is not what this test is about).
    mkdirSync(join(builds, "keystone-cli"));
    symlinkSync(join(PROJECT_ROOT, "node_modules"), join(builds, "keystone-cli", "node_modules"));
    const { KEYSTONE_CLI_DIR: _, ...rest } = variables({
      CI_PIPELINE_SOURCE: "merge_request_event",
      CI_SERVER_URL: server.url,
      CI_BUILDS_DIR: builds,
    });
    const pipeline = new GitlabPipeline(project(server.sha), rest);
    await pipeline.run();
    const diff = pipeline.results.get("config-diff")!;
    expect(diff.log).toContain(`keystone CLI: platform/keystone-edge at ${server.sha}`);
    expect(diff.log).not.toContain("not the pinned commit");
    expect(diff.status, diff.log).toMatch(/^(success|warning)$/);
  });
});
