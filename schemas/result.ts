// The one result shape of control-plane operations: a value, or a failure tagged with its reason
// (an ErrorCode). It crosses Durable Object RPC intact, and each surface maps the tag in one place:
// the admin API to an HTTP status (worker/admin/errors.ts), the CLI to an exit code.
import * as z from "zod";
import { ErrorCode } from "./error-code.ts";

const Problem = z.object({ path: z.string(), message: z.string() });

export const Failure = z.object({
  code: ErrorCode,
  message: z.string(),
  problems: z.array(Problem).optional(),
});

/** A Result as it crosses an RPC boundary, its value left to the caller's schema. */
export const ResultEnvelope = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: Failure }),
]);

export type Failure = z.infer<typeof Failure>;
export type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(
  code: ErrorCode,
  message: string,
  problems?: z.infer<typeof Problem>[],
): Result<T> {
  return { ok: false, error: problems ? { code, message, problems } : { code, message } };
}
