// Why the control plane refused something: one tag per reason. The admin API maps each to an HTTP
// status (worker/admin/errors.ts), the CLI to an exit code (admin-cli/errors.ts).
import * as z from "zod";

/**
 * conflict: the change was based on a stale revision (read again and retry).
 * host_claimed: another service holds one of the hosts (+ pathPrefix).
 * wrong_phase: not allowed in the rollout's current phase (e.g. pause when nothing progresses).
 * stale_release: the change would serve a release older than the one serving, or undo a
 * promotion or a blue/green switch (a config file behind what serves; --force overrides).
 */
export const ErrorCode = z.enum([
  "invalid",
  "conflict",
  "host_claimed",
  "wrong_phase",
  "stale_release",
  "not_found",
  "unauthorized",
  "forbidden",
  "too_many_attempts",
  "too_large",
  "bad_request",
  "unavailable",
  "internal",
]);

export type ErrorCode = z.infer<typeof ErrorCode>;
