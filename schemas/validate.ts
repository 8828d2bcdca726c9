// Checks a whole file (a config file, a release file) and reports every problem at once: the
// shape checks of the schemas and, even where a shape check failed, the cross-field checks on the
// raw input; for a config file, then each environment's overlay merged onto the base, its
// problems reported where the overlay is.
import type * as z from "zod";
import { ConfigFile } from "./config-file.ts";
import { type CrossIssue, fileCrossIssues } from "./cross-checks.ts";
import { resolveEnvironment } from "./environments.ts";
import { type DescribeOptions, formatPath, issuesOf, type PathIssue } from "./problems.ts";
import { releaseCrossIssues } from "./release-checks.ts";
import { ReleaseFile } from "./release-file.ts";

export type FileCheck<T> = { success: true; data: T } | { success: false; issues: PathIssue[] };
export type ConfigCheck = FileCheck<ConfigFile>;

export interface ValidateOptions extends Omit<DescribeOptions, "input"> {
  /** Answer the file as this environment sees it (its overlay merged in). */
  environment?: string | undefined;
}

const keyOf = (issue: PathIssue) => `${formatPath(issue.at)}\n${issue.message}`;

/** Each problem once, in the order found. */
function unique(issues: PathIssue[]): PathIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = keyOf(issue);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function checkFile<S extends z.ZodType>(
  schema: S,
  crossIssues: (input: unknown) => CrossIssue[],
  input: unknown,
  options: Omit<DescribeOptions, "input">,
): FileCheck<z.output<S>> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { success: true, data: parsed.data };
  return {
    success: false,
    issues: unique([
      ...issuesOf(parsed.error, { ...options, input }),
      // A failed shape check stops the schema's own cross-field checks for that part (and the
      // file's): run them on the raw input so nothing waits for the next attempt.
      ...crossIssues(input).map((issue) => ({ at: issue.path, message: issue.message })),
    ]),
  };
}

export function validateConfigFile(input: unknown, options: ValidateOptions = {}): ConfigCheck {
  const { environment, ...describe } = options;
  const base = checkFile(ConfigFile, fileCrossIssues, input, describe);
  const issues = base.success ? [] : [...base.issues];
  const seen = new Set(issues.map(keyOf));
  let data = base.success ? base.data : undefined;
  const raw = (input as { environments?: unknown } | null)?.environments;
  const environments = typeof raw === "object" && raw !== null ? Object.keys(raw) : [];
  for (const name of environments) {
    const resolved = resolveEnvironment(input, name);
    issues.push(...resolved.issues.map((i) => ({ at: i.path, message: i.message })));
    const check = checkFile(ConfigFile, fileCrossIssues, resolved.file, describe);
    if (check.success && name === environment)
      data = { ...check.data, environments: base.success ? base.data.environments : undefined };
    for (const issue of check.success ? [] : check.issues) {
      const at = resolved.locate(issue.at);
      // A problem of the base is reported once, at the base; one the merge made names the
      // environment, and one the overlay set points at the overlay.
      if (at === issue.at && seen.has(keyOf(issue))) continue;
      issues.push(
        at === issue.at
          ? { at, message: `in environment "${name}": ${issue.message}` }
          : { ...issue, at },
      );
    }
  }
  if (issues.length === 0 && data) return { success: true, data };
  return { success: false, issues: unique(issues) };
}

export function validateReleaseFile(
  input: unknown,
  options: Omit<DescribeOptions, "input"> = {},
): FileCheck<ReleaseFile> {
  return checkFile(ReleaseFile, releaseCrossIssues, input, options);
}
