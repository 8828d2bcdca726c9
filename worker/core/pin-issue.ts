// The version pin handed to a visitor with its response (sticky.affinity): signed once, when the
// split (or a wave) placed the visitor, for the version it was actually served.
import { signPin } from "./affinity.ts";
import type { Verdict } from "./decide.ts";

export interface IssuedPin {
  token: string;
  cookie: string;
  maxAgeSeconds: number;
}

/**
 * The pin to give a visitor the split (or a wave) just placed, for the version it was served (the
 * baseline, when a fast-abort halt diverted it); undefined when affinity is off or the visitor
 * came with a pin that holds. One HMAC, only then.
 */
export function pinToIssue(
  verdict: Verdict,
  secret: string | undefined,
  now: number,
): IssuedPin | undefined {
  const affinity = verdict.service.affinity;
  if (!affinity || !secret || !verdict.mayPin) return undefined;
  // A pin for a ramped rollback's candidate would keep its visitors there after the ramp's end.
  if (verdict.version.name === affinity.scope.unpinned) return undefined;
  const token = signPin(secret, verdict.service.name, {
    version: verdict.version.name,
    scope: affinity.scope.current,
    expiresAt: now + affinity.maxAgeSeconds * 1000,
  });
  return { token, cookie: affinity.cookie, maxAgeSeconds: affinity.maxAgeSeconds };
}
