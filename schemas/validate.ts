// Checks a whole file (a config file, a release file) and reports every problem at once: the
// shape checks of the schemas and, even where a shape check failed, the cross-field checks on the
// raw input.
import type * as z from "zod";
import { ConfigFile } from "./config-file.ts";
import { type CrossIssue, fileCrossIssues } from "./cross-checks.ts";
import { type DescribeOptions, formatPath, issuesOf, type PathIssue } from "./problems.ts";
import { releaseCrossIssues } from "./release-checks.ts";
import { ReleaseFile } from "./release-file.ts";

export type FileCheck<T> = { success: true; data: T } | { success: false; issues: PathIssue[] };
export type ConfigCheck = FileCheck<ConfigFile>;

function checkFile<S extends z.ZodType>(
  schema: S,
  crossIssues: (input: unknown) => CrossIssue[],
  input: unknown,
  options: Omit<DescribeOptions, "input">,
): FileCheck<z.output<S>> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { success: true, data: parsed.data };
  const issues = [
    ...issuesOf(parsed.error, { ...options, input }),
    // A failed shape check stops the schema's own cross-field checks for that part (and the
    // file's): run them on the raw input so nothing waits for the next attempt.
    ...crossIssues(input).map((issue) => ({ at: issue.path, message: issue.message })),
  ];
  const seen = new Set<string>();
  return {
    success: false,
    issues: issues.filter((issue) => {
      const key = `${formatPath(issue.at)}\n${issue.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
  };
}

export function validateConfigFile(
  input: unknown,
  options: Omit<DescribeOptions, "input"> = {},
): ConfigCheck {
  return checkFile(ConfigFile, fileCrossIssues, input, options);
}

export function validateReleaseFile(
  input: unknown,
  options: Omit<DescribeOptions, "input"> = {},
): FileCheck<ReleaseFile> {
  return checkFile(ReleaseFile, releaseCrossIssues, input, options);
}
