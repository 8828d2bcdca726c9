// Checks a whole config file and reports every problem at once: the shape checks of the schemas
// and, even where a shape check failed, the cross-field checks on the raw input.
import { ConfigFile } from "./config-file.ts";
import { fileCrossIssues } from "./cross-checks.ts";
import { type DescribeOptions, formatPath, issuesOf, type PathIssue } from "./problems.ts";

export type ConfigCheck =
  | { success: true; data: ConfigFile }
  | { success: false; issues: PathIssue[] };

export function validateConfigFile(
  input: unknown,
  options: Omit<DescribeOptions, "input"> = {},
): ConfigCheck {
  const parsed = ConfigFile.safeParse(input);
  if (parsed.success) return { success: true, data: parsed.data };
  const issues = [
    ...issuesOf(parsed.error, { ...options, input }),
    // A failed shape check stops the schema's own cross-field checks for that service (and the
    // file's): run them on the raw input so nothing waits for the next attempt.
    ...fileCrossIssues(input).map((issue) => ({ at: issue.path, message: issue.message })),
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
