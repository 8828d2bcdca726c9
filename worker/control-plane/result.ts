// Typed outcomes of control-plane operations: DO RPC returns these instead of throwing, so the
// reason survives the hop and the admin API maps it in one place.
import type { ErrorCode } from "../../schemas/api.ts";
import type { Problem } from "../../schemas/problems.ts";

export interface Failure {
  code: ErrorCode;
  message: string;
  problems?: Problem[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: ErrorCode, message: string, problems?: Problem[]): Result<T> {
  return { ok: false, error: problems ? { code, message, problems } : { code, message } };
}
