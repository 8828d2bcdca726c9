// The admin API's one error path: typed failures → one JSON envelope with the right status.
import type { ErrorCode, ErrorEnvelope } from "../../schemas/api.ts";
import type { Problem } from "../../schemas/problems.ts";
import type { Result } from "../control-plane/result.ts";

const STATUS: Record<ErrorCode, 400 | 401 | 403 | 404 | 409 | 413 | 422 | 500 | 503> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  host_claimed: 409,
  wrong_phase: 409,
  too_large: 413,
  invalid: 422,
  internal: 500,
  unavailable: 503,
};

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly problems: Problem[] | undefined;

  constructor(code: ErrorCode, message: string, problems?: Problem[]) {
    super(message);
    this.code = code;
    this.problems = problems;
  }

  get status() {
    return STATUS[this.code];
  }

  toEnvelope(): ErrorEnvelope {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.problems ? { problems: this.problems } : {}),
      },
    };
  }
}

/** The value of a successful result; a failure becomes the ApiError the API answers with. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new ApiError(result.error.code, result.error.message, result.error.problems);
}
