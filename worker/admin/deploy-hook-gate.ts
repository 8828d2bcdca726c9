// The deploy webhook's authentication: HMAC-SHA256 over "<timestamp>.<body>" with
// DEPLOY_WEBHOOK_SECRET, a timestamp within 5 minutes. Its gate runs before the body is read (an
// anonymous client must not have 1 MiB read and hashed), and its refusals count against the
// address as refused tokens do (auth.ts). What a genuine request does is deploy-hook.ts's.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import type { Env } from "../env.ts";
import { noteRefusal, refusalsExhausted, TOO_MANY_REFUSALS } from "./auth.ts";
import { ApiError } from "./errors.ts";

export const WEBHOOK_MAX_AGE_MS = 5 * 60_000;

export function signDeployHook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** A signature as signDeployHook writes one. */
const SIGNATURE = /^sha256=[0-9a-f]{64}$/;

/** Why a webhook request's headers alone refuse it (missing, stale, not a signature), if they do. */
function headerProblem(
  timestamp: string | undefined,
  signature: string | undefined,
  now: number,
): string | undefined {
  if (!timestamp || !signature) return "missing x-keystone-timestamp or x-keystone-signature";
  const at = Number(timestamp) * 1000;
  if (!Number.isFinite(at) || Math.abs(now - at) > WEBHOOK_MAX_AGE_MS)
    return "the timestamp is more than 5 minutes off";
  if (!SIGNATURE.test(signature)) return "the signature is not sha256=<64 hex digits>";
  return undefined;
}

export function signatureMatches(
  secret: string,
  timestamp: string,
  signature: string,
  body: string,
) {
  const expected = Buffer.from(signDeployHook(secret, timestamp, body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Counts and logs a refused webhook request like a refused token (auth.ts), and says why. */
export function refused(c: Context<{ Bindings: Env }>, problem: string): ApiError {
  noteRefusal(c, `deploy webhook: ${problem}`);
  return new ApiError("unauthorized", `deploy webhook refused: ${problem}`);
}

/**
 * The webhook's gate, before its body is read (body-limit.ts): the secret set, the address's
 * refusals left (auth.ts), the headers there, fresh and shaped as a signature. Only then is a body
 * of up to MAX_BODY_BYTES read and hashed; a wrong signature counts as a refused token does.
 */
export const deployHookGate: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  if (!c.env.DEPLOY_WEBHOOK_SECRET)
    throw new ApiError(
      "unavailable",
      "the deploy webhook is off: set the DEPLOY_WEBHOOK_SECRET secret",
    );
  if (refusalsExhausted(c)) throw new ApiError("too_many_attempts", TOO_MANY_REFUSALS);
  const problem = headerProblem(
    c.req.header("x-keystone-timestamp"),
    c.req.header("x-keystone-signature"),
    Date.now(),
  );
  if (problem) throw refused(c, problem);
  await next();
};
