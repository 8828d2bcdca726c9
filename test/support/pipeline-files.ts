// The pipeline files Keystone ships (the GitHub Action, example workflows, the GitLab template and
// example), and a GitLab project on disk that includes the template the way a user's would.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../scripts/stack.ts";

export const ACTION = join(PROJECT_ROOT, "ci/github/action.yml");
export const GITLAB_TEMPLATE = join(PROJECT_ROOT, "ci/gitlab/keystone.gitlab-ci.yml");
export const GITLAB_EXAMPLE = join(PROJECT_ROOT, "examples/gitlab/.gitlab-ci.yml");

export const GITHUB_WORKFLOWS = readdirSync(join(PROJECT_ROOT, "examples/github"))
  .filter((name) => name.endsWith(".yml"))
  .map((name) => join(PROJECT_ROOT, "examples/github", name));

/**
 * The example's `include: project:` fetches the template from the Keystone project at a pinned
 * ref; offline, the same file is included from the project itself (`local:`), which is what
 * GitLab would merge, with the example's inputs (its `ref` input replaced by `ref` when given).
 */
export function includeLocally(example: string, ref?: string): string {
  const pattern =
    / {2}- project: platform\/keystone-edge\n {4}ref: (\w+)\n {4}file: \/ci\/gitlab\/keystone\.gitlab-ci\.yml\n( {4}inputs:\n {6}project: platform\/keystone-edge\n {6}ref: )\1\n/;
  if (!pattern.test(example))
    throw new Error("the GitLab example no longer includes the template at one pinned ref");
  return example.replace(
    pattern,
    (_, pinned: string, inputs: string) =>
      `  - local: /keystone.gitlab-ci.yml\n${inputs}${ref ?? pinned}\n`,
  );
}

/** A git repository holding the example pipeline and the template, as a GitLab project would. */
export function gitlabProject(
  example = readFileSync(GITLAB_EXAMPLE, "utf8"),
  template = readFileSync(GITLAB_TEMPLATE, "utf8"),
  ref?: string,
): string {
  const dir = mkdtempSync(join(tmpdir(), "keystone-gitlab-"));
  writeFileSync(join(dir, ".gitlab-ci.yml"), includeLocally(example, ref));
  writeFileSync(join(dir, "keystone.gitlab-ci.yml"), template);
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "ignore" });
  // A feature branch: only what a pipeline's variables say (tag, default branch, MR) runs.
  git("init", "-q", "-b", "feature");
  git("add", "-A");
  git("-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-qm", "pipeline");
  return dir;
}
