// The CLI's error kinds and the one place that turns any failure into an exit code.
import type { ErrorCode } from "../schemas/api.ts";

export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  invalidConfig: 3,
  conflict: 4,
  auth: 5,
  changesPending: 6,
  wrongPhase: 7,
  rolledBack: 10,
  timeout: 11,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  readonly exitCode: ExitCode;
  /** Extra lines shown under the message (problems, hints). */
  readonly details: string[];
  /** Set when the admin API said the thing does not exist. */
  notFound = false;

  constructor(exitCode: ExitCode, message: string, details: string[] = []) {
    super(message);
    this.exitCode = exitCode;
    this.details = details;
  }
}

const BY_API_CODE: Record<ErrorCode, ExitCode> = {
  invalid: EXIT.invalidConfig,
  conflict: EXIT.conflict,
  host_claimed: EXIT.conflict,
  wrong_phase: EXIT.wrongPhase,
  unauthorized: EXIT.auth,
  forbidden: EXIT.auth,
  not_found: EXIT.error,
  too_large: EXIT.error,
  bad_request: EXIT.error,
  unavailable: EXIT.error,
  internal: EXIT.error,
};

export function exitCodeForApi(code: ErrorCode): ExitCode {
  return BY_API_CODE[code];
}

/** Exit code and message lines for anything a command threw. */
export function describeFailure(error: unknown): { exitCode: ExitCode; lines: string[] } {
  if (error instanceof CliError)
    return { exitCode: error.exitCode, lines: [error.message, ...error.details] };
  if (error instanceof Error && error.name === "CLIError") {
    return { exitCode: EXIT.usage, lines: [error.message, "run with --help for usage"] };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { exitCode: EXIT.error, lines: [`unexpected error: ${message}`] };
}
