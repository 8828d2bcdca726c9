// Flag values checked before a request is sent, with the API's own schemas: a bad value names
// its flag (not a "request body" problem from the server). Usage errors exit 2; values that
// would be stored config (an origin, a release) exit 3 like any invalid config.
import type * as z from "zod";
import { problemsOf } from "../schemas/problems.ts";
import { CliError, EXIT } from "./errors.ts";

export function checkFlag(
  flag: string,
  value: unknown,
  schema: z.ZodType,
  exitCode: typeof EXIT.usage | typeof EXIT.invalidConfig = EXIT.usage,
): void {
  if (value === undefined) return;
  const parsed = schema.safeParse(value);
  if (parsed.success) return;
  const problem = problemsOf(parsed.error)[0]?.message ?? "not a valid value";
  throw new CliError(exitCode, `${flag} ${JSON.stringify(value)}: ${problem}`);
}
