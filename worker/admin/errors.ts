// The admin API's one error path: every tagged failure reason maps to one HTTP status and the one
// JSON envelope, here; results from Durable Objects are parsed as they enter.
import type * as z from "zod";
import type { ErrorCode, ErrorEnvelope } from "../../schemas/api.ts";
import type { Problem } from "../../schemas/problems.ts";
import { ResultEnvelope } from "../../schemas/result.ts";

const STATUS: Record<ErrorCode, 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 503> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  too_many_attempts: 429,
  not_found: 404,
  conflict: 409,
  host_claimed: 409,
  wrong_phase: 409,
  stale_release: 409,
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

/** Parses what crossed an RPC boundary; a mismatch is our bug, reported as an internal error. */
export function parseRpc<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  console.error(
    `keystone: ${what} answered in an unexpected shape:`,
    parsed.error.issues.slice(0, 5),
  );
  throw new ApiError("internal", `${what} answered in an unexpected shape; see the Worker logs`);
}

/**
 * A Durable Object's answer, its envelope checked: the value is left to the endpoint's declared
 * response schema, so it is parsed once, and a mismatch names the object that answered.
 */
export class ObjectAnswer {
  readonly value: unknown;
  readonly what: string;

  constructor(value: unknown, what: string) {
    this.value = value;
    this.what = what;
  }
}

/** The answer of a result from a Durable Object; a failure becomes the ApiError the API answers. */
export function objectAnswer(result: unknown, what: string): ObjectAnswer {
  const envelope = parseRpc(ResultEnvelope, result, what);
  if (!envelope.ok)
    throw new ApiError(envelope.error.code, envelope.error.message, envelope.error.problems);
  return new ObjectAnswer(envelope.value, what);
}

/** The value of a result from a Durable Object, parsed; a failure becomes the ApiError. */
export function unwrap<S extends z.ZodType>(schema: S, result: unknown, what: string): z.output<S> {
  return parseRpc(schema, objectAnswer(result, what).value, what);
}
