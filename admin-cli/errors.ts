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
  staleRelease: 8,
  rolledBack: 10,
  timeout: 11,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** One problem of a config, where it is: line and column are 1-based, null when unknown. */
export interface LocatedProblem {
  path: string;
  line: number | null;
  column: number | null;
  message: string;
}

export class CliError extends Error {
  readonly exitCode: ExitCode;
  /** Extra lines shown under the message (problems, hints). */
  readonly details: string[];
  /** The problems behind an invalid config, for people and for --json. */
  problems: LocatedProblem[] = [];
  /** The file the problems are in, shown as `file:line:column:` before each. */
  source: string | undefined;
  /** Set when the admin API said the thing does not exist. */
  notFound = false;
  /**
   * Set when the admin API gave no usable answer for a reason that may pass: unreachable, reset,
   * no answer in time, a 5xx (the Worker restarting or being deployed, a proxy in front of it).
   * A wait (`rollout wait`, `--watch`) polls through such a failure instead of ending on it.
   */
  transient = false;
  /**
   * Set when nothing answered at all (refused, unknown host, reset, no answer in time): before a
   * wait has had one answer that is most likely a wrong --url, said at once rather than retried
   * until --timeout.
   */
  unreachable = false;

  constructor(exitCode: ExitCode, message: string, details: string[] = []) {
    super(message);
    this.exitCode = exitCode;
    this.details = details;
  }
}

/**
 * Whether a wait or a watch reads again after `error` rather than ending on it: a failure that may
 * pass (CliError.transient), except nothing answering at all before the first answer (`answered`),
 * which is most likely a wrong --url and is said at once.
 */
export function pollsThrough(error: unknown, answered: boolean): error is CliError {
  return error instanceof CliError && error.transient && (answered || !error.unreachable);
}

/** A command line the CLI cannot run as given: exit 2, one line, and where to read the usage. */
export class UsageError extends CliError {
  constructor(message: string, details: string[] = []) {
    super(EXIT.usage, message, details);
  }
}

const BY_API_CODE: Record<ErrorCode, ExitCode> = {
  invalid: EXIT.invalidConfig,
  conflict: EXIT.conflict,
  host_claimed: EXIT.conflict,
  wrong_phase: EXIT.wrongPhase,
  stale_release: EXIT.staleRelease,
  unauthorized: EXIT.auth,
  forbidden: EXIT.auth,
  too_many_attempts: EXIT.auth,
  not_found: EXIT.error,
  too_large: EXIT.error,
  bad_request: EXIT.error,
  unavailable: EXIT.error,
  internal: EXIT.error,
};

export function exitCodeForApi(code: ErrorCode): ExitCode {
  return BY_API_CODE[code];
}

/**
 * A result told by the exit code alone, after the command printed its output: `diff --exit-code`
 * exits 6 when something would change. Not an error, so nothing more is printed.
 */
export class QuietExit extends CliError {
  constructor(exitCode: ExitCode) {
    super(exitCode, "");
  }
}

export interface Failure {
  exitCode: ExitCode;
  message: string;
  details: string[];
  problems: LocatedProblem[];
  source?: string | undefined;
}

/** Exit code, message and details for anything a command threw. */
export function describeFailure(error: unknown): Failure {
  if (error instanceof CliError) {
    const { exitCode, message, details, problems, source } = error;
    return { exitCode, message, details: details.map((d) => d.trim()), problems, source };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    exitCode: EXIT.error,
    message: `unexpected error: ${message}`,
    details: [],
    problems: [],
  };
}
