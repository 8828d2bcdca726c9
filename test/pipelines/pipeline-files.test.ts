// Every pipeline file Keystone ships is checked: the GitHub Action and example workflows with
// @action-validator (GitHub's action and workflow schemas), the GitLab template and example with
// gitlab-ci-local, which checks a pipeline against GitLab's published CI JSON schema (its copy of
// gitlab.com's app/assets/javascripts/editor/schema/ci.json) after resolving include, extends and
// !reference. Each check is shown to fail on a broken copy.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { validateAction, validateWorkflow } from "@action-validator/core";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../../scripts/stack.ts";
import {
  ACTION,
  GITHUB_WORKFLOWS,
  GITLAB_EXAMPLE,
  GITLAB_TEMPLATE,
  gitlabProject,
} from "../support/pipeline-files.ts";

const read = (path: string) => readFileSync(path, "utf8");

describe("the GitHub Action and example workflows", () => {
  it("the action is valid", () => {
    expect(validateAction(read(ACTION)).errors).toEqual([]);
  });

  it.each(GITHUB_WORKFLOWS.map((path) => [path.slice(PROJECT_ROOT.length)]))(
    "%s is a valid workflow",
    (name) => {
      expect(validateWorkflow(read(join(PROJECT_ROOT, name))).errors).toEqual([]);
    },
  );

  it("a broken action or workflow is refused", () => {
    const action = read(ACTION).replace("      shell: bash\n", "");
    expect(validateAction(action).errors.length).toBeGreaterThan(0);
    const workflow = read(GITHUB_WORKFLOWS[0]!).replace("runs-on:", "run-on:");
    expect(validateWorkflow(workflow).errors.length).toBeGreaterThan(0);
  });

  it("inputs reach scripts through env only, and every input used is declared", () => {
    const action = parse(read(ACTION)) as {
      inputs: Record<string, unknown>;
      runs: { steps: { run?: string; env?: Record<string, string> }[] };
    };
    for (const step of action.runs.steps) expect(step.run ?? "").not.toContain("${{");
    const used = [...read(ACTION).matchAll(/\$\{\{ inputs\.([\w-]+) \}\}/g)].map((m) => m[1]!);
    expect(used.filter((name) => !(name in action.inputs))).toEqual([]);
    expect(new Set(used)).toEqual(new Set(Object.keys(action.inputs)));
  });
});

/** gitlab-ci-local --list in a project: exit code and output (the job table or the problems). */
function gitlabList(dir: string, variables: Record<string, string> = {}) {
  const args = [
    join(PROJECT_ROOT, "node_modules/gitlab-ci-local/dist/index.js"),
    "--list",
    ...Object.entries(variables).flatMap(([k, v]) => ["--variable", `${k}=${v}`]),
  ];
  const run = spawnSync(process.execPath, args, {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, GCL_IGNORE_PREDEFINED_VARS: Object.keys(variables).join(",") },
  });
  return { code: run.status, stdout: run.stdout, output: `${run.stdout}${run.stderr}` };
}

const jobsOf = (output: string) =>
  output
    .split("\n")
    .slice(output.split("\n").findIndex((l) => l.startsWith("name ")) + 1)
    .map((line) => line.split(/\s+/)[0])
    .filter(Boolean);

describe("the GitLab template and example", () => {
  it.each([
    [{}, []],
    [{ CI_PIPELINE_SOURCE: "merge_request_event" }, ["config-diff"]],
    [{ CI_COMMIT_BRANCH: "main" }, ["deploy"]],
    [{ CI_COMMIT_TAG: "v1.2.0" }, ["deploy-preview", "health-check", "traffic-switch", "cleanup"]],
  ])(
    "valid against GitLab's CI schema, with the jobs of %o",
    (variables, jobs) => {
      const result = gitlabList(gitlabProject(), variables);
      expect(result.code, result.output).toBe(0);
      expect(result.output).toContain("json schema validated");
      expect(jobsOf(result.stdout)).toEqual(jobs);
    },
    60_000,
  );

  it("the manual switch blocks the pipeline, and a pending diff is only a warning", () => {
    const result = gitlabList(gitlabProject(), { CI_COMMIT_TAG: "v1" });
    expect(result.output).toMatch(/traffic-switch\s+traffic-switch\s+manual\s+false/);
    const diff = gitlabList(gitlabProject(), { CI_PIPELINE_SOURCE: "merge_request_event" });
    expect(diff.output).toMatch(/config-diff\s+check\s+on_success\s+\[6\]/);
  }, 60_000);

  it("a broken template or example is refused", () => {
    const template = read(GITLAB_TEMPLATE).replace("  when: manual\n", "  wen: manual\n");
    const badTemplate = gitlabList(gitlabProject(undefined, template), { CI_COMMIT_TAG: "v1" });
    expect(badTemplate.code).not.toBe(0);
    expect(badTemplate.output).toContain("'wen' property is not expected");
    const example = read(GITLAB_EXAMPLE).replace(
      "needs: [deploy-preview]",
      "needs: deploy-preview",
    );
    const badExample = gitlabList(gitlabProject(example), { CI_COMMIT_TAG: "v1" });
    expect(badExample.code).not.toBe(0);
  }, 60_000);
});

describe("the supply chain: what pipelines run is pinned", () => {
  const SHA_PIN = /^[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?@[0-9a-f]{40} # v\d+\.\d+\.\d+$/;

  it("every third-party action is pinned to a full commit SHA, its version in a comment", () => {
    for (const path of [ACTION, ...GITHUB_WORKFLOWS]) {
      const uses = [...read(path).matchAll(/^\s*(?:- )?uses: (.+)$/gm)].map((m) => m[1]!.trim());
      const thirdParty = uses.filter((u) => !u.startsWith("keystone-edge/"));
      for (const use of thirdParty) expect(use, path).toMatch(SHA_PIN);
      // Keystone Edge's own action: never a branch (the example says to pin it to a SHA).
      for (const use of uses.filter((u) => u.startsWith("keystone-edge/")))
        expect(use, path).not.toMatch(/@(main|master)\b/);
    }
  });

  it("the GitLab template runs a digest-pinned image and the CLI from the included ref, nothing hard-coded", () => {
    const template = read(GITLAB_TEMPLATE);
    const images = [...template.matchAll(/image: (.+)$/gm)].map((m) => m[1]!.trim());
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image).toMatch(/^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/);
    expect(template).toContain("To bump:");
    expect(template).toContain("imagetools");
    expect(template).not.toMatch(/github\.com|gitlab\.com|\bmain\b/);
    expect(template).toContain("KEYSTONE_CLI_REF: $[[ inputs.ref ]]");
    expect(template).toContain('"$CI_SERVER_URL/$KEYSTONE_CLI_PROJECT.git" "$KEYSTONE_CLI_REF"');
  });

  it("an include without the ref input is refused, as GitLab refuses it", () => {
    const project = gitlabProject();
    const pipeline = join(project, ".gitlab-ci.yml");
    writeFileSync(pipeline, read(pipeline).replace(/\n {6}ref: [0-9a-f]{40}\n/, "\n"));
    const result = gitlabList(project, { CI_COMMIT_BRANCH: "main" });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("`ref` input: required value has not been provided");
  }, 60_000);
});
